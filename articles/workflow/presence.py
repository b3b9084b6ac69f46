"""Who else is editing an article: the heartbeat of its change form.

A form open in a visible tab posts a heartbeat every HEARTBEAT_SECONDS; a person counts as
editing while their latest heartbeat is younger than ACTIVE_SECONDS (three beats, so one lost
request does not make them vanish).  A form that closes says so (``leave``); a tab that was
closed without a word simply goes quiet and expires.  Each heartbeat deletes every expired
row, through the index on ``last_seen``, so the table holds only the people editing now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from articles.models import EditingPresence

HEARTBEAT_SECONDS = 20
ACTIVE_SECONDS = 60
# A form says how long it has been open; a longer claim is taken as this long.
LONGEST_OPEN = timedelta(days=7)

_TABLE = EditingPresence._meta.db_table
# One statement, safe against two tabs of one person beating at once.  An expired row is a
# new visit: it takes the new opening time; a live one keeps the earliest tab's.  (The table
# name is the model's own, no input.)
_UPSERT = f"""
    INSERT INTO {_TABLE} AS presence (article_id, user_id, opened_at, last_seen)
    VALUES (%(article)s, %(user)s, %(opened_at)s, %(now)s)
    ON CONFLICT (article_id, user_id) DO UPDATE SET
        opened_at = CASE
            WHEN presence.last_seen < %(expired)s THEN EXCLUDED.opened_at
            ELSE LEAST(presence.opened_at, EXCLUDED.opened_at)
        END,
        last_seen = GREATEST(presence.last_seen, EXCLUDED.last_seen)
"""  # noqa: S608


@dataclass(frozen=True)
class Colleague:
    """Someone else with the article's form open."""

    user_id: int
    name: str
    opened_at: datetime
    last_seen: datetime


def display_name(user) -> str:
    """The name colleagues know: the account's full name, else the author profile's, else
    the login name."""
    full_name = user.get_full_name()
    if full_name:
        return full_name
    profile = getattr(user, "author_profile", None)
    return profile.name if profile is not None else user.get_username()


def heartbeat(
    article, *, by, open_for: timedelta = timedelta(0), at: datetime | None = None
) -> list[Colleague]:
    """Record that ``by`` has had the article's form open for ``open_for``, as of ``at``
    (now); answer who else is editing it."""
    now = at or timezone.now()
    expired = now - timedelta(seconds=ACTIVE_SECONDS)
    opened_at = now - min(max(open_for, timedelta(0)), LONGEST_OPEN)
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT,
            {
                "article": article.pk,
                "user": by.pk,
                "opened_at": opened_at,
                "now": now,
                "expired": expired,
            },
        )
    EditingPresence.objects.filter(last_seen__lt=expired).delete()
    return others_editing(article, besides=by, at=now)


def leave(article, *, by) -> None:
    """``by`` closed the article's form: colleagues stop seeing them at their next beat."""
    EditingPresence.objects.filter(article=article, user=by).delete()


def others_editing(article, *, besides, at: datetime | None = None) -> list[Colleague]:
    """Everyone but ``besides`` whose heartbeat on the article is recent, longest open first."""
    now = at or timezone.now()
    rows = (
        EditingPresence.objects.filter(
            article=article, last_seen__gte=now - timedelta(seconds=ACTIVE_SECONDS)
        )
        .exclude(user=besides)
        .select_related("user__author_profile")
        .order_by("opened_at", "user_id")
    )
    return [
        Colleague(row.user_id, display_name(row.user), row.opened_at, row.last_seen) for row in rows
    ]
