"""Corrections go out with the fix they describe.

A correction is a part of the article like its sources (articles/models/corrections.py): on
a live article it is staged with the rest of the edit (articles/workflow/staging.py keeps
its text only) and written into the rows by "Publish changes", so readers never see a note
about a fix that is not there yet, nor the fix without its note.

Its date is the moment it goes live.  Staged rows carry no date, so writing them keeps the
date of each correction already live whose text is unchanged and dates the others now: an
edited correction is a new public statement, and readers see when it was made.
"""

from __future__ import annotations

from django.utils import timezone

from articles.models import ArticleEvent, Correction, states
from articles.workflow import audit

NOT_LIVE = (
    "A correction is added to a published article. Until the article is published, fix the "
    "mistake in the text itself."
)


def may_add_to(article) -> bool:
    """New corrections only while the article is Published: they are staged and go live with
    the fix; on any other article they would be dated before a reader could see them."""
    return article is not None and article.pk is not None and article.status in states.STAGED


def write(article, rows: list[dict]) -> list[Correction]:
    """Replace the article's corrections with ``rows`` (in order); returns the new ones."""
    dated = {}
    for text, published_at in Correction.objects.filter(article=article).values_list(
        "text", "published_at"
    ):
        dated.setdefault(text, published_at)
    Correction.objects.filter(article=article).delete()
    now = timezone.now()
    new = []
    for position, row in enumerate(rows):
        text = row.get("text", "")
        live_since = dated.pop(text, None)
        correction = Correction.objects.create(
            article=article, position=position, text=text, published_at=live_since or now
        )
        if live_since is None:
            new.append(correction)
    return new


def record_published(article, new: list[Correction], *, by) -> None:
    """One audit line per correction that went live, with its text."""
    for correction in new:
        audit.record(
            article, by=by, action=ArticleEvent.Action.CORRECTION_PUBLISHED, detail=correction.text
        )
