"""The article list's "By publication" filter (Scheduled, Live now, Expiring within 7 days,
Expired), and the queryset methods behind it, which agree with the state the list shows."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author
from tests.helpers.html import soup_of

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
NOW = timezone.now().replace(microsecond=0)

# title: (status, publication time, expiry) around NOW, with the edges of each state.
ARTICLES = {
    "Draft": (Article.Status.DRAFT, None, None),
    "Draft with a future time": (Article.Status.DRAFT, NOW + DAY, None),
    "In review": (Article.Status.IN_REVIEW, None, None),
    "Unpublished": (Article.Status.UNPUBLISHED, NOW - DAY, None),
    "Goes live in a second": (Article.Status.PUBLISHED, NOW + SECOND, None),
    "Goes live next month": (Article.Status.PUBLISHED, NOW + 30 * DAY, None),
    "Went live just now": (Article.Status.PUBLISHED, NOW, None),
    "Live for good": (Article.Status.PUBLISHED, NOW - DAY, None),
    "Leaves in a week": (Article.Status.PUBLISHED, NOW - DAY, NOW + 7 * DAY),
    "Leaves after the week": (Article.Status.PUBLISHED, NOW - DAY, NOW + 7 * DAY + SECOND),
    "Left just now": (Article.Status.PUBLISHED, NOW - DAY, NOW),
    "Left last week": (Article.Status.PUBLISHED, NOW - 30 * DAY, NOW - 7 * DAY),
}
EXPECTED = {
    "scheduled": {"Goes live in a second", "Goes live next month"},
    "live": {"Went live just now", "Live for good", "Leaves in a week", "Leaves after the week"},
    "expiring": {"Leaves in a week"},
    "expired": {"Left just now", "Left last week"},
}


@pytest.fixture
def articles(writer_author):
    colleague = make_author(name="Colleague")
    made = {}
    for title, (status, published_at, expires_at) in ARTICLES.items():
        made[title] = make_article(
            author=colleague,
            title=title,
            status=status,
            published_at=published_at,
            expires_at=expires_at,
        )
    return made


def listed(client, query="") -> set[str]:
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/admin/articles/article/{query}")
    assert response.status_code == 200
    return {a.get_text() for a in soup_of(response).select("#result_list tbody th a")}


@pytest.mark.django_db
@pytest.mark.parametrize("choice", EXPECTED)
def test_each_choice_lists_exactly_its_articles(editor_client, articles, choice):
    assert listed(editor_client, f"?publication={choice}") == EXPECTED[choice]


@pytest.mark.django_db
def test_the_filter_is_offered_beside_the_status_filter(editor_client, articles):
    response = editor_client.get("/admin/articles/article/")
    filters = soup_of(response).select_one("#changelist-filter").get_text(" ", strip=True)
    assert "By status" in filters
    for label in ("By publication", "Scheduled", "Live now", "Expiring within 7 days", "Expired"):
        assert label in filters


@pytest.mark.django_db
def test_writer_filtering_still_sees_only_their_own(writer_client, writer_author, articles):
    make_article(author=writer_author, title="Writer's scheduled", published_at=NOW + DAY)
    assert listed(writer_client, "?publication=scheduled") == {"Writer's scheduled"}
    assert listed(writer_client, "?publication=expired") == set()


@pytest.mark.django_db
def test_an_unknown_choice_lists_everything_as_no_filter_does(editor_client, articles):
    assert listed(editor_client, "?publication=someday") == listed(editor_client)


@pytest.mark.django_db
@pytest.mark.parametrize("title", ARTICLES)
def test_scheduled_and_expired_agree_with_the_state_the_list_shows(articles, title):
    article = articles[title]
    with time_machine.travel(NOW, tick=False):
        state = article.editorial_state
        scheduled = Article.objects.scheduled().filter(pk=article.pk).exists()
        expired = Article.objects.expired().filter(pk=article.pk).exists()
    assert scheduled is (state == "Scheduled")
    assert expired is (state == "Expired")
