"""The audit trail records what the newsroom did, including what the admin's list actions do."""

import pytest

from articles.models import Article, ArticleEvent
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_bulk_delete_from_the_list_is_recorded_in_the_audit_trail(editor_client, editor):
    first, second = make_article(title="First to go"), make_article(title="Second to go")
    response = editor_client.post(
        "/admin/articles/article/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk__in=[first.pk, second.pk]).exists()
    deleted = ArticleEvent.objects.filter(action=ArticleEvent.Action.DELETED, actor=editor)
    assert sorted(deleted.values_list("article_title", flat=True)) == [
        "First to go",
        "Second to go",
    ]
