"""Editorial workflow writes: every change of state goes through these functions.

The admin and the tests call them alike.  Each one checks permission, checks the
pre-publish checklist where it applies, bumps ``Article.version`` (so open edit forms become
stale), records a revision and writes the audit trail, all in one transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import reversion
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import (
    Article,
    ArticleEvent,
    FaqEntry,
    Section,
    ShareLink,
    SlugRedirect,
    Source,
    Tag,
    TldrBullet,
)
from articles.workflow import checklist, permissions, revisions
from articles.workflow.search_index import refresh_search_vector
from authors.models import Author

SHARE_LINK_SALT = "articles.share-link"
SHARE_LINK_DEFAULT_HOURS = 48
SHARE_LINK_MAX_HOURS = 14 * 24

# What a restore brings back; the workflow fields and the URL stay as they are now, so
# restoring old text never publishes, unpublishes or moves an article.
RESTORED_FIELDS = [
    "title",
    "standfirst",
    "body",
    "author_id",
    "section_id",
    "hero_image",
    "hero_width",
    "hero_height",
    "hero_alt",
    "hero_credit",
    "meta_description",
]
CHILD_MODELS = [TldrBullet, FaqEntry, Source]


class WorkflowError(Exception):
    """A refused transition; ``problems`` are readable sentences saying what to fix."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


def record(article, *, by, action, detail: str = "") -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=article,
        article_title=article.title[:200],
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        detail=detail[:300],
    )


def add_revision(article, *, by, comment: str) -> None:
    """Add the article (with its inlines) to the revision being recorded."""
    reversion.set_user(by)
    reversion.set_comment(comment)
    reversion.add_to_revision(article)


def _change_state(article, *, by, comment: str, **fields) -> Article:
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        Article.objects.filter(pk=article.pk).update(
            **fields, version=F("version") + 1, modified_at=timezone.now()
        )
        article.refresh_from_db()
        add_revision(article, by=by, comment=comment)
    return article


def _locked(article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def submit_for_review(article, *, by) -> Article:
    if not permissions.can_edit(by, article):
        raise PermissionDenied("You cannot edit this article.")
    if article.status != Article.Status.DRAFT:
        raise WorkflowError(f"Only drafts can be submitted; this one is {article.editorial_state}.")
    with transaction.atomic():
        _change_state(
            article, by=by, comment="Submitted for review", status=Article.Status.IN_REVIEW
        )
        record(article, by=by, action=ArticleEvent.Action.SUBMITTED)
    return article


def publish(article, *, by, at: datetime | None = None) -> Article:
    """Publish now, or at ``at`` (a future ``at`` schedules: live at that moment, no cron)."""
    if not permissions.can_publish(by):
        raise PermissionDenied("Only editors can publish or schedule articles.")
    now = timezone.now()
    at = at or now
    with transaction.atomic():
        current = _locked(article)
        draft = checklist.draft_from_article(current)
        draft.published_at = at
        problems = checklist.problems(draft)
        if problems:
            raise WorkflowError(problems)
        scheduled = at > now
        _change_state(
            article,
            by=by,
            comment=f"Scheduled for {timezone.localtime(at):%Y-%m-%d %H:%M}"
            if scheduled
            else "Published",
            status=Article.Status.PUBLISHED,
            published_at=at,
        )
        if scheduled:
            record(
                article,
                by=by,
                action=ArticleEvent.Action.SCHEDULED,
                detail=f"Goes live {timezone.localtime(at):%Y-%m-%d %H:%M %Z}",
            )
        else:
            record(article, by=by, action=ArticleEvent.Action.PUBLISHED)
    return article


def schedule(article, *, by, at: datetime) -> Article:
    if at is None or at <= timezone.now():
        raise WorkflowError("Choose a publication time in the future to schedule.")
    return publish(article, by=by, at=at)


def unpublish(article, *, by) -> Article:
    if not permissions.can_publish(by):
        raise PermissionDenied("Only editors can unpublish articles.")
    if article.status != Article.Status.PUBLISHED:
        raise WorkflowError(
            f"Only published or scheduled articles can be unpublished; this one is {article.editorial_state}."
        )
    with transaction.atomic():
        _change_state(article, by=by, comment="Unpublished", status=Article.Status.UNPUBLISHED)
        record(article, by=by, action=ArticleEvent.Action.UNPUBLISHED)
    return article


def return_to_draft(article, *, by) -> Article:
    """An editor hands an article back to its writer (from review, or after unpublishing)."""
    if not permissions.can_publish(by):
        raise PermissionDenied("Only editors can move an article back to draft.")
    with transaction.atomic():
        _change_state(article, by=by, comment="Moved back to draft", status=Article.Status.DRAFT)
        record(article, by=by, action=ArticleEvent.Action.EDITED, detail="Moved back to draft")
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


# Revisions ---------------------------------------------------------------------------


def revisions_of(article):
    """The article's versions, newest first, each with its revision (who, when, comment)."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def _points_at_deleted_row(name: str, value) -> bool:
    """An old revision may name an author or section deleted since; keep the current one."""
    related = {"author_id": Author, "section_id": Section}.get(name)
    return (
        related is not None and value is not None and not related.objects.filter(pk=value).exists()
    )


def restore_revision(article, version: Version, *, by) -> Article:
    """Bring back the text, image and inlines of an earlier revision.

    The state, publication time and slug stay as they are.  A live article is only restored
    to a revision that passes the checklist.
    """
    if not permissions.can_publish(by):
        raise PermissionDenied("Only editors can restore revisions.")
    if version.object_id != str(article.pk) or version.content_type.model_class() is not Article:
        raise WorkflowError("That revision belongs to another article.")
    data = version.field_dict
    with transaction.atomic(), reversion.create_revision(manage_manually=True):
        current = _locked(article)
        was_public = current.is_published
        for name in RESTORED_FIELDS:
            if name in data and not _points_at_deleted_row(name, data[name]):
                setattr(current, name, data[name])
        current.version += 1
        if was_public:
            current.public_updated_at = timezone.now()
        current.save()
        if "tags" in data:
            current.tags.set(Tag.objects.filter(pk__in=[int(pk) for pk in data["tags"]]))
        for model in CHILD_MODELS:
            model.objects.filter(article=current).delete()
            for child in revisions.children(version.revision, model, current.pk):
                child.pk = None
                child.save()
        if current.status == Article.Status.PUBLISHED:
            problems = checklist.problems(checklist.draft_from_article(current))
            if problems:
                raise WorkflowError(
                    ["This article is published; the revision cannot go live because:", *problems]
                )
        refresh_search_vector(current.pk)
        when = timezone.localtime(version.revision.date_created)
        who = version.revision.user or "unknown"
        add_revision(
            current, by=by, comment=f"Restored the revision of {when:%Y-%m-%d %H:%M} by {who}"
        )
        record(
            current,
            by=by,
            action=ArticleEvent.Action.RESTORED,
            detail=f"Revision of {when:%Y-%m-%d %H:%M} by {who}",
        )
    article.refresh_from_db()
    return article


# Share links -------------------------------------------------------------------------


def create_share_link(
    article, *, by, hours: int = SHARE_LINK_DEFAULT_HOURS
) -> tuple[ShareLink, str]:
    """A new link and its URL path; the token is shown once and never stored."""
    if not permissions.can_publish(by):
        raise PermissionDenied("Only editors can create share links.")
    if not 1 <= hours <= SHARE_LINK_MAX_HOURS:
        raise WorkflowError(f"A share link lasts from 1 to {SHARE_LINK_MAX_HOURS} hours.")
    link = ShareLink.objects.create(
        article=article,
        nonce=secrets.token_urlsafe(24),
        created_by=by,
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    record(article, by=by, action=ArticleEvent.Action.SHARED, detail=f"Valid for {hours} hours")
    return link, share_link_path(link)


def share_link_path(link: ShareLink) -> str:
    token = signing.dumps({"id": link.pk, "n": link.nonce}, salt=SHARE_LINK_SALT)
    return reverse("articles:share", kwargs={"token": token})


def revoke_share_link(link: ShareLink, *, by) -> None:
    if not permissions.can_publish(by):
        raise PermissionDenied("Only editors can revoke share links.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(link.article, by=by, action=ArticleEvent.Action.SHARE_REVOKED)


def share_link_for_token(token: str) -> ShareLink | None:
    """The link a token names, whether or not it still works; None for a forged token."""
    try:
        payload = signing.loads(token, salt=SHARE_LINK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    return (
        ShareLink.objects.select_related("article")
        .filter(pk=payload.get("id"), nonce=payload.get("n"))
        .first()
    )
