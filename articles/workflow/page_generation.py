"""The publication generation: the one number every cached public page is keyed by.

A page in the page cache (smartchunks/page_cache.py) is served only while the *generation
record* it was stored under is current.  The record is ``(token, valid_until, next_expiry)``:

- ``token`` is random and new after every write that can change a public page: a page
  stored under an older token is never found again, on any worker;
- ``valid_until`` is the next instant a published article goes live or expires (capped at
  ``PAGE_CACHE_MAX_SECONDS`` from when it was worked out), so a scheduled article appears
  and an expired one disappears on time with no edit and no cron job: past it, the first
  request works out a new record and every page is rendered afresh;
- ``next_expiry`` alone tells the database-outage path whether a stored page may still be
  shown when no new record can be worked out (smartchunks/outage.py).

Why it is exact.  A record is worked out from the database only *after* the write it
follows has committed (``transaction.on_commit``), and always under one lock, so the record
last written was worked out after every committed write; a reader renders a page only after
reading the record it stores the page under, so the page reflects at least the data of that
record.  Inside a transaction a write also replaces the token at once (with the write's own
publication instants folded in, no query): tests that never commit see fresh pages too, and
a refused transaction only costs a re-render.

Where the record lives: a small file under ``PAGE_CACHE_DIR`` (one ``os.read`` per cache hit,
shared by every worker on the machine), or, with ``REDIS_URL``, a key of the ``pages`` cache
(shared by every machine).  Each database has its own record (its name is in the key), so the
test database and the development one never share pages.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import logging
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Min, Q

from articles.models import Article

logger = logging.getLogger(__name__)

# A record written without the lock (the lock could not be had) lives this long at most, so
# whatever it may have missed is worked out again soon.
UNLOCKED_SECONDS = 5.0
LOCK_WAIT_SECONDS = 5.0
# A lock in Redis whose holder died (its release never came) frees itself after this long;
# meanwhile every miss waits LOCK_WAIT_SECONDS for it.  Holding it takes milliseconds (two
# small queries, each cut off by the stalled-query watchdog after DJANGO_DB_STALL_SECONDS).
LOCK_EXPIRY_SECONDS = 10


@dataclass(frozen=True)
class Record:
    token: str
    valid_until: float  # epoch seconds
    next_expiry: float | None  # epoch seconds; None: no published article expires
    # With read replicas: the primary's WAL position once the writes this record follows had
    # committed.  A replica that has replayed this far shows everything the record does, so
    # a page rendered from it may be stored under it (smartchunks/replicas.py); None: read
    # from the primary.
    wal_position: int | None = None
    # With the record in Redis: the public-change sequence's value it was worked out at; a
    # record behind the database's is dropped (``EpochWatch``).  None: not checked.
    epoch: int | None = None

    def is_valid(self, now: float) -> bool:
        return now < self.valid_until

    def shows_nothing_expired(self, now: float) -> bool:
        """No published article has expired since this record was worked out."""
        return self.next_expiry is None or now < self.next_expiry

    def with_token(self, token: str, *, valid_until: float, next_expiry: float | None) -> Record:
        return Record(token, valid_until, next_expiry, self.wal_position, self.epoch)

    def encode(self) -> bytes:
        expiry = "-" if self.next_expiry is None else repr(self.next_expiry)
        position = "-" if self.wal_position is None else str(self.wal_position)
        epoch = "-" if self.epoch is None else str(self.epoch)
        return f"{self.token} {self.valid_until!r} {expiry} {position} {epoch}".encode()

    @classmethod
    def decode(cls, raw: bytes | str | None) -> Record | None:
        if not raw:
            return None
        try:
            text = raw.decode() if isinstance(raw, bytes) else raw
            # Fewer fields: written by an earlier release (no position, no epoch).
            token, valid_until, expiry, *rest = text.split()
            if len(rest) > 2:
                return None
            position, epoch = (*rest, "-", "-")[:2]
            return cls(
                token,
                float(valid_until),
                None if expiry == "-" else float(expiry),
                None if position == "-" else int(position),
                None if epoch == "-" else int(epoch),
            )
        except (ValueError, UnicodeDecodeError):
            return None


def namespace() -> str:
    """The database's name: pages and records of two databases never mix."""
    return str(connections["default"].settings_dict["NAME"])


# --- Where the record is kept -------------------------------------------------------------


class FileStore:
    """The record in a file, replaced atomically; the lock is an flock on a second file."""

    def __init__(self, folder: Path, name: str):
        self.path = folder / f"generation-{name}"
        self.lock_path = folder / f"generation-{name}.lock"
        self._last: tuple[bytes, Record | None] = (b"", None)
        # The front server's copies of the pages (smartchunks/front_cache.py): nginx serves
        # ``front-<name>/...``, a link to ``front/<name>/g-<token>`` that follows the record
        # (``point_front``).  Beside the record, so whoever may replace the record may
        # replace the link.
        self.front = front_folder(folder, name)
        self.front_link = folder / f"front-{name}"

    def read(self) -> Record | None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            raw = os.read(fd, 256)
        finally:
            os.close(fd)
        last_raw, last_record = self._last
        if raw == last_raw:
            return last_record
        record = Record.decode(raw)
        self._last = (raw, record)
        return record

    def write(self, record: Record) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The front server's link first: it then never shows an older generation than this
        # record (for a moment it shows the new one, of which no page exists yet: a miss).
        self.point_front(record.token)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".generation-")
        try:
            os.write(fd, record.encode())
            os.close(fd)
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def forget(self) -> None:
        self.point_front(None)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def point_front(self, token: str | None) -> None:
        """Point the link nginx serves from at the folder of ``token``'s pages, atomically
        (None: at nothing, so nginx passes every request on to Python)."""
        if self.front is None:
            return
        if token is None:
            with contextlib.suppress(FileNotFoundError):
                self.front_link.unlink()
            return
        temporary = self.path.parent / f".front-{secrets.token_hex(6)}"
        os.symlink(f"front/{self.front.name}/g-{token}", temporary)
        try:
            os.replace(temporary, self.front_link)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise

    def front_token(self) -> str | None:
        """The token whose pages nginx serves now, or None."""
        if self.front is None:
            return None
        try:
            target = os.readlink(self.front_link)
        except OSError:
            return None
        return target.rpartition("/g-")[2] or None

    @contextlib.contextmanager
    def lock(self) -> Iterator[bool]:
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            held = _wait_for(lambda: _try_flock(fd))
            try:
                yield held
            finally:
                if held:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def front_folder(folder: Path, name: str) -> Path | None:
    """Where the front server's copies of this database's pages live, or None: a database
    name unfit for a path (the front server then keeps none).  Whatever this process's
    settings say: a process with the page cache or the front cache off (manage.py, a bench's
    uncached stack) still moves the link when it writes, or nginx would go on serving what
    its write made stale."""
    if not FRONT_NAME.fullmatch(name):
        return None
    return folder / "front" / name


FRONT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}")


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _wait_for(attempt) -> bool:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        if attempt():
            return True
        if time.monotonic() > deadline:
            logger.warning("Page cache: could not take the generation lock; going on without")
            return False
        time.sleep(0.002)


class StoreUnavailable(RuntimeError):
    """The shared store failed moments ago: not asked again until STORE_RETRY_SECONDS pass."""


# After the shared store fails, each process leaves it alone this long: a Redis that does not
# answer costs one request its socket timeout (0.5 s), not every request.
STORE_RETRY_SECONDS = 5.0
# How often a process whose write could not be announced tries to drop the record again.
DROP_RETRY_SECONDS = 0.25
# How often each process compares the record's epoch with the database's (one small query).
EPOCH_CHECK_SECONDS = 0.5


class CacheStore:
    """The record as a key of a Django cache (Redis with REDIS_URL): shared by every machine.

    The lock is ``cache.add`` (Redis ``SET NX`` with an expiry), so a crashed holder frees it.

    A store that failed may come back with its data, holding a record that predates a write
    it never heard of (a network blip: the renewal after an unpublish could not reach it), and
    every machine would serve that write's old pages until the record runs out.  So:

    - a process that saw the store fail drops the record on its first successful contact
      afterwards (``_contact``), before reading or writing anything else;
    - a process whose renewal after a committed write failed keeps trying to drop it in the
      background (``drop_when_back``) until the store answers, requests or not.

    - and, whatever became of the writer (its process restarted, its machine cut off from
      Redis while the others are not): every committed public change first draws from a
      database sequence, and each record carries the sequence's value it was worked out at.
      Every process compares the two every ``EPOCH_CHECK_SECONDS`` (``_watch_epoch``, a
      background thread, so hits still ask no database) and drops a record that is behind.

    Dropping is always safe: the next request works a record out from the database.  What
    is left: a record that predates a change can be served for at most
    ``EPOCH_CHECK_SECONDS`` after Redis answers again (plus the request in flight); closing
    that would need every hit to ask the database.
    """

    def __init__(self, alias: str, name: str):
        self.alias = alias
        self.key = f"generation:{name}"
        self.lock_key = f"generation-lock:{name}"
        self.name = name
        self._state = threading.Lock()
        self._failures = 0  # failures seen by this process, ever
        self._unsure = False  # failed since the last successful contact
        self._down_until = 0.0  # time.monotonic(): not asked before then
        self._dropping: threading.Thread | None = None
        self._watching: threading.Thread | None = None
        # Our lock tokens whose release failed: left alone, the lock would make every miss
        # wait LOCK_WAIT_SECONDS until it expires (LOCK_EXPIRY_SECONDS) once the store is back.
        self._orphaned_locks: set[str] = set()

    @property
    def cache(self):
        return caches[self.alias]

    def _failed(self) -> None:
        with self._state:
            self._failures += 1
            self._unsure = True
            self._down_until = time.monotonic() + STORE_RETRY_SECONDS

    def _contact(self, operation):
        """Run ``operation`` against the cache; drop the record first if it may be stale."""
        if time.monotonic() < self._down_until:
            raise StoreUnavailable(
                f"the generation store failed less than {STORE_RETRY_SECONDS} s ago"
            )
        failures = self._failures
        try:
            if self._unsure:
                self._recover()
                with self._state:
                    if self._failures == failures:
                        self._unsure = False
                logger.warning(
                    "Page cache: the generation store answers again; dropped its record, "
                    "which may predate a write made while it was unreachable"
                )
            return operation()
        except Exception:
            self._failed()
            raise

    def _recover(self) -> None:
        """First contact after a failure: drop the record, free the locks we could not."""
        self.cache.delete(self.key)
        for token in list(self._orphaned_locks):
            if self.cache.get(self.lock_key) == token:
                self.cache.delete(self.lock_key)
            self._orphaned_locks.discard(token)

    def read(self) -> Record | None:
        return Record.decode(self._contact(lambda: self.cache.get(self.key)))

    def write(self, record: Record) -> None:
        value = record.encode().decode()
        self._contact(lambda: self.cache.set(self.key, value, timeout=None))

    def forget(self) -> None:
        self._contact(lambda: self.cache.delete(self.key))

    @contextlib.contextmanager
    def lock(self) -> Iterator[bool]:
        mine = secrets.token_hex(8)
        held = _wait_for(
            lambda: self._contact(
                lambda: self.cache.add(self.lock_key, mine, timeout=LOCK_EXPIRY_SECONDS)
            )
        )
        try:
            yield held
        finally:
            if held:
                try:
                    if self._contact(lambda: self.cache.get(self.lock_key)) == mine:
                        self._contact(lambda: self.cache.delete(self.lock_key))
                except Exception:
                    self._orphaned_locks.add(mine)
                    raise

    def drop_when_back(self) -> None:
        """A committed write could not be announced: drop the record as soon as the store
        answers, from a background thread (one per process), whatever requests come."""
        with self._state:
            self._unsure = True
            if self._dropping is not None and self._dropping.is_alive():
                return
            self._dropping = threading.Thread(
                target=self._keep_dropping, name="generation-drop", daemon=True
            )
            self._dropping.start()

    def _keep_dropping(self) -> None:
        while _stores.get(self.name) is self:  # a replaced store (settings changed) gives up
            failures = self._failures
            try:
                self._recover()  # not through _contact: this is the probe
            except Exception:
                time.sleep(DROP_RETRY_SECONDS)
                continue
            with self._state:
                if self._failures == failures:
                    self._unsure = False
                    self._down_until = 0.0
                    logger.warning(
                        "Page cache: the generation store answers again; dropped the record "
                        "a write made while it was unreachable had left behind"
                    )
                    return
            # It failed again meanwhile (for another caller): drop once more.

    def watch_epoch(self) -> None:
        """Start this process's ``_watch_epoch`` thread unless it runs (threads do not survive
        gunicorn's fork, so each worker starts its own on first use)."""
        watching = self._watching
        if watching is not None and watching.is_alive():
            return
        with self._state:
            if self._watching is None or not self._watching.is_alive():
                self._watching = threading.Thread(
                    target=self._watch_epoch, name="generation-epoch-watch", daemon=True
                )
                self._watching.start()

    def _watch_epoch(self) -> None:
        try:
            while _stores.get(self.name) is self:  # a replaced store (settings changed) stops
                time.sleep(EPOCH_CHECK_SECONDS)
                try:
                    self.drop_if_behind()
                except Exception:  # the database or the store is down: next round
                    with contextlib.suppress(Exception):
                        connections[DEFAULT_DB_ALIAS].close()
        finally:
            with contextlib.suppress(Exception):
                connections[DEFAULT_DB_ALIAS].close()  # this thread's own connection

    def drop_if_behind(self) -> bool:
        """Drop the record if a public change was committed after it was worked out."""
        record = self.read()
        if record is None:
            return False
        if record.epoch is not None and database_epoch() <= record.epoch:
            return False
        raw = record.encode().decode()
        if self._contact(lambda: self.cache.get(self.key)) == raw:  # not renewed meanwhile
            self._contact(lambda: self.cache.delete(self.key))
            logger.warning(
                "Page cache: dropped a generation record older than a committed change "
                "(the change could not reach the store when it was made)"
            )
        return True


_stores: dict[str, FileStore | CacheStore] = {}
_stores_lock = threading.Lock()


def store() -> FileStore | CacheStore:
    name = namespace()
    found = _stores.get(name)
    if found is None:
        with _stores_lock:
            if settings.PAGE_CACHE_GENERATION_IN_CACHE:
                found = CacheStore(settings.PAGE_CACHE_ALIAS, name)
            else:
                found = FileStore(Path(settings.PAGE_CACHE_DIR), name)
            _stores[name] = found
    if isinstance(found, CacheStore):
        found.watch_epoch()
    return found


# --- Working the record out -------------------------------------------------------------


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def visibility_instants(now: datetime) -> tuple[float | None, float | None]:
    """The next moment a published article goes live, and the next one one expires."""
    # Always the primary: a lagging replica could miss a publication time just written.
    upcoming = Article.objects.using(DEFAULT_DB_ALIAS).filter(status=Article.Status.PUBLISHED)
    upcoming = upcoming.filter(Q(published_at__gt=now) | Q(expires_at__gt=now))
    found = upcoming.aggregate(
        live=Min("published_at", filter=Q(published_at__gt=now)),
        expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
    )
    return _epoch(found["live"]), _epoch(found["expiry"])


def _now() -> float:
    return time.time()


def primary_wal_position() -> int | None:
    """Where the primary's WAL is now (only asked when there are replicas to compare)."""
    if not settings.DATABASE_REPLICAS:
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return wal_position(cursor.fetchone()[0])


# The public-change sequence is articles_public_change_seq (migration 0017).


def database_epoch() -> int:
    """How many committed public changes the database has counted (the sequence's value)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        # Before its first nextval a sequence reports its start value, not called yet.
        cursor.execute(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM articles_public_change_seq"
        )
        return cursor.fetchone()[0]


def _count_public_change() -> None:
    """After a commit, before the record is renewed: whatever happens to the renewal, every
    process's ``EpochWatch`` now finds the record behind the database."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT nextval('articles_public_change_seq')")


def wal_position(lsn: str | None) -> int | None:
    """PostgreSQL's ``X/Y`` log sequence number as one comparable integer."""
    if not lsn:
        return None
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def _worked_out() -> Record:
    """A new record from the database as it is now (one query; two with replicas)."""
    from django.utils import timezone

    # The position and the epoch first: every write committed before them is in what the
    # query then reads.
    epoch = database_epoch() if settings.PAGE_CACHE_GENERATION_IN_CACHE else None
    position = primary_wal_position()
    now = timezone.now()
    live, expiry = visibility_instants(now)
    cap = now.timestamp() + settings.PAGE_CACHE_MAX_SECONDS
    valid_until = min(moment for moment in (live, expiry, cap) if moment is not None)
    return Record(secrets.token_hex(8), valid_until, expiry, position, epoch)


def _earliest(*moments: float | None) -> float | None:
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def current() -> Record | None:
    """The record as stored (no database): what a cache hit checks."""
    return store().read()


def current_or_renewed() -> Record:
    """A valid record, worked out from the database if the stored one has run out.

    Called on a cache miss, before the page is rendered.  Raises what the database raises.
    """
    shared = store()
    record = shared.read()
    if record is not None and record.is_valid(_now()):
        return record
    with shared.lock() as held:
        record = shared.read()
        if record is not None and record.is_valid(_now()):
            return record
        record = _worked_out()
        if not held:
            record = record.with_token(
                record.token,
                valid_until=min(record.valid_until, _now() + UNLOCKED_SECONDS),
                next_expiry=record.next_expiry,
            )
        shared.write(record)
        return record


def _renew_after_commit() -> None:
    """After a committed write: a new token and horizon, worked out from committed data."""
    shared = store()
    if isinstance(shared, CacheStore):
        try:
            _count_public_change()
        except Exception:
            logger.exception("Page cache: could not count a public change")
    try:
        with shared.lock() as held:
            record = _worked_out()
            if not held:
                record = record.with_token(
                    record.token,
                    valid_until=min(record.valid_until, _now() + UNLOCKED_SECONDS),
                    next_expiry=record.next_expiry,
                )
            shared.write(record)
    except Exception:
        # The write is committed and cannot be undone; make every stored page unreachable
        # at least, and the next request works the horizon out again.
        logger.exception("Page cache: could not renew the generation after a write")
        try:
            shared.forget()
        except Exception:
            logger.exception("Page cache: could not clear the generation either")
            # Unreachable (Redis down or cut off): it may come back still holding the record
            # every page of before this write is stored under.
            if isinstance(shared, CacheStore):
                shared.drop_when_back()


def _replace_token(instants: Iterable[datetime | None]) -> None:
    """Inside a transaction: a new token at once, no query; the write's own publication and
    expiry times can only bring the horizon closer."""
    shared = store()
    with shared.lock():
        record = shared.read()
        if record is None:
            return  # nothing is served without a record: the next request works one out
        now = _now()
        future = [moment for moment in map(_epoch, instants) if moment and moment > now]
        # The position stays: the write is not committed, so no replica can have it yet,
        # and the renewal after its commit brings the new position.
        shared.write(
            record.with_token(
                secrets.token_hex(8),
                valid_until=min([record.valid_until, *future]),
                next_expiry=_earliest(record.next_expiry, *future),
            )
        )


def _renewal_pending(connection) -> bool:
    return any(callback is _renew_after_commit for _, callback, _ in connection.run_on_commit)


_rehearsing: contextvars.ContextVar[bool] = contextvars.ContextVar("rehearsing", default=False)


@contextlib.contextmanager
def rehearsal() -> Iterator[None]:
    """Writes made inside are rolled back before anyone else can see them (a preview of
    staged changes, articles/workflow/staging.py): they change no public page, so the
    generation is left alone rather than making every cached page miss for nothing.  Only
    for use inside a transaction that is then rolled back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A rehearsal runs inside a transaction that is rolled back.")
    token = _rehearsing.set(True)
    try:
        yield
    finally:
        _rehearsing.reset(token)


def public_pages_changed(*, instants: Iterable[datetime | None] = ()) -> None:
    """Every cached public page is stale: call after any write that can change one.

    Model writes call it through signals (articles/workflow/invalidation.py); a write that
    skips signals (``QuerySet.update``, ``bulk_create``) calls it itself.  ``instants`` are
    publication or expiry times the write set, if any.

    Kept with the page cache off too: the header's menu and the footer's links
    (articles/reader/navigation.py) are kept by the generation, so an uncached page does not
    read them again on every request.
    """
    if _rehearsing.get():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _renew_after_commit()
        return
    try:
        _replace_token(instants)
    except Exception:
        logger.exception("Page cache: could not replace the generation token")
    if not _renewal_pending(connection):
        transaction.on_commit(_renew_after_commit)


def forget() -> None:
    """Drop the record: every stored page is unreachable (tests, and ``clear_page_cache``)."""
    store().forget()
