"""Reading time, Updated line, breadcrumbs, related articles and previous/next in section."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_article, make_section, make_tag
from tests.helpers.html import soup_of

pytestmark = pytest.mark.django_db


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return soup_of(response)


def test_reading_time_counts_the_words_on_the_page(client):
    short = make_article(body="<p>" + "word " * 10 + "</p>")
    long = make_article(body="<p>" + "word " * 1000 + "</p>", tldr=0, faq=0)
    assert page(client, short).select_one(".reading-time").get_text() == "1 min read"
    # 1000 body words + the short title and standfirst, at 220 words a minute.
    assert page(client, long).select_one(".reading-time").get_text() == "5 min read"


def test_updated_line_appears_only_after_a_later_edit(client):
    fresh = make_article()
    assert page(client, fresh).select_one(".byline .updated") is None
    edited = make_article(public_updated_at=timezone.now())
    updated = page(client, edited).select_one(".byline .updated")
    assert updated.get_text(" ", strip=True).startswith("Updated")


def test_breadcrumbs_lead_home_then_section(client):
    section = make_section(name="Markets")
    article = make_article(section=section, title="Bond yields")
    crumbs = page(client, article).select("nav.breadcrumbs li a")
    assert [(a.get_text(), a["href"]) for a in crumbs] == [
        ("Home", "/"),
        ("Markets", section.get_absolute_url()),
        ("Bond yields", article.get_absolute_url()),
    ]
    assert crumbs[-1]["aria-current"] == "page"


def test_related_prefers_shared_tags_and_never_shows_drafts(client):
    section = make_section()
    chips, energy = make_tag(), make_tag()
    article = make_article(section=section, tags=[chips, energy])
    two_tags = make_article(title="Shares two tags", tags=[chips, energy])
    one_tag = make_article(title="Shares one tag", tags=[chips])
    # Published before the article, and not just before it (that one is "Previous").
    same_section = make_article(
        title="Same section only",
        section=section,
        published_at=timezone.now() - timedelta(days=2),
    )
    make_article(section=section, published_at=timezone.now() - timedelta(days=1))
    make_article(title="Draft with both tags", tags=[chips, energy], status="draft")
    make_article(title="Unrelated")
    titles = [a.get_text() for a in page(client, article).select(".related__list a")]
    assert titles == [two_tags.title, one_tag.title, same_section.title]


def test_previous_and_next_stay_in_section_and_skip_unpublished(client):
    section = make_section(name="Tech")
    now = timezone.now()
    older = make_article(section=section, title="Older", published_at=now - timedelta(days=3))
    make_article(section=section, title="Hidden draft", status="draft")
    current = make_article(section=section, title="Current", published_at=now - timedelta(days=2))
    make_article(title="Other section", published_at=now - timedelta(days=1, hours=12))
    newer = make_article(section=section, title="Newer", published_at=now - timedelta(days=1))
    make_article(section=section, title="Scheduled", published_at=now + timedelta(days=1))

    nav = page(client, current).select_one("nav.prev-next")
    assert nav.select_one("a[rel=prev]")["href"] == older.get_absolute_url()
    assert nav.select_one("a[rel=next]")["href"] == newer.get_absolute_url()
    assert "Newer" in nav.select_one("a[rel=next]").get_text()
    newest = page(client, newer).select_one("nav.prev-next")
    assert newest.select_one("a[rel=next]") is None


def test_article_without_section_has_no_prev_next(client):
    article = make_article()
    assert page(client, article).select_one("nav.prev-next") is None


def test_related_never_shows_scheduled_or_expired_articles(client):
    """The related query's own SQL (articles/reader/article_page.py, SHARING_TAGS) takes what
    is public from Article.objects.published(): not yet live and expired stay out."""
    chips, energy = make_tag(), make_tag()
    article = make_article(tags=[chips, energy])
    now = timezone.now()
    make_article(title="Scheduled", tags=[chips, energy], published_at=now + timedelta(hours=1))
    make_article(title="Expired", tags=[chips, energy], expires_at=now - timedelta(minutes=1))
    one_tag = make_article(title="Live, one tag", tags=[chips])
    titles = [a.get_text() for a in page(client, article).select(".related__list a")]
    assert titles == [one_tag.title]
