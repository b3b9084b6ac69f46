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
    # "Next" in the section sits between them, so that the sharer is not next (next is never
    # listed as related too).
    make_article(title="Next", section=section, published_at=now - timedelta(days=8, hours=12))
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
    # "Section new" is the previous article, linked as such, so not related as well.
    assert related_titles(client, article) == ["Sharer", "Section old", "Section oldest"]


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


def test_previous_and_next_are_never_listed_as_related_and_others_fill_in(client):
    section, tag = make_section(), make_tag()
    now = timezone.now()
    older = make_article(
        title="Older", section=section, tags=[tag], published_at=now - timedelta(days=3)
    )
    article = make_article(section=section, tags=[tag], published_at=now - timedelta(days=2))
    newer = make_article(
        title="Newer", section=section, tags=[tag], published_at=now - timedelta(days=1)
    )
    for day in range(4, 8):  # older tag sharers in other sections, newest first
        make_article(title=f"Sharer {day}", tags=[tag], published_at=now - timedelta(days=day))
    soup = soup_of(client.get(article.get_absolute_url()))
    nav = soup.select_one("nav.prev-next")
    assert nav.select_one("a[rel=prev]")["href"] == older.get_absolute_url()
    assert nav.select_one("a[rel=next]")["href"] == newer.get_absolute_url()
    related = [a.get_text() for a in soup.select(".related__list a")]
    assert related == ["Sharer 4", "Sharer 5", "Sharer 6"]


def test_related_fills_from_the_section_when_previous_and_next_are_its_newest(client):
    section = make_section()
    now = timezone.now()
    titles = ["Newest", "Next", "Here", "Previous", "Old 1", "Old 2", "Old 3", "Old 4"]
    made = {
        title: make_article(title=title, section=section, published_at=now - timedelta(days=i))
        for i, title in enumerate(titles, start=1)
    }
    assert related_titles(client, made["Here"]) == ["Newest", "Old 1", "Old 2"]
