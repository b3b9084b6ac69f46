"""Related articles and previous/next, now each one bounded query: the same choices as the
unbounded ranking they replaced, at the edges where the two could differ."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_article, make_section, make_tag
from tests.helpers.html import soup_of

pytestmark = pytest.mark.django_db


def related_titles(client, article):
    soup = soup_of(client.get(article.get_absolute_url()))
    return [a.get_text() for a in soup.select(".related__list a")]


def test_tag_sharers_outrank_newer_section_articles_and_appear_once(client):
    section, tag = make_section(), make_tag()
    now = timezone.now()
    article = make_article(section=section, tags=[tag], published_at=now - timedelta(days=9))
    in_both = make_article(
        title="In section with tag", section=section, tags=[tag], published_at=now - timedelta(8)
    )
    for day in range(1, 5):  # four newer section-only articles
        make_article(title=f"Section {day}", section=section, published_at=now - timedelta(day))
    assert related_titles(client, article) == [in_both.title, "Section 1", "Section 2"]


def test_section_articles_fill_in_after_every_tag_sharer(client):
    section, tag = make_section(), make_tag()
    now = timezone.now()
    article = make_article(section=section, tags=[tag])
    make_article(title="Sharer", tags=[tag], published_at=now - timedelta(days=30))
    make_article(title="Expired sharer", tags=[tag], expires_at=now - timedelta(minutes=1))
    make_article(title="Section new", section=section, published_at=now - timedelta(days=1))
    make_article(title="Section old", section=section, published_at=now - timedelta(days=2))
    make_article(title="Section oldest", section=section, published_at=now - timedelta(days=3))
    assert related_titles(client, article) == ["Sharer", "Section new", "Section old"]


def test_article_with_neither_tags_nor_section_has_no_related(client):
    make_article(title="Something else")
    assert related_titles(client, make_article()) == []


def test_previous_and_next_break_a_tie_in_time_by_id(client):
    section = make_section()
    at = timezone.now() - timedelta(hours=2)
    first, middle, last = (
        make_article(title=title, section=section, published_at=at)
        for title in ("First", "Middle", "Last")
    )
    nav = soup_of(client.get(middle.get_absolute_url())).select_one("nav.prev-next")
    assert nav.select_one("a[rel=prev]")["href"] == first.get_absolute_url()
    assert nav.select_one("a[rel=next]")["href"] == last.get_absolute_url()
