"""Reads from PostgreSQL streaming replicas, never behind what a reader may be shown.

With ``DATABASE_REPLICA_URLS`` set, an anonymous reader's request (a GET or HEAD with no
newsroom cookie, outside /admin/, /ckeditor/ and /preview/: ``page_cache.is_anonymous_read``)
reads from a replica; everything else reads and writes on the primary: the newsroom, every
POST, previews and share links, and, within a request, every read after its first write.

When a replica may be used.  A replica replays the primary's write-ahead log some time
after each commit.  Read too early, it could still show an article that was just
unpublished, and the page cache would keep that page under the new generation, undoing the
unpublish until the next one.  So the publication generation records the primary's WAL
position once the writes it follows had committed (``Record.wal_position``,
articles/workflow/page_generation.py), and a request reads from a replica only if that
replica has replayed at least that far; otherwise from the primary.  The replica then holds
every write the generation knows of, so a page it renders is exactly as fresh as one the
primary would render: no unpublished article comes back, and no published one is hidden.

What it costs.  Each worker remembers how far each replica had replayed when it last asked;
positions only grow, so while the generation stays the same a replica that has caught up
is used with no question asked (Django's connection health check aside).  After a new
generation, a worker asks the replica once (``pg_last_wal_replay_lsn()``).

A replica that fails (refused, gone, cut off by the stalled-query watchdog) is left alone
for ``DATABASE_REPLICA_RETRY_SECONDS``; the request that found it failing is answered from
the primary, re-run from the start if the failure came mid-request (an anonymous GET or
HEAD changes nothing, so running it twice is safe).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError

from articles.workflow import page_generation
from smartchunks import stalled_queries
from smartchunks.page_cache import is_anonymous_read

logger = logging.getLogger(__name__)


@dataclass
class _Reads:
    """Where this request reads from; ``alias`` None: the primary."""

    alias: str | None
    wrote: bool = False


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("reads", default=None)


class ReplicaRouter:
    """Reads go where ``ReplicaReadsMiddleware`` chose for the request; writes, and every
    read after a write, go to the primary."""

    def db_for_read(self, model, **hints):
        reads = _reads.get()
        if reads is None or reads.wrote:
            return DEFAULT_DB_ALIAS
        return reads.alias or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


# --- Which replica, if any --------------------------------------------------------------


@dataclass
class _Replica:
    alias: str
    replayed: int = -1  # the furthest replay position this worker has seen it report
    down_until: float = 0.0


_replicas: dict[str, _Replica] = {}
_turns = itertools.count()
_lock = threading.Lock()


def _known(alias: str) -> _Replica:
    with _lock:
        return _replicas.setdefault(alias, _Replica(alias))


def replay_position(alias: str) -> int | None:
    """How far the server behind ``alias`` has replayed the primary's log (a primary, or a
    promoted replica, counts as fully caught up with itself)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
            " ELSE pg_current_wal_lsn() END)::text"
        )
        return page_generation.wal_position(cursor.fetchone()[0])


def mark_down(alias: str, error: BaseException) -> None:
    replica = _known(alias)
    was_up = time.monotonic() >= replica.down_until
    replica.down_until = time.monotonic() + settings.DATABASE_REPLICA_RETRY_SECONDS
    with contextlib.suppress(Exception):
        connections[alias].close()
    if was_up:
        logger.warning(
            "Replica %s failed (%s: %s); reading from the primary for %.0f s",
            alias,
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
            settings.DATABASE_REPLICA_RETRY_SECONDS,
        )


def caught_up_replica(position: int) -> str | None:
    """A replica that is up and has replayed at least ``position``, or None (the primary).

    Replicas take turns, so several share the load."""
    aliases = settings.DATABASE_REPLICAS
    start = next(_turns) % len(aliases)
    for alias in aliases[start:] + aliases[:start]:
        replica = _known(alias)
        if time.monotonic() < replica.down_until:
            continue
        try:
            if replica.replayed < position:
                replica.replayed = max(replica.replayed, replay_position(alias) or -1)
            else:
                # Django's health check of a kept connection (a round trip, once a request),
                # here rather than mid-page: the reader's compiled queries skip it.
                connection = connections[alias]
                connection.close_if_health_check_failed()
                connection.ensure_connection()
        except DatabaseError as error:
            mark_down(alias, error)
            continue
        if replica.replayed >= position:
            return alias
    return None


def replica_for(request) -> str | None:
    """The replica this request may read from, or None: the primary."""
    if not settings.DATABASE_REPLICAS or not is_anonymous_read(request.META):
        return None
    # A cached page's miss has read it already (PageCacheMiddleware): not a second time.
    record = getattr(request, "page_generation_record", None)
    if record is None:
        try:
            record = page_generation.current_or_renewed()
        except Exception:  # no generation (its store or the primary is down): the primary
            return None
    if record.wal_position is None:
        return None
    return caught_up_replica(record.wal_position)


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        alias = replica_for(request)
        if alias is None:
            return self.get_response(request)
        response = self._read_from(alias, request)
        if getattr(response, "database_outage", False) and getattr(
            request, "_replica_failed", False
        ):
            # The replica failed mid-request (smartchunks/outage.py answered 503): the
            # request changed nothing, so it is answered again from the primary.
            request.replica_alias = None
            return self.get_response(request)
        return response

    def _read_from(self, alias: str, request):
        request.replica_alias = alias  # the outage page's log line says which (outage.py)
        token = _reads.set(_Reads(alias))
        try:
            with stalled_queries.watched(alias):
                response = self.get_response(request)
        finally:
            reads = _reads.get()
            _reads.reset(token)
        # Django flags the connection a query failed on; the primary failing is not retried.
        failed = connections[alias].errors_occurred
        if getattr(response, "database_outage", False) and failed and not reads.wrote:
            request._replica_failed = True
            mark_down(alias, RuntimeError("a query failed mid-request"))
        return response
