"""Corrections go out with the fix (articles/workflow/corrections.py): staged with the edit of
a live article, dated and recorded when "Publish changes" writes them, kept in revisions and
the history, and never taken back by restoring an older revision."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from articles.models import ArticleEvent, Correction
from articles.workflow import history, revisions, staging
from articles.workflow.comparison import compare_versions, snapshot
from tests.factories import make_article, make_role_user

pytestmark = pytest.mark.django_db

WRONG_DATE = "An earlier version of this article said the vote was on 3 March. It was on 3 April."
WRONG_NAME = "An earlier version of this article misspelt the minister's name. She is Ana Ruiz."


@pytest.fixture
def editor_user():
    return make_role_user("Editor", username="edna")


@pytest.fixture
def live():
    return make_article(title="The vote explained", body="<p>The vote was on 3 March.</p>")


def _page(article) -> str:
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _stage_fix(article, by, *texts):
    return staging.save_changes(
        article,
        {"body": "<p>The vote was on 3 April.</p>", "corrections": [{"text": t} for t in texts]},
        by=by,
    )


def test_a_staged_correction_reaches_readers_only_with_the_fix(live, editor_user):
    _stage_fix(live, editor_user, WRONG_DATE)
    page = _page(live)
    assert WRONG_DATE not in page and "3 April" not in page
    assert not Correction.objects.exists()

    before = timezone.now()
    staging.publish_changes(live, by=editor_user)
    page = _page(live)
    assert WRONG_DATE in page and "The vote was on 3 April." in page
    (correction,) = live.corrections.all()
    assert before <= correction.published_at <= timezone.now()


def test_publishing_a_correction_leaves_an_audit_line_with_its_text(live, editor_user):
    _stage_fix(live, editor_user, WRONG_DATE)
    staging.publish_changes(live, by=editor_user)
    corrected = ArticleEvent.objects.filter(
        article=live, action=ArticleEvent.Action.CORRECTION_PUBLISHED
    )
    assert [(e.actor, e.detail) for e in corrected] == [(editor_user, WRONG_DATE)]
    assert corrected.get().get_action_display() == "Published a correction"
    # In the history, beside the "Published changes" entry whose revision holds it.
    lines = [(entry.what, entry.detail) for entry in history.timeline(live)][:2]
    assert ("Published a correction", WRONG_DATE) in lines
    assert any(what == "Published changes" for what, _ in lines)


def test_a_correction_already_live_keeps_its_date_and_is_not_announced_again(live, editor_user):
    _stage_fix(live, editor_user, WRONG_DATE)
    staging.publish_changes(live, by=editor_user)
    first = live.corrections.get()
    staging.save_changes(
        live, {"corrections": [{"text": WRONG_DATE}, {"text": WRONG_NAME}]}, by=editor_user
    )
    staging.publish_changes(live, by=editor_user)
    kept, added = live.corrections.all()
    assert (kept.text, kept.published_at) == (WRONG_DATE, first.published_at)
    assert added.text == WRONG_NAME and added.published_at > first.published_at
    announced = ArticleEvent.objects.filter(action=ArticleEvent.Action.CORRECTION_PUBLISHED)
    assert [event.detail for event in announced.order_by("at", "pk")] == [WRONG_DATE, WRONG_NAME]


def test_an_unchanged_form_stages_nothing_for_the_corrections(live, editor_user):
    _stage_fix(live, editor_user, WRONG_DATE)
    staging.publish_changes(live, by=editor_user)
    # The form posts the live corrections back as they are: no change.
    assert (
        staging.save_changes(live, {"corrections": [{"text": WRONG_DATE}]}, by=editor_user) is None
    )


def test_a_writer_proposes_a_correction_and_only_an_editor_publishes_it(
    writer, writer_author, editor_user
):
    own = make_article(author=writer_author)
    _stage_fix(own, writer, WRONG_DATE)
    with pytest.raises(PermissionDenied):
        staging.publish_changes(own, by=writer)
    assert WRONG_DATE not in _page(own)
    staging.publish_changes(own, by=editor_user)
    assert WRONG_DATE in _page(own)


def test_revisions_hold_the_correction_and_the_comparison_shows_it(live, editor_user):
    staging.save_changes(live, {"title": "The vote, explained"}, by=editor_user)
    staging.publish_changes(live, by=editor_user)
    _stage_fix(live, editor_user, WRONG_DATE)
    staging.publish_changes(live, by=editor_user)
    newer, older = list(revisions.revisions_of(live)[:2])
    assert snapshot(newer)["Corrections"] == [WRONG_DATE]
    assert snapshot(older)["Corrections"] == []
    labels = [diff.label for diff in compare_versions(older, newer)]
    assert "Corrections" in labels and "Body" in labels
    # A restore would not take the correction back, so it is not listed as restored.
    restored = [diff.label for diff in compare_versions(newer, older, restored_only=True)]
    assert "Corrections" not in restored and "Body" in restored


def test_restoring_an_older_revision_keeps_the_published_correction(live, editor_user):
    staging.save_changes(live, {"title": "The vote, explained"}, by=editor_user)
    staging.publish_changes(live, by=editor_user)
    before_correction = revisions.revisions_of(live).first()
    _stage_fix(live, editor_user, WRONG_DATE)
    staging.publish_changes(live, by=editor_user)

    revisions.restore_revision(live, before_correction, by=editor_user)
    staged = staging.staged_edit_of(live)
    assert "corrections" not in staged.changes and "body" in staged.changes
    staging.publish_changes(live, by=editor_user)
    assert [c.text for c in live.corrections.all()] == [WRONG_DATE]
    assert WRONG_DATE in _page(live)


def test_a_rehearsal_shows_the_staged_correction_and_keeps_nothing(live, editor_user):
    _stage_fix(live, editor_user, WRONG_DATE)
    with staging.rehearsed(live.pk):
        assert list(live.corrections.values_list("text", flat=True)) == [WRONG_DATE]
    assert not Correction.objects.exists()
    assert not ArticleEvent.objects.filter(action=ArticleEvent.Action.CORRECTION_PUBLISHED)
