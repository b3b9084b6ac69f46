"""Sessions read from Redis, kept in PostgreSQL (``SMARTCHUNKS_SESSIONS_IN_REDIS=1``).

Django's ``cached_db`` engine, made safe for a Redis that goes away.  PostgreSQL stays the
record: every write goes there first, then to the cache; reads try the cache, then the
database.  Django 5.2's engine (django/contrib/sessions/backends/cached_db.py) survives a
failing cache only on ``save``: ``load`` refills the cache unguarded after a miss, ``exists``
(asked for every new session key, so at each sign-in) and ``delete`` (each sign-out) ask it
unguarded, so a Redis outage would be a 500 for every signed-in request.  Here every cache
call is guarded, and after a failure the cache is left alone for a few seconds (its 0.5 s
socket timeout is paid once, not on every request).

A stale copy must not outlive the outage either.  A save or a sign-out that could not reach
Redis leaves the old copy there (a signed-in session after a sign-out, if Redis came back
with its data): this process remembers those keys, never reads them from the cache, and
deletes them from a background thread as soon as Redis answers.  If the process ends before
that, the copy still lives at most ``CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger(__name__)

# A cached copy is read again from PostgreSQL at least this often: the bound on a stale copy
# whose drop was lost with its process.
CACHE_SECONDS = 15 * 60
# After a failure the cache is not asked for this long (by this process).
RETRY_SECONDS = 5.0
DROP_RETRY_SECONDS = 0.25

_state = threading.Lock()
_down_until = 0.0
_stale: dict[str, int] = {}  # cache key -> how many times it went stale (this process)
_dropping: threading.Thread | None = None


def _usable() -> bool:
    return time.monotonic() >= _down_until


def _failed(action: str) -> None:
    global _down_until
    with _state:
        _down_until = time.monotonic() + RETRY_SECONDS
    logger.warning(
        "Sessions: the cache failed on %s; using the database alone for a moment", action
    )


def _went_stale(cache, key: str) -> None:
    """The cache may hold an older copy of ``key``: drop it as soon as the cache answers."""
    global _dropping
    with _state:
        _stale[key] = _stale.get(key, 0) + 1
        if _dropping is not None and _dropping.is_alive():
            return
        _dropping = threading.Thread(
            target=_keep_dropping, args=(cache,), name="session-drop", daemon=True
        )
        _dropping.start()


def _is_stale(key: str) -> bool:
    return key in _stale


def _fresh(key: str) -> None:
    with _state:
        _stale.pop(key, None)


def _keep_dropping(cache) -> None:
    global _down_until
    while True:
        with _state:
            batch = dict(_stale)
        if not batch:
            return
        try:
            cache.delete_many(list(batch))
        except Exception:
            time.sleep(DROP_RETRY_SECONDS)
            continue
        with _state:
            for key, count in batch.items():
                if _stale.get(key) == count:
                    del _stale[key]
            _down_until = 0.0
        logger.warning("Sessions: the cache answers again; dropped %d stale copies", len(batch))


class SessionStore(cached_db.SessionStore):
    def _cache_timeout(self, age: int) -> int:
        return min(age, CACHE_SECONDS)

    def _cache_set(self, key: str, data, age: int) -> None:
        if not _usable():
            _went_stale(self._cache, key)
            return
        try:
            self._cache.set(key, data, self._cache_timeout(age))
        except Exception:
            _failed("write")
            _went_stale(self._cache, key)
        else:
            _fresh(key)

    def _cache_delete(self, key: str) -> None:
        if not _usable():
            _went_stale(self._cache, key)
            return
        try:
            self._cache.delete(key)
        except Exception:
            _failed("delete")
            _went_stale(self._cache, key)
        else:
            _fresh(key)

    def load(self):
        key = self.cache_key
        data = None
        if _usable() and not _is_stale(key):
            try:
                data = self._cache.get(key)
            except Exception:
                _failed("read")
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._cache_set(key, data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key):
        if session_key and _usable():
            key = self.cache_key_prefix + session_key
            try:
                if not _is_stale(key) and key in self._cache:
                    return True
            except Exception:
                _failed("read")
        return DBStore.exists(self, session_key)

    def save(self, must_create=False):
        DBStore.save(self, must_create)
        self._cache_set(self.cache_key, self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache_delete(self.cache_key_prefix + session_key)
