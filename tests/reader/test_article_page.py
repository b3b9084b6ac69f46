"""The article page: every part a reader expects, in the order the issue lists them."""

from datetime import timedelta

import pytest
from django.template.defaultfilters import date as format_date
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    make_article,
    make_complete_article,
    make_user,
)
from tests.helpers.html import assert_in_order, reading_order, soup_of


def _day(moment):
    return format_date(timezone.localtime(moment), "j F Y")


@pytest.fixture
def article(db):
    return make_complete_article(
        title="Why chips got expensive",
        standfirst="Three factories make most of them.",
        body="<h2>The supply side</h2><p>Fabs cost billions.</p>"
        "<ul><li>Listed point</li></ul><blockquote>A quote</blockquote>",
    )


def test_article_page_shows_every_part_in_reading_order(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    author = article.author
    bullets = [b.text for b in article.tldr_bullets.all()]
    faq = article.faq_entries.get()
    assert_in_order(
        reading_order(response.content),
        "Why chips got expensive",
        "Three factories make most of them.",
        author.name,
        _day(article.published_at),
        "TL;DR",
        *bullets,
        "[img: A chip under a microscope]",
        "Photo: Jane Doe",
        "The supply side",
        "Fabs cost billions.",
        "Listed point",
        "A quote",
        "FAQ",
        faq.question,
        "Answer 1.",
        "Source: Fortune",
        f"[img: Photo of {author.name}]",
        author.name,
        "Technology editor · 12+ years in editorial",
        "Writes explainers about chips.",
        "All articles →",
        "LinkedIn",
        "X",
        "Website",
    )


def test_faq_questions_are_headings_under_the_faq_heading(client, db):
    article = make_article(faq=3)
    page = soup_of(client.get(article.get_absolute_url()))
    faq = page.select_one("section.faq")
    assert faq.find("h2").get_text() == "FAQ"
    headings = faq.find_all(["h2", "h3", "h4"])
    assert [h.name for h in headings] == ["h2", "h3", "h3", "h3"]
    assert [h.get_text() for h in headings[1:]] == ["Question 1?", "Question 2?", "Question 3?"]


def test_tldr_comes_between_the_byline_and_the_hero(client, article):
    page = soup_of(client.get(article.get_absolute_url()))
    parts = page.select(
        "article.article > header, article.article > .tldr, article.article > .hero"
    )
    assert [part.name for part in parts] == ["header", "section", "figure"]
    assert parts[0].select_one(".byline") is not None


def test_byline_links_to_the_author_page(client, article):
    page = soup_of(client.get(article.get_absolute_url()))
    author_links = page.select(f'main a[href="{article.author.get_absolute_url()}"]')
    assert article.author.name in [link.get_text(strip=True) for link in author_links]


def test_hero_image_has_its_alt_text_and_credit(client, article):
    page = soup_of(client.get(article.get_absolute_url()))
    hero = page.find("img", alt="A chip under a microscope")
    assert hero is not None
    assert hero["src"].startswith("/media/")
    assert "Photo: Jane Doe" in page.get_text()


def test_source_is_named_and_links_out_to_the_original(client, article):
    page = soup_of(client.get(article.get_absolute_url()))
    link = page.find("a", string="Fortune")
    assert link["href"] == "https://fortune.com/story"
    assert "Source: Fortune" in " ".join(link.parent.get_text(" ").split())


def test_author_box_links_to_all_their_articles_and_profiles(client, article):
    page = soup_of(client.get(article.get_absolute_url()))
    all_articles = page.find("a", string="All articles →")
    assert all_articles["href"] == article.author.get_absolute_url()
    hrefs = {a["href"] for a in page.select("main a")}
    assert {
        "https://www.linkedin.com/in/someone",
        "https://x.com/someone",
        "https://someone.example.org/",
    } <= hrefs
    photo = page.find("img", alt=f"Photo of {article.author.name}")
    assert photo["src"].startswith("/media/")


@pytest.mark.django_db
def test_updated_date_shows_only_when_edited_after_publishing(client):
    published = timezone.now() - timedelta(days=3)
    never_edited = make_article(published_at=published)
    edited = make_article(published_at=published, public_updated_at=published + timedelta(days=1))
    edited_before = make_article(
        published_at=published, public_updated_at=published - timedelta(days=1)
    )

    assert "Updated" not in reading_order(client.get(never_edited.get_absolute_url()).content)
    assert "Updated" not in reading_order(client.get(edited_before.get_absolute_url()).content)
    text = reading_order(client.get(edited.get_absolute_url()).content)
    assert f"Updated {_day(edited.public_updated_at)}" in text


@pytest.mark.django_db
def test_article_without_optional_parts_still_renders(client):
    article = make_article(standfirst="", tldr=0, faq=0, sources=0, section=None)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    text = reading_order(response.content)
    assert "FAQ" not in text
    assert "Source:" not in text


@pytest.mark.django_db
def test_draft_is_404_for_anonymous_reader(client):
    draft = make_article(status=Article.Status.DRAFT)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert draft.title not in response.content.decode()


@pytest.mark.django_db
def test_unknown_article_slug_is_404_styled_like_the_site(client):
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    page = soup_of(response)
    assert page.find("header") is not None
    assert page.find("a", href="/") is not None
    assert "Page not found" in page.get_text()


@pytest.mark.django_db
def test_unknown_url_is_404_styled_like_the_site(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert soup_of(response).find("header") is not None


def _assert_private(response):
    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_editor_sees_any_draft_privately(editor_client):
    draft = make_article(status=Article.Status.DRAFT, title="Not yet out")
    response = editor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Not yet out" in response.content.decode()
    _assert_private(response)


def test_editor_sees_a_scheduled_article_privately(editor_client):
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1), title="Tomorrow")
    response = editor_client.get(scheduled.get_absolute_url())
    assert response.status_code == 200
    _assert_private(response)


def test_writer_sees_their_own_draft_privately(writer_client, writer_author):
    draft = make_article(status=Article.Status.DRAFT, author=writer_author, title="My draft")
    response = writer_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    _assert_private(response)


def test_writer_with_change_permission_gets_404_for_someone_elses_draft(writer_client, writer):
    assert writer.has_perm("articles.change_article")
    draft = make_article(status=Article.Status.DRAFT)
    assert writer_client.get(draft.get_absolute_url()).status_code == 404


def test_published_page_seen_by_staff_is_private_too(editor_client):
    article = make_article()
    _assert_private(editor_client.get(article.get_absolute_url()))


@pytest.mark.django_db
def test_staff_without_change_permission_gets_404_for_draft(client):
    client.force_login(make_user(staff=True))
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_logged_in_non_staff_user_gets_404_for_draft(client):
    client.force_login(make_user())
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_published_page_for_anonymous_reader_is_not_marked_private(client):
    article = make_article()
    response = client.get(article.get_absolute_url())
    assert "private" not in response.get("Cache-Control", "")
    assert "no-store" not in response.get("Cache-Control", "")
