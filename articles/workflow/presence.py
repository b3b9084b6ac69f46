"""Who else is editing an article: the heartbeat of its change form.

A form open in a visible tab posts a heartbeat every HEARTBEAT_SECONDS, naming its ``visit``
(a random id the page makes when it loads); a person counts as editing while their latest
heartbeat is younger than ACTIVE_SECONDS (three beats, so one lost request does not make them
vanish).  A page that closes says so (``leave``); one closed without a word goes quiet and
expires.  Each heartbeat deletes every expired row through the index on ``last_seen``, so the
table holds only the people editing now and the pages that closed within the window.

Both writes are single INSERT ... ON CONFLICT statements (PostgreSQL), safe when two tabs,
or a heartbeat and the closing of its page, reach the server at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from articles.models import EditingPresence

HEARTBEAT_SECONDS = 20
ACTIVE_SECONDS = 60
# A page says how long it has been open; a longer claim is taken as this long.
LONGEST_OPEN = timedelta(days=7)

_TABLE = EditingPresence._meta.db_table
_COLUMNS = "(article_id, user_id, visit, closed, opened_at, last_seen)"
_VALUES = "(%(article)s, %(user)s, %(visit)s, %(closed)s, %(opened_at)s, %(now)s)"
# The latest page speaks for the person.  A row that expired or closed is a new visit and
# takes the new opening time; a live one keeps the earliest page's.  A heartbeat from a page
# that has closed already (it was on its way while the page unloaded) changes nothing.
_BEAT = f"""
    INSERT INTO {_TABLE} AS presence {_COLUMNS} VALUES {_VALUES}
    ON CONFLICT (article_id, user_id) DO UPDATE SET
        opened_at = CASE
            WHEN presence.closed OR presence.last_seen < %(expired)s THEN EXCLUDED.opened_at
            ELSE LEAST(presence.opened_at, EXCLUDED.opened_at)
        END,
        last_seen = GREATEST(presence.last_seen, EXCLUDED.last_seen),
        visit = EXCLUDED.visit,
        closed = false
    WHERE NOT (presence.closed AND presence.visit = EXCLUDED.visit)
"""  # noqa: S608 (the table name is the model's own, no input)
# Only the page that beat last closes the row: the person may have another tab open.
_CLOSE = f"""
    INSERT INTO {_TABLE} AS presence {_COLUMNS} VALUES {_VALUES}
    ON CONFLICT (article_id, user_id) DO UPDATE SET
        closed = true,
        last_seen = GREATEST(presence.last_seen, EXCLUDED.last_seen)
    WHERE presence.visit = EXCLUDED.visit
"""  # noqa: S608 (the table name is the model's own, no input)


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


def _write(statement: str, **values) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, values)


def heartbeat(
    article,
    *,
    by,
    visit: str,
    open_for: timedelta = timedelta(0),
    at: datetime | None = None,
) -> list[Colleague]:
    """Record that ``by`` has had the article's form open in page ``visit`` for ``open_for``,
    as of ``at`` (now); answer who else is editing it."""
    now = at or timezone.now()
    expired = now - timedelta(seconds=ACTIVE_SECONDS)
    opened_at = now - min(max(open_for, timedelta(0)), LONGEST_OPEN)
    _write(
        _BEAT,
        article=article.pk,
        user=by.pk,
        visit=visit,
        closed=False,
        opened_at=opened_at,
        now=now,
        expired=expired,
    )
    EditingPresence.objects.filter(last_seen__lt=expired).delete()
    return others_editing(article, besides=by, at=now)


def leave(article, *, by, visit: str, at: datetime | None = None) -> None:
    """Page ``visit`` of ``by`` closed the article's form: unless another page of theirs
    beat since, colleagues stop seeing them at their next heartbeat."""
    now = at or timezone.now()
    _write(
        _CLOSE,
        article=article.pk,
        user=by.pk,
        visit=visit,
        closed=True,
        opened_at=now,
        now=now,
    )


def others_editing(article, *, besides, at: datetime | None = None) -> list[Colleague]:
    """Everyone but ``besides`` whose heartbeat on the article is recent and whose page is
    open, longest open first."""
    now = at or timezone.now()
    rows = (
        EditingPresence.objects.filter(
            article=article,
            closed=False,
            last_seen__gte=now - timedelta(seconds=ACTIVE_SECONDS),
        )
        .exclude(user=besides)
        .select_related("user__author_profile")
        .order_by("opened_at", "user_id")
    )
    return [
        Colleague(row.user_id, display_name(row.user), row.opened_at, row.last_seen) for row in rows
    ]
