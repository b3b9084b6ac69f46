"""What readers see of a correction: a dated note under the byline, the /corrections/ page,
NewsArticle.correction in the structured data, and the feeds' corrected items.  Only
corrections of published articles are ever shown."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Correction, RenderedArticle
from articles.reader.corrections import CORRECTIONS_PER_PAGE
from articles.workflow import page_generation
from smartchunks import page_cache
from tests.factories import make_article, make_complete_article
from tests.helpers.html import jsonld_of_type, parse_xml, soup_of

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
TEXT = "An earlier version of this article said the port opened in 1890. It opened in 1899."


def _correct(article, text=TEXT, **fields):
    """A correction written straight into the table, as any path might (a shell, a load)."""
    return Correction.objects.create(article=article, text=text, **fields)


@pytest.fixture
def every_request_a_cache_miss(settings, monkeypatch):
    """As tests/reader/test_query_counts.py counts: a page-cache miss, with the header's and
    footer's lists kept per generation as in production."""
    settings.PAGE_CACHE_ENABLED = True
    page_generation.current_or_renewed()
    monkeypatch.setattr(page_cache, "find", lambda record, key: None)
    monkeypatch.setattr(page_cache, "keep", lambda record, key, page: None)


@pytest.fixture
def corrected():
    article = make_complete_article(title="The harbour explained")
    _correct(article, published_at=timezone.now() - timedelta(minutes=5))
    return article


def test_the_article_shows_a_dated_correction_under_the_byline(client, corrected):
    soup = soup_of(client.get(corrected.get_absolute_url()))
    note = soup.select_one("article header section.corrections")
    assert note is not None, "the note sits in the article's header, under the byline"
    assert note["aria-labelledby"] == "corrections-heading"
    assert note.h2.get_text() == "Correction"
    (item,) = note.select("li")
    when = timezone.localtime(corrected.corrections.get().published_at)
    assert item.get_text(" ", strip=True) == f"{when:%-d %B %Y} : {TEXT}"
    assert datetime.fromisoformat(item.time["datetime"]) == when
    assert note.select_one("a")["href"] == "/corrections/"
    # It reads right after the byline, before the hero and the TL;DR.
    header = soup.select_one("article header")
    assert header.select_one(".byline").find_next_sibling() is note


def test_an_article_without_corrections_has_no_note(client):
    article = make_article()
    assert b'class="corrections"' not in client.get(article.get_absolute_url()).content


def test_a_correction_written_by_any_path_reaches_the_stored_page(client):
    article = make_article()
    client.get(article.get_absolute_url())
    assert RenderedArticle.objects.filter(article=article).exists()
    correction = _correct(article)  # a raw ORM create: no workflow, no save_edit
    # The trigger (migration 0015) dropped the stored frame; the page renders it live.
    assert not RenderedArticle.objects.filter(article=article).exists()
    assert TEXT in client.get(article.get_absolute_url()).content.decode()
    correction.text = "An earlier version gave the wrong year. The port opened in 1899."
    correction.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert TEXT not in page and correction.text in page
    correction.delete()
    assert "corrections-heading" not in client.get(article.get_absolute_url()).content.decode()


def test_the_stored_frame_carries_the_correction(client, corrected):
    from articles.workflow import prerender

    prerender.store_parts(corrected.pk)
    assert TEXT in RenderedArticle.objects.get(article=corrected).body


def test_news_article_lists_the_correction_comments(client, corrected):
    news = jsonld_of_type(client.get(corrected.get_absolute_url()), "NewsArticle")
    (comment,) = news["correction"]
    correction = corrected.corrections.get()
    assert comment == {
        "@type": "CorrectionComment",
        "text": TEXT,
        "datePublished": correction.published_at.isoformat(),
    }


def test_news_article_of_an_uncorrected_article_has_no_correction(client):
    article = make_article()
    assert "correction" not in jsonld_of_type(client.get(article.get_absolute_url()), "NewsArticle")


def test_the_corrections_page_lists_them_newest_first_with_their_articles(client):
    older, newer = make_article(title="Older piece"), make_article(title="Newer piece")
    now = timezone.now()
    _correct(
        older,
        "An earlier version misnamed the bridge. It is the Tower Bridge.",
        published_at=now - timedelta(days=2),
    )
    _correct(newer, TEXT, published_at=now - timedelta(hours=1))
    soup = soup_of(client.get("/corrections/"))
    assert soup.h1.get_text() == "Corrections"
    items = soup.select(".corrections-list__item")
    assert [i.select_one("a").get_text() for i in items] == ["Newer piece", "Older piece"]
    assert [i.select_one("a")["href"] for i in items] == [
        newer.get_absolute_url(),
        older.get_absolute_url(),
    ]
    assert items[0].select_one(".corrections-list__text").get_text() == TEXT


def test_corrections_of_unpublished_articles_are_not_listed(client, editor):
    from articles.workflow import services

    live = make_article(title="Live piece")
    draft = make_article(title="Secret draft", status=Article.Status.DRAFT)
    taken_down = make_article(title="Taken down")
    scheduled = make_article(title="Coming soon")
    expired = make_article(title="Expired", expires_at=timezone.now() - timedelta(minutes=1))
    for article in (live, draft, taken_down, scheduled, expired):
        _correct(article, f"An earlier version of {article.title} was wrong. Now it is right.")
    services.unpublish(taken_down, by=editor)
    scheduled.published_at = timezone.now() + timedelta(days=1)
    scheduled.save()
    page = client.get("/corrections/").content.decode()
    assert "Live piece" in page
    for hidden in ("Secret draft", "Taken down", "Coming soon", "Expired"):
        assert hidden not in page


def test_the_corrections_page_is_paginated_with_a_bounded_query_count(
    client, django_assert_num_queries, every_request_a_cache_miss
):
    now = timezone.now()
    for n in range(CORRECTIONS_PER_PAGE + 3):
        _correct(
            make_article(tldr=0, faq=0, sources=0),
            f"Correction number {n} of many here.",
            published_at=now - timedelta(minutes=n),
        )
    client.get("/corrections/")  # the header's section menu and footer links, kept a generation
    # A count (capped) and one page of corrections with their articles joined in, however
    # many corrections and articles there are.
    with django_assert_num_queries(2):
        first = client.get("/corrections/")
    assert len(soup_of(first).select(".corrections-list__item")) == CORRECTIONS_PER_PAGE
    with django_assert_num_queries(2):
        second = client.get("/corrections/?page=2")
    assert len(soup_of(second).select(".corrections-list__item")) == 3
    assert client.get("/corrections/?page=9").status_code == 404


def test_an_empty_corrections_page_says_so(client):
    make_article()
    assert "No corrections so far." in client.get("/corrections/").content.decode()


def test_the_corrections_page_is_in_the_sitemap_once_there_is_one(client, corrected):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-corrections.xml" in index
    page = client.get("/sitemap-corrections.xml").content.decode()
    assert "http://testserver/corrections/" in page


def test_the_rss_item_of_a_corrected_article_says_so_and_keeps_its_date(client, corrected):
    channel = parse_xml(client.get("/feeds/rss/")).find("channel")
    (item,) = channel.findall("item")
    assert "Correction" in {c.text for c in item.findall("category")}
    assert item.findtext("description").startswith("<p><strong>Correction, ")
    assert TEXT in item.findtext("description")
    # The publication date stays: a new pubDate would read as a new story.
    from email.utils import parsedate_to_datetime

    assert parsedate_to_datetime(item.findtext("pubDate")) == corrected.published_at.replace(
        microsecond=0
    )


def test_the_atom_entry_of_a_corrected_article_is_updated_at_the_correction(client):
    article = make_article()
    correction = _correct(article)
    (entry,) = parse_xml(client.get("/feeds/atom/")).findall(f"{ATOM}entry")
    updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == correction.published_at
    assert updated > datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    assert TEXT in entry.findtext(f"{ATOM}summary")


def test_an_uncorrected_item_has_no_correction_category(client):
    make_article()
    (item,) = parse_xml(client.get("/feeds/rss/")).find("channel").findall("item")
    assert "Correction" not in {c.text for c in item.findall("category")}
    assert "Correction" not in item.findtext("description")


def test_the_markdown_version_carries_the_correction_under_its_facts(client, corrected):
    markdown = client.get(f"/articles/{corrected.slug}.md").content.decode()
    when = timezone.localtime(corrected.corrections.get().published_at)
    assert f"## Corrections\n\n- {when.isoformat(timespec='minutes')}: {TEXT}" in markdown
    assert markdown.index("## Corrections") < markdown.index("## TL;DR")


def test_every_page_links_the_corrections_from_its_footer(client):
    for path in ("/", "/corrections/", "/search/?q=x"):
        footer = soup_of(client.get(path)).select_one(".site-footer")
        assert [a["href"] for a in footer.select("a") if a.get_text() == "Corrections"] == [
            "/corrections/"
        ], path
