"""Share links: a revocable, expiring preview of an unpublished article for someone without
an account.  The URL carries a signed token naming the link's row and nonce; the row decides
whether it still works, so revoking takes effect at once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from articles.models import ShareLink
from articles.workflow import audit
from articles.workflow.services import WorkflowError, refuse
from articles.workflow.transitions import refusals

SHARE_LINK_SALT = "articles.share-link"
SHARE_LINK_DEFAULT_HOURS = 48
SHARE_LINK_MAX_HOURS = 14 * 24


def create_share_link(
    article, *, by, hours: int = SHARE_LINK_DEFAULT_HOURS
) -> tuple[ShareLink, str]:
    """A new link and its URL path; the token is shown once and never stored."""
    refuse(refusals(by, article, "share"))
    if not 1 <= hours <= SHARE_LINK_MAX_HOURS:
        raise WorkflowError(f"A share link lasts from 1 to {SHARE_LINK_MAX_HOURS} hours.")
    link = ShareLink.objects.create(
        article=article,
        nonce=secrets.token_urlsafe(24),
        created_by=by,
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    audit.record(
        article, by=by, action=audit.ArticleEvent.Action.SHARED, detail=f"Valid for {hours} hours"
    )
    return link, share_link_path(link)


def share_link_path(link: ShareLink) -> str:
    token = signing.dumps({"id": link.pk, "n": link.nonce}, salt=SHARE_LINK_SALT)
    return reverse("articles:share", kwargs={"token": token})


def revoke_share_link(link: ShareLink, *, by) -> None:
    refuse(refusals(by, link.article, "share"))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(link.article, by=by, action=audit.ArticleEvent.Action.SHARE_REVOKED)


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
