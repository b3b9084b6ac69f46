"""A database that stops answering is an outage too, not a hung worker.

``connect_timeout`` bounds a new connection, but nothing in libpq bounds a query on a
connection that is already open, and persistent connections (``CONN_MAX_AGE``) are open
almost always.  A PostgreSQL server that hangs (stopped, swapping, a network path that went
silent) would hold every gunicorn worker until gunicorn kills it: readers waited about 30 s
for nginx's 502, ``/healthz`` included.

So, while a request runs, a watchdog thread looks at its connection a few times a second.
When one query (or the connection's health check) has been waiting on the server for
``DJANGO_DB_STALL_SECONDS``, it shuts that connection's socket down.  The waiting call then
fails at once with ``OperationalError``, which ``DatabaseOutageMiddleware`` answers with the
503, and Django drops the broken connection at the end of the request; the next request
connects afresh (and meets ``connect_timeout`` if the server is still silent).  A request
that runs many quick queries back to back is never cut: each new query restarts the clock.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import pq

logger = logging.getLogger(__name__)

# How often the watchdog looks: the cut comes at most this late after the limit.
TICK_SECONDS = 0.25


@dataclass
class _Request:
    connection: object  # the request thread's Django DatabaseWrapper
    queries: int = 0  # counted by the execute wrapper: a new query restarts the clock
    seen_queries: int = -1
    waiting_since: float | None = None
    cut: bool = False


_requests: dict[tuple[int, str], _Request] = {}
_requests_lock = threading.Lock()
_watchdog: threading.Thread | None = None


@contextmanager
def watched(alias: str = DEFAULT_DB_ALIAS):
    """Watch one database connection (the primary's, or the replica it reads from) of the
    request running in this thread."""
    limit = settings.DB_STALL_SECONDS
    if not limit:
        yield
        return
    _start_watchdog()
    request = _Request(connection=connections[alias])

    def count(execute, sql, params, many, context):
        request.queries += 1
        return execute(sql, params, many, context)

    key = (threading.get_ident(), alias)
    with _requests_lock:
        _requests[key] = request
    try:
        with request.connection.execute_wrapper(count):
            yield
    finally:
        with _requests_lock:
            _requests.pop(key, None)


def _start_watchdog() -> None:
    # One thread per process, started on first use: threads do not survive gunicorn's fork.
    global _watchdog
    if _watchdog is not None and _watchdog.is_alive():
        return
    with _requests_lock:
        if _watchdog is None or not _watchdog.is_alive():
            _watchdog = threading.Thread(target=_watch, name="db-stall-watchdog", daemon=True)
            _watchdog.start()


def _watch() -> None:
    while True:
        time.sleep(TICK_SECONDS)
        with _requests_lock:
            requests = list(_requests.values())
        for request in requests:
            _look_at(request, time.monotonic(), settings.DB_STALL_SECONDS)


def _look_at(request: _Request, now: float, limit: float) -> None:
    raw = request.connection.connection  # the psycopg connection, or None before connecting
    if raw is None or raw.closed or request.cut:
        return
    waiting = raw.pgconn.transaction_status == pq.TransactionStatus.ACTIVE
    if not waiting or request.queries != request.seen_queries:
        request.seen_queries = request.queries
        request.waiting_since = now if waiting else None
        return
    if request.waiting_since is None:
        request.waiting_since = now
    elif now - request.waiting_since >= limit:
        request.cut = True
        _cut(raw)


def _cut(raw) -> None:
    """Shut the connection's socket down so the call blocked on it fails now."""
    try:
        duplicate = socket.socket(fileno=os.dup(raw.pgconn.socket))
    except Exception:  # closed meanwhile: nothing left to cut
        return
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
        logger.warning(
            "A database query waited over %s s; its connection was cut (answered 503)",
            settings.DB_STALL_SECONDS,
        )
    except OSError:
        pass
    finally:
        duplicate.close()
