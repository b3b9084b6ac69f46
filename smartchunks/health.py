"""Health checks for load balancers.

- ``/healthz`` (liveness): 200 while this process can reach the database.
- ``/readyz`` (readiness): 200 "ready" only when the database answers *and* every migration
  of this code is applied; 503 with the reason otherwise, so a load balancer sends no reader
  to a machine whose new code would query columns that do not exist yet.  Also 503 while the
  front server drains before stopping (``SMARTCHUNKS_DRAIN_SECONDS``).

Both are never cached (``never_cache``; neither is one of the page cache's views) and are
exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT): balancers ask over plain
HTTP and take a redirect for "down".
"""

import os
import threading
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

# Migrations are never un-applied under running code, so once this process has seen none
# pending it stops asking (reading the migration files costs tens of milliseconds); while
# some are pending it asks again on every check.
_migrations_applied = False
_migrations_lock = threading.Lock()


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(f"{text}\n", status=status, content_type="text/plain")


def _database_answers() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def pending_migrations() -> int:
    """How many migrations of this code the database has not applied (reads the database)."""
    global _migrations_applied
    if _migrations_applied:
        return 0
    with _migrations_lock:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        if pending == 0:
            _migrations_applied = True
        return pending


@never_cache
def healthz(request):
    if not _database_answers():
        return _plain("database unavailable", 503)
    return _plain("ok")


def draining() -> bool:
    """The front server is about to stop (smartchunks/frontserver.py, SMARTCHUNKS_DRAIN_SECONDS)."""
    drain_file = os.environ.get("SMARTCHUNKS_DRAIN_FILE")
    return bool(drain_file) and Path(drain_file).exists()


@never_cache
def readyz(request):
    if draining():
        return _plain("draining: this server is stopping", 503)
    if not _database_answers():
        return _plain("database unavailable", 503)
    try:
        pending = pending_migrations()
    except DatabaseError:
        return _plain("database unavailable", 503)
    if pending:
        return _plain(f"migrations pending: {pending}", 503)
    return _plain("ready")
