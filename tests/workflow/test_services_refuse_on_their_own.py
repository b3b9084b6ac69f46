"""Every workflow service, called directly (no admin form in front), by every role on an
article in every state: it does what the editor's guide's roles table allows and refuses the rest on
its own, leaving nothing behind.  The expected answers are tests/workflow/table.py's."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import Article, ArticleEvent, ShareLink, StagedEdit
from articles.workflow import revisions, services, sharing, staging
from tests.factories import make_role_user
from tests.workflow.table import EXPECTED, ROLES, STATES, STEPS, build_case

pytestmark = pytest.mark.django_db

REFUSALS = (PermissionDenied, services.WorkflowError)
# What each step leaves behind when it is allowed: the status and the audit action.
DONE = {
    "edit": (None, ArticleEvent.Action.EDITED),
    "submit": (Article.Status.IN_REVIEW, ArticleEvent.Action.SUBMITTED),
    "publish": (Article.Status.PUBLISHED, ArticleEvent.Action.PUBLISHED),
    "schedule": (Article.Status.PUBLISHED, ArticleEvent.Action.SCHEDULED),
    "unpublish": (Article.Status.UNPUBLISHED, ArticleEvent.Action.UNPUBLISHED),
    "return_to_draft": (Article.Status.DRAFT, ArticleEvent.Action.EDITED),
    "restore": (None, ArticleEvent.Action.RESTORED),
    "share": (None, ArticleEvent.Action.SHARED),
    "delete": (None, ArticleEvent.Action.DELETED),
    "submit_changes": (None, ArticleEvent.Action.CHANGES_SUBMITTED),
    "publish_changes": (None, ArticleEvent.Action.CHANGES_PUBLISHED),
    "discard_changes": (None, ArticleEvent.Action.CHANGES_DISCARDED),
}
# Where an edit is staged beside the row (articles/workflow/staging.py).
STAGED_STATES = ("live", "scheduled", "expired")
# Steps that work on changes already staged: an editor stages one first.
ON_STAGED_CHANGES = ("publish_changes", "discard_changes")


def _call(step, article, actor, state):
    """Ask the service for ``step`` as code would: no form, no admin."""
    later = timezone.now() + timedelta(days=2)
    if step == "edit" and state in STAGED_STATES:
        # Code edits a published article as the admin does: beside its row.
        return staging.save_changes(article, {"title": "Edited by a direct call"}, by=actor)
    if step == "edit":
        article.title = "Edited by a direct call"
        return services.save_edit(article, by=actor)
    if step == "submit_changes":
        values = {"title": "Changed for review"}
        return staging.save_changes(article, values, by=actor, submit=True)
    if step in ("publish", "schedule") and state == "expired":
        # An expired article goes live again with its expiry cleared: one edit and the
        # step, as the admin's "Save and publish now" does.
        article.expires_at = None
        at = timezone.now() if step == "publish" else later
        return services.save_edit(article, by=actor, then=step, at=at)
    if step == "restore":
        version = revisions.revisions_of(article).first()
        return revisions.restore_revision(article, version, by=actor)
    return {
        "submit": lambda: services.submit_for_review(article, by=actor),
        "publish": lambda: services.publish(article, by=actor),
        "schedule": lambda: services.schedule(article, by=actor, at=later),
        "unpublish": lambda: services.unpublish(article, by=actor),
        "return_to_draft": lambda: services.return_to_draft(article, by=actor),
        "share": lambda: sharing.create_share_link(article, by=actor, hours=2),
        "delete": lambda: services.delete(article, by=actor),
        "publish_changes": lambda: staging.publish_changes(article, by=actor),
        "discard_changes": lambda: staging.discard_changes(article, by=actor),
    }[step]()


def _snapshot(pk):
    return {
        "row": Article.objects.filter(pk=pk)
        .values("status", "published_at", "expires_at", "version", "title")
        .first(),
        "events": ArticleEvent.objects.filter(article_id=pk).count(),
        "links": ShareLink.objects.filter(article_id=pk).count(),
        "staged": StagedEdit.objects.filter(article_id=pk)
        .values("changes", "submitted_at")
        .first(),
    }


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_service_does_what_the_table_says(role, state, step):
    article, actor = build_case(role, state)
    actor = actor or AnonymousUser()
    if step == "restore":
        services.save_edit(article, by=make_role_user("Editor"))  # a revision to go back to
    if step in ON_STAGED_CHANGES:
        staging.save_changes(article, {"title": "Staged first"}, by=make_role_user("Editor"))
    pk = article.pk
    before = _snapshot(pk)
    if not EXPECTED[role][step][state]:
        with pytest.raises(REFUSALS):
            _call(step, Article.objects.get(pk=pk), actor, state)
        assert _snapshot(pk) == before, "a refused step changed something"
        return
    _call(step, Article.objects.get(pk=pk), actor, state)
    status, action = DONE[step]
    if step == "edit" and state in STAGED_STATES:
        action = ArticleEvent.Action.CHANGES_SAVED
    assert ArticleEvent.objects.filter(action=action, actor=actor).exists()
    if step == "delete":
        assert not Article.objects.filter(pk=pk).exists()
        return
    after = Article.objects.get(pk=pk)
    if status is not None:
        assert after.status == status
    if step == "publish":
        assert after.is_published
    if step == "schedule":
        assert after.editorial_state == "Scheduled"
    if step == "share":
        assert ShareLink.objects.filter(article=after, created_by=actor).exists()
    staged = StagedEdit.objects.filter(article=after).first()
    if step in ("edit", "submit_changes") and state in STAGED_STATES:
        # The row readers get is as it was; the edit waits beside it.
        assert after.title == before["row"]["title"]
        assert staged is not None and staged.changes["title"] != after.title
        assert (staged.submitted_at is not None) == (step == "submit_changes")
    if step == "publish_changes":
        assert after.title == "Staged first" and staged is None
    if step == "discard_changes":
        assert after.title == before["row"]["title"] and staged is None
