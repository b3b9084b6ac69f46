"""Editorial workflow writes: every edit and every change of state goes through these.

The admin, ``load_demo`` and the tests call them alike.  Each asks the rulebook
(articles/workflow/transitions.py) first, then writes the change, bumps ``Article.version``
(so open edit forms become stale), records a revision and the audit event, all in one
transaction: a refusal leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.models import Article, SlugRedirect
from articles.workflow import audit, prerender
from articles.workflow.media_record import record_media
from articles.workflow.page_generation import public_pages_changed
from articles.workflow.search_index import refresh_search_vector
from articles.workflow.transitions import STAGED, STEPS, Reason, content_refusals, refusals


class WorkflowError(Exception):
    """A refused step; ``problems`` are readable sentences saying what to fix."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


class StepRefused(WorkflowError):
    """The edit was saved, but the step asked for with it was refused (save_edit's ``then``)."""


def refuse(reasons: list[Reason]) -> None:
    """Raise for refusal reasons: PermissionDenied when the role is wrong, else WorkflowError."""
    if any(reason.kind == "role" for reason in reasons):
        raise PermissionDenied(" ".join(r.message for r in reasons if r.kind == "role"))
    if reasons:
        raise WorkflowError([reason.message for reason in reasons])


def _locked(article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def take(name: str, article, *, by, at: datetime | None = None) -> Article:
    """Take a state-changing step (submit, publish, schedule, unpublish, return_to_draft)."""
    with transaction.atomic():
        refuse(refusals(by, _locked(article), name, at=at))
        _change_state(name, article, by=by, at=at)
    return article


def _change_state(name: str, article, *, by, at) -> None:
    step = STEPS[name]
    with reversion.create_revision():  # one revision for the new state, apart from the edit's
        fields = {"status": step.target}
        if step.target == Article.Status.PUBLISHED:
            fields["published_at"] = at or timezone.now()
        Article.objects.filter(pk=article.pk).update(
            **fields, version=F("version") + 1, modified_at=timezone.now()
        )
        article.refresh_from_db()
        # A new publication time (in the byline) dropped the stored page frame: store it again.
        prerender.store_if_missing(article.pk)
        # update() sends no signal: the cached public pages are told here.
        public_pages_changed(instants=(article.published_at, article.expires_at))
        when = timezone.localtime(article.published_at or timezone.now())
        audit.add_revision(article, by=by, comment=step.comment.format(at=when))
        audit.record(article, by=by, action=step.event, detail=step.event_detail.format(at=when))


def submit_for_review(article, *, by) -> Article:
    return take("submit", article, by=by)


def publish(article, *, by, at: datetime | None = None) -> Article:
    """Publish now, or at ``at`` (a future ``at`` schedules: live at that moment, no cron)."""
    at = at or timezone.now()
    return take("schedule" if at > timezone.now() else "publish", article, by=by, at=at)


def schedule(article, *, by, at: datetime | None) -> Article:
    return take("schedule", article, by=by, at=at)


def unpublish(article, *, by) -> Article:
    return take("unpublish", article, by=by)


def return_to_draft(article, *, by) -> Article:
    """An editor hands an article back to its writer (from review, or after unpublishing)."""
    return take("return_to_draft", article, by=by)


def save_edit(
    article,
    *,
    by,
    created: bool = False,
    write_children: Callable[[], None] | None = None,
    old_slug: str = "",
    then: str | None = None,
    at: datetime | None = None,
    step: str = "edit",
    comment: str = "",
    detail: str = "",
) -> Article:
    """Save the article as given, with everything an edit brings, once, whoever calls.

    Before: the rulebook's ``step`` rule (an edit, a restore, publishing staged changes) on
    the stored article; a plain edit of a Published article's row is publishing changes too.
    Then the row, and the TL;DR, FAQ, sources and tags through ``write_children``.  After:
    the "Updated" time readers see (an edit of a live article), the old URL's redirect, the
    search vector, the record of the files it shows (media_record), the page parts rendered
    at save (prerender), a revision and the audit event.  A live article whose saved content
    fails the pre-publish checklist is refused and nothing is kept.

    ``then`` names a step asked for with the edit (the admin's "Save and publish now"),
    taken in the same transaction at ``at``.  It is judged on the article as it was before
    the edit (role, state, time) and on the content as saved; the content is then judged by
    that step alone.  If only the step is refused, the edit is kept and StepRefused says why.
    """
    with transaction.atomic():
        with reversion.create_revision(manage_manually=True):
            stored = article if created else _locked(article)
            if not created:
                refuse(refusals(by, stored, step, judge_content=False))
                if step == "edit" and stored.status in STAGED:
                    # Writing a Published article's row puts the edit before readers: that
                    # is publishing changes, whoever may stage them (articles/workflow/staging.py).
                    refuse(refusals(by, stored, "publish_changes", judge_content=False))
            step_reasons = refusals(by, stored, then, at=at, judge_content=False) if then else []
            if created:
                article.created_by = by
            else:
                if stored.is_published and article.is_published:
                    article.public_updated_at = timezone.now()
                article.version = stored.version + 1
            article.save()
            if write_children is not None:
                write_children()
            if not created:
                refuse(refusals(by, article, step, judge_content=then is None))
                note_slug_change(article, old_slug)
            refresh_search_vector(article.pk)
            record_media(article)
            prerender.refresh(article)
            action = audit.ArticleEvent.Action.CREATED if created else STEPS[step].event
            comment = comment or ("Created" if created else "Edited")
            audit.add_revision(article, by=by, comment=comment)
            audit.record(article, by=by, action=action, detail=detail)
        if then and not step_reasons:
            step_reasons = content_refusals(by, article, then, at=at)
            if not step_reasons:
                _change_state(then, article, by=by, at=at)
    if step_reasons:
        raise StepRefused([reason.message for reason in step_reasons])
    return article


def note_slug_change(article, old_slug: str) -> None:
    """Keep a published article's old URL answering with a redirect to the new one."""
    if not old_slug or old_slug == article.slug:
        return
    # Only this article's own former address is dropped (it is its address again).  Another
    # article's redirect stays: the article page answers a slug before any redirect, so a
    # draft taking over an old slug must not break a live article's old links meanwhile.
    SlugRedirect.objects.filter(old_slug=article.slug, article=article).delete()
    if article.published_at is not None and article.status in (
        Article.Status.PUBLISHED,
        Article.Status.UNPUBLISHED,
    ):
        SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": article})


def delete(article, *, by) -> None:
    """Delete an article, keeping its line in the audit trail."""
    refuse(refusals(by, article, "delete"))
    audit.record(article, by=by, action=STEPS["delete"].event)
    article.delete()
