"""An article's history: its revisions and its audit events as one list, newest first.

The workflow services write both for one act (an edit, a publication, a restore): the
revision of what the article held, and the event of who did what.  Shown side by side they
would say everything twice, so each event is paired with the revision of the same act and
the two make one entry.  Nothing links the two rows, so the pairing reads what the services
do: a revision is started (its ``date_created``) before the event is written in the same
transaction, by the same person.  An event is paired with the latest revision of that
person started at most ``SAME_ACT`` before it and not paired yet.  Events that never come
with a revision (share links) stand alone, and so do revisions without an event (content
loaded before the audit trail, or by a script).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from reversion.models import Version

from articles.models import ArticleEvent
from articles.workflow.revisions import revisions_of

SAME_ACT = timedelta(seconds=60)
WITHOUT_REVISION = frozenset(
    {
        ArticleEvent.Action.SHARED,
        ArticleEvent.Action.SHARE_REVOKED,
        ArticleEvent.Action.DELETED,
        # Written beside "Published changes", whose revision holds the correction.
        ArticleEvent.Action.CORRECTION_PUBLISHED,
    }
)


@dataclass
class Entry:
    """One line of the history: who did what when, and the revision it left, if any.

    ``number`` counts the article's revisions from 1 (the oldest); ``previous`` is the
    revision before this one, for "what changed here".
    """

    at: datetime
    who: object  # the user, or None (someone since deleted, or a script)
    what: str
    detail: str = ""
    version: Version | None = None
    previous: Version | None = None
    number: int | None = None


def timeline(article) -> list[Entry]:
    """Every revision and event of the article, newest first."""
    versions = list(revisions_of(article).defer("serialized_data", "object_repr").order_by("pk"))
    events = list(article.events.select_related("actor").order_by("at", "pk"))
    paired = _pair(events, versions)
    entries = []
    for number, version in enumerate(versions, start=1):
        previous = versions[number - 2] if number > 1 else None
        revision = version.revision
        event = paired.get(version.pk)
        if event is None:
            entry = Entry(
                at=revision.date_created,
                who=revision.user,
                what=revision.comment or "Saved",
            )
        else:
            entry = _event_entry(event)
        entry.version, entry.previous, entry.number = version, previous, number
        entries.append(entry)
    paired_events = {event.pk for event in paired.values()}
    entries += [_event_entry(event) for event in events if event.pk not in paired_events]
    # Sorted oldest first, then turned round: Python's sort is stable, so entries at the very
    # same instant keep the order they were written in (revisions by id, then events by id).
    entries.sort(key=lambda entry: entry.at)
    entries.reverse()
    return entries


def _event_entry(event) -> Entry:
    return Entry(at=event.at, who=event.actor, what=event.get_action_display(), detail=event.detail)


def _pair(events, versions) -> dict[int, ArticleEvent]:
    """Event for each version pk that records the same act (see the module's docstring)."""
    free = list(versions)
    paired = {}
    for event in events:
        if event.action in WITHOUT_REVISION:
            continue
        candidates = [
            version
            for version in free
            if version.revision.user_id == event.actor_id
            and event.at - SAME_ACT <= version.revision.date_created <= event.at
        ]
        if candidates:
            chosen = max(candidates, key=lambda v: (v.revision.date_created, v.pk))
            free.remove(chosen)
            paired[chosen.pk] = event
    return paired
