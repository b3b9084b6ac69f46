"""What readers may see: one rule, checked through the queryset, the page and the property."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article

HOUR = timedelta(hours=1)

# (status, publication time offset from now, expiry offset from now or None, visible?)
CASES = {
    "published_in_the_past": (Article.Status.PUBLISHED, -HOUR, None, True),
    "published_with_future_time_is_scheduled": (Article.Status.PUBLISHED, HOUR, None, False),
    "draft_with_past_time": (Article.Status.DRAFT, -HOUR, None, False),
    "draft_with_future_time": (Article.Status.DRAFT, HOUR, None, False),
    "draft_without_time": (Article.Status.DRAFT, None, None, False),
    "in_review_with_past_time": (Article.Status.IN_REVIEW, -HOUR, None, False),
    "unpublished_with_past_time": (Article.Status.UNPUBLISHED, -HOUR, None, False),
    "published_and_expired": (Article.Status.PUBLISHED, -2 * HOUR, -HOUR, False),
    "published_expiring_later": (Article.Status.PUBLISHED, -HOUR, HOUR, True),
}


def _article(status, published_offset, expires_offset):
    now = timezone.now()
    return make_article(
        status=status,
        published_at=None if published_offset is None else now + published_offset,
        expires_at=None if expires_offset is None else now + expires_offset,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_published_queryset_matches_the_rule(case):
    status, published_offset, expires_offset, visible = CASES[case]
    article = _article(status, published_offset, expires_offset)
    assert Article.objects.published().filter(pk=article.pk).exists() is visible


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_is_published_property_agrees_with_the_queryset(case):
    status, published_offset, expires_offset, visible = CASES[case]
    article = _article(status, published_offset, expires_offset)
    assert article.is_published is visible


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_anonymous_reader_gets_the_article_page_only_when_published(client, case):
    status, published_offset, expires_offset, visible = CASES[case]
    article = _article(status, published_offset, expires_offset)
    response = client.get(article.get_absolute_url())
    assert response.status_code == (200 if visible else 404)
    if visible:
        assert article.title in response.content.decode()


@pytest.mark.django_db
def test_published_queryset_leaves_out_everything_unpublished_at_once():
    visible = [_article(*CASES[name][:3]) for name in CASES if CASES[name][3]]
    for name in CASES:
        if not CASES[name][3]:
            _article(*CASES[name][:3])
    assert set(Article.objects.published()) == set(visible)
