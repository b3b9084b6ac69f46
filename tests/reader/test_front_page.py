"""The front page (lead story, latest by section, then the latest list), the section menu in
every public page's header, and the section links on article cards."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, SitePage
from articles.workflow import prerender, services
from tests.factories import (
    make_article,
    make_author,
    make_complete_article,
    make_role_user,
    make_section,
    make_tag,
)
from tests.helpers.html import reading_order, soup_of

pytestmark = pytest.mark.django_db


def _story(title, hours_ago, section, **fields):
    return make_article(
        title=title,
        section=section,
        published_at=timezone.now() - timedelta(hours=hours_ago),
        faq=0,
        sources=0,
        **fields,
    )


def _hidden_in(section):
    now = timezone.now()
    make_article(title="Hidden draft", status=Article.Status.DRAFT, section=section)
    make_article(title="Hidden scheduled", published_at=now + timedelta(days=1), section=section)
    make_article(
        title="Hidden expired",
        published_at=now - timedelta(days=2),
        expires_at=now - timedelta(days=1),
        section=section,
    )


def _menu(response):
    return [
        (link.get_text(strip=True), link["href"])
        for link in soup_of(response).select("header nav[aria-label=Sections] a")
    ]


def test_the_lead_is_the_newest_article_with_its_hero_and_tldr(client):
    science = make_section(name="Science", slug="science")
    _story("Older story", 5, science)
    lead = make_complete_article(title="Why chip prices swing", section=science)
    _hidden_in(science)  # a scheduled article would be "newer": it must not lead

    page = soup_of(client.get("/"))
    box = page.select_one("main article.lead")
    assert box.select_one("h2").get_text(strip=True) == "Why chip prices swing"
    assert box.select_one("h2 a")["href"] == lead.get_absolute_url()
    image = box.select_one(".hero img")
    assert image["alt"] == "A chip under a microscope"
    # Width and height from the rendition, so the image's box is reserved before it loads.
    assert int(image["width"]) > 0 and int(image["height"]) > 0
    bullets = [li.get_text(strip=True) for li in box.select(".tldr li")]
    assert bullets == [f"Bullet {n} of Why chip prices swing" for n in (1, 2, 3)]
    assert box.select_one(".card__kicker a")["href"] == science.get_absolute_url()
    # As on the article page, the TL;DR comes before the image: the promise above the fold.
    parts = [node for node in box.find_all(["section", "figure"])]
    assert [part.name for part in parts] == ["section", "figure"]
    assert "tldr" in parts[0]["class"] and "hero" in parts[1]["class"]
    assert "Hidden" not in page.get_text()


def test_front_page_order_lead_then_sections_then_the_latest_list(client):
    tech = make_section(name="Technology", slug="technology")
    science = make_section(name="Science", slug="science")
    empty = make_section(name="Drafts only", slug="drafts-only")
    _hidden_in(empty)
    _hidden_in(tech)
    for n in range(6):
        _story(f"Tech {n}", hours_ago=2 * n + 1, section=tech)
    _story("Science 0", hours_ago=0.5, section=science)
    _story("Science 1", hours_ago=30, section=science)

    response = client.get("/")
    text = reading_order(response.content)
    lead_at = text.index("Science 0")
    by_section_at = text.index("Latest by section")
    latest_at = text.index("Latest explainers")
    assert lead_at < by_section_at < latest_at

    page = soup_of(response)
    blocks = page.select("main .by-section__block")
    # Sections by name, only those with something published, newest first, four at most.
    assert [block.h3.get_text(strip=True) for block in blocks] == ["Science", "Technology"]
    assert [a.get_text(strip=True) for a in blocks[0].select("li a")] == ["Science 0", "Science 1"]
    assert [a.get_text(strip=True) for a in blocks[1].select("li a")] == [
        "Tech 0",
        "Tech 1",
        "Tech 2",
        "Tech 3",
    ]
    assert blocks[1].h3.a["href"] == tech.get_absolute_url()
    assert blocks[1].select_one(".by-section__more a")["href"] == tech.get_absolute_url()
    # The latest list goes on after the lead: the lead is not repeated in it.
    cards = [a.get_text(strip=True) for a in page.select("main .article-list .card__title a")]
    assert cards == [*(f"Tech {n}" for n in range(6)), "Science 1"]
    assert "Hidden" not in page.get_text()
    assert "Drafts only" not in page.get_text()


def test_page_two_is_the_plain_list_so_the_archive_stays_walkable(client):
    section = make_section()
    for n in range(12):
        _story(f"Story {n + 1}", hours_ago=n + 1, section=section)
    first = soup_of(client.get("/"))
    second = client.get("/?page=2")
    page = soup_of(second)
    assert page.select_one("main article.lead") is None
    assert page.select_one("main .by-section") is None
    assert page.h1.get_text(strip=True) == "Latest explainers"
    assert [a.get_text(strip=True) for a in page.select("main .card__title a")] == [
        "Story 11",
        "Story 12",
    ]
    # Page one shows Story 1 as the lead and Story 2-10 in its list: nothing falls between.
    assert first.select_one("main article.lead h2").get_text(strip=True) == "Story 1"
    shown = [a.get_text(strip=True) for a in first.select("main .article-list .card__title a")]
    assert shown == [f"Story {n}" for n in range(2, 11)]
    assert first.select_one("main a[rel=next]")["href"].endswith("?page=2")


def test_an_empty_publication_says_so(client):
    make_article(title="Hidden draft", status=Article.Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing published yet" in response.content.decode()
    assert _menu(response) == []


def test_section_labels_on_cards_link_to_their_section_pages(client):
    science = make_section(name="Science", slug="science")
    tag = make_tag()
    for n in range(3):
        _story(f"Story {n}", hours_ago=n + 1, section=science, tags=[tag])
    for url in ("/?page=1", science.get_absolute_url(), tag.get_absolute_url()):
        kickers = soup_of(client.get(url)).select("main .card .card__kicker a")
        assert kickers, url
        assert {(a.get_text(strip=True), a["href"]) for a in kickers} == {
            ("Science", "/sections/science/")
        }


def test_the_section_menu_is_on_every_public_page(client):
    science = make_section(name="Science", slug="science")
    tech = make_section(name="Technology", slug="technology")
    draft_only = make_section(name="Secret desk", slug="secret-desk")
    make_article(section=draft_only, status=Article.Status.DRAFT)
    tag = make_tag()
    article = make_article(section=science, tags=[tag])
    make_article(section=tech)
    SitePage.objects.create(title="About", slug="about", body="<p>Us.</p>", published=True)
    expected = [("Science", "/sections/science/"), ("Technology", "/sections/technology/")]
    pages = [
        "/",
        "/?page=1",
        article.get_absolute_url(),
        article.author.get_absolute_url(),
        science.get_absolute_url(),
        tag.get_absolute_url(),
        "/search/?q=anything",
        "/pages/about/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _menu(response) == expected, url
    missing = client.get("/articles/no-such-article/")
    assert missing.status_code == 404
    assert _menu(missing) == expected
    # The section being read is marked for assistive technology.
    current = soup_of(client.get(science.get_absolute_url())).select(
        "header nav[aria-label=Sections] a[aria-current=page]"
    )
    assert [a.get_text(strip=True) for a in current] == ["Science"]


def test_a_section_rename_and_a_publish_change_the_cached_front_page(client):
    section = make_section(name="Science", slug="science")
    make_article(title="First story", section=section)
    editor = make_role_user("Editor")
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    assert client.get("/")["X-Page-Cache"] == "hit"

    section.name = "Science & Health"
    section.save()
    renamed = client.get("/")
    assert renamed["X-Page-Cache"] == "miss"
    assert _menu(renamed) == [("Science & Health", "/sections/science/")]
    assert soup_of(renamed).select_one(".by-section__name").get_text(strip=True) == (
        "Science & Health"
    )

    other = make_section(name="Technology", slug="technology")
    draft = make_article(
        title="Brand new story", section=other, status=Article.Status.DRAFT, author=make_author()
    )
    client.get("/")  # a draft's save renews the generation too (invalidation.py)
    before = client.get("/")
    assert before["X-Page-Cache"] == "hit"
    assert "Brand new story" not in before.content.decode()
    services.publish(draft, by=editor)
    published = client.get("/")
    assert published["X-Page-Cache"] == "miss"
    page = soup_of(published)
    assert page.select_one("article.lead h2").get_text(strip=True) == "Brand new story"
    assert ("Technology", "/sections/technology/") in _menu(published)


def test_the_front_page_costs_the_same_however_many_sections_it_shows(
    client, django_assert_num_queries, monkeypatch
):
    """Five queries on a cache miss (tests/reader/test_query_counts.py), for one section or six."""
    from articles.workflow import page_generation
    from smartchunks import page_cache

    page_generation.current_or_renewed()
    monkeypatch.setattr(page_cache, "find", lambda record, key: None)
    monkeypatch.setattr(page_cache, "keep", lambda record, key, page: None)
    make_complete_article(section=make_section())
    client.get("/")
    with django_assert_num_queries(5):
        few = client.get("/")
    for _ in range(5):
        section = make_section()
        for n in range(5):
            _story(f"More {n}", hours_ago=n + 1, section=section)
    client.get("/")
    with django_assert_num_queries(5):
        many = client.get("/")
    assert len(soup_of(few).select(".by-section__block")) == 1
    assert len(soup_of(many).select(".by-section__block")) == 6
    assert len(soup_of(many).select("header nav[aria-label=Sections] a")) == 6


def test_with_the_page_cache_off_the_menu_is_read_for_every_page(client, settings):
    """No generation is kept then, so nothing could tell a worker the list changed."""
    from articles.workflow import page_generation

    page_generation.current_or_renewed()  # a record left from when the cache was on
    settings.PAGE_CACHE_ENABLED = False
    section = make_section(name="Science", slug="science")
    make_article(section=section)
    assert _menu(client.get("/")) == [("Science", "/sections/science/")]
    section.name = "Life sciences"
    section.save()
    assert _menu(client.get("/")) == [("Life sciences", "/sections/science/")]


def test_a_preview_of_staged_changes_leaves_the_readers_menu_alone(editor_client):
    """The preview renders inside a rolled-back transaction: the section menu it read there
    (with the article moved to a new section) must not be what readers get next."""
    from articles.workflow import page_generation, staging

    science = make_section(name="Science", slug="science")
    secret = make_section(name="Secret desk", slug="secret-desk")
    article = make_article(section=science)
    staging.save_changes(article, {"section": secret.pk}, by=make_role_user("Editor"))
    page_generation.current_or_renewed()
    preview = editor_client.get(f"/preview/articles/{article.pk}/")
    assert ("Secret desk", "/sections/secret-desk/") in _menu(preview)
    reader = Client()
    assert _menu(reader.get("/")) == [("Science", "/sections/science/")]


def test_a_lead_without_a_hero_shows_its_share_card(client):
    lead = _story("A story told in words", 0, make_section(name="Science", slug="science"))
    assert prerender.make_card(lead.pk)
    card = soup_of(client.get("/")).select_one("main article.lead .lead__card img")
    assert card is not None, "no image for a lead without a hero"
    assert "/cards/" in card["src"] and (card["width"], card["height"]) == ("1200", "630")
    assert card["alt"] == ""  # the card repeats the headline right above it
    assert client.get(card["src"]).status_code == 200
