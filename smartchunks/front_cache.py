"""Page-cache hits answered by nginx from files, without Python.

The page cache (smartchunks/page_cache.py) answers a hit in Python before Django runs; this
lets nginx (smartchunks/frontserver.py) answer the commonest ones itself, at static-file
speed, while staying exactly as fresh:

- When ``PageCacheMiddleware`` stores a 200 HTML page of the reader (``FRONT_VIEWS``), a
  worker of the front server's gunicorn (``FRONT_CACHE_WRITER``) also writes its body to
  ``PAGE_CACHE_DIR/front/<database>/g-<token>/<release>/<scheme>/<host><path>index.html``
  (``index.page-N.html`` for ``?page=N``), atomically, under the generation token the page
  was stored under, only for addresses made of safe characters (``relative_path``).
- ``PAGE_CACHE_DIR/front-<database>`` (beside the generation record) is a symlink to the
  current generation's ``front/<database>/g-<token>``; nginx looks only through it.  The
  generation store (articles/workflow/page_generation.py, ``FileStore``) swaps it in the same
  call that writes the record, *before* the record, and removes it when the record is
  dropped: nginx never serves an older generation than Python does.
- A record also ends at ``valid_until`` (a scheduled article goes live, one expires) with no
  write.  ``ExpiryWatcher``, a thread of the front server's supervisor process, removes the
  link when that moment passes (checked a few times a second), under the generation lock so
  it never removes a newer generation's link; the next request reaches Python, which works
  out a new record.  It also deletes old generations' folders a minute after they stopped
  being current.
- nginx answers from the files only what Python would answer from the cache: GET or
  HEAD, no session/CSRF/messages cookie, no Authorization, not under the newsroom's or the
  media paths, no query but ``page=N``; anything else, and any file not there, goes to
  gunicorn as before.  The hit carries the headers Python's hit carries (``hit_headers``,
  written into nginx's configuration); a page whose headers differ from them gets no file,
  so a header set by one view alone can never be lost.
- nginx makes its ETag from a file's size and time, so the file's time is set from a digest
  of its content (``_content_time``): a new page with the same size written within the same
  second still gets another ETag, and a 304 means the same bytes.  Python gives its answers
  the very same ETag (``etag_of``), so a client that first met the page through Python
  revalidates against nginx's file.  The time itself, a made-up date, is no Last-Modified:
  nginx is told to send none (smartchunks/frontserver.py), and the page cache sends none
  either (smartchunks/page_cache.py says why).

Only with the generation on this machine (``FileStore``: no ``REDIS_URL``); with Redis a
write on another machine could not swap this machine's link at the same moment.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# The reader's HTML pages; feeds, sitemaps, the Markdown copies and llms.txt stay in Python.
FRONT_VIEWS = frozenset(
    {
        "articles:home",
        "articles:corrections",
        "articles:detail",
        "articles:author",
        "articles:section",
        "articles:tag",
        "articles:site-page",
    }
)
# Addresses nginx can map to a file name by a regular expression, with nothing to decode and
# no "." or "//" segment: what Python sees is byte for byte what nginx sees.
SAFE_PATH = re.compile(r"/(?:[A-Za-z0-9_-]+/)*")
SAFE_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[0-9]{1,5})?")
SAFE_SCHEME = re.compile(r"https?")
PAGE_QUERY = re.compile(r"page=([0-9]{1,6})")
# Never answered by nginx from the files, whatever is there (the files never hold them).
EXCLUDED_PREFIXES = ("/admin/", "/ckeditor/", "/preview/", "/media/", "/static/")
# Files one worker writes under one generation at most: a crawl of a large archive cannot
# fill the disk (a generation lasts PAGE_CACHE_MAX_SECONDS at most).
MAX_FILES_PER_GENERATION = 10_000
# Headers of a stored page that nginx makes itself for each answer.
PER_ANSWER_HEADERS = frozenset({"etag", "content-length", "last-modified", "date", "server"})
# How often the watcher looks at the record, at most (it sleeps less when valid_until is near).
WATCH_SECONDS = 0.2
# An old generation's folder is deleted this long after it stopped being current: nginx may
# still be sending a file it opened just before the link moved.
RETIRED_GRACE_SECONDS = 60.0
SWEEP_SECONDS = 15.0


def hit_headers() -> list[tuple[str, str]]:
    """The headers of a page-cache hit of the reader's HTML pages, as Django's middleware
    sets them with these settings (nginx's answer adds its own ETag, Last-Modified, Date,
    Content-Length and X-Request-ID)."""
    from csp.utils import build_policy
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control

    probe = HttpResponse()
    # smartchunks/middleware.py's PrivateResponsesMiddleware, then page_cache._page_of.
    patch_cache_control(probe, public=True, max_age=0, must_revalidate=True)
    if settings.PAGE_CACHE_SHARED_MAX_AGE:
        patch_cache_control(probe, s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE)
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", probe["Cache-Control"]),
        ("Vary", "Cookie"),
    ]
    if getattr(settings, "CONTENT_SECURITY_POLICY", None):
        headers.append(("Content-Security-Policy", build_policy()))
    if settings.X_FRAME_OPTIONS:
        headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        value = policy if isinstance(policy, str) else ",".join(policy)
        headers.append(("Referrer-Policy", value))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Page-Cache", "hit"))
    return headers


def comparable(headers) -> dict[str, str]:
    """A header set as a comparable dict: names in lower case, the per-answer headers left
    out, and the policy's directives sorted (django-csp orders them differently from one
    process to the next)."""
    found = {}
    for name, value in headers:
        name = name.lower()
        if name in PER_ANSWER_HEADERS or name == "x-request-id":
            continue
        if name == "content-security-policy":
            value = "; ".join(sorted(part.strip() for part in value.split(";") if part.strip()))
        found[name] = value
    return found


_expected: dict[str, str] | None = None


def _expected_headers() -> dict[str, str]:
    global _expected
    if _expected is None:
        _expected = comparable(hit_headers())
    return _expected


def relative_path(environ) -> str | None:
    """``<scheme>/<host><path><file>`` of a request under a release folder, or None when
    nginx would not look for it (the same rules as its configuration)."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    if not SAFE_PATH.fullmatch(path) or path.startswith(EXCLUDED_PREFIXES):
        return None
    query = environ.get("QUERY_STRING", "")
    if not query:
        name = "index.html"
    else:
        page = PAGE_QUERY.fullmatch(query)
        if page is None:
            return None
        name = f"index.page-{page.group(1)}.html"
    host = environ.get("HTTP_HOST", "")
    scheme = environ.get("wsgi.url_scheme", "")
    if not SAFE_HOST.fullmatch(host) or not SAFE_SCHEME.fullmatch(scheme):
        return None
    return f"{scheme}/{host}{path}{name}"


def _content_time(body: bytes) -> int:
    """A file time (a past second, 2001–2018) that stands for the content: nginx's ETag is
    the file's time and size."""
    digest = hashlib.blake2b(body, digest_size=8).digest()
    return 1_000_000_000 + int.from_bytes(digest, "big") % (1 << 29)


def etag_of(body: bytes) -> str:
    """The ETag nginx gives the file of ``body`` (its time and size in hex): the page
    cache's own, so Python's answers and nginx's agree."""
    return f'"{_content_time(body):x}-{len(body):x}"'


class _Written:
    """How many files this process wrote under which generation."""

    def __init__(self):
        self.token = ""
        self.count = 0
        self.lock = threading.Lock()

    def take(self, token: str) -> bool:
        with self.lock:
            if token != self.token:
                self.token, self.count = token, 0
            if self.count >= MAX_FILES_PER_GENERATION:
                return False
            self.count += 1
            return True


_written = _Written()


def keep_file(record, request, page, release: str) -> None:
    """Write ``page`` for nginx if it is a page nginx may answer (see the module's
    docstring); called after the page cache stored it under ``record``."""
    if not settings.FRONT_CACHE_WRITER:
        return
    from articles.workflow import page_generation

    store = page_generation.store()
    folder = getattr(store, "front", None)
    if folder is None:
        return
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in FRONT_VIEWS or page.status != 200:
        return
    relative = relative_path(request.META)
    if relative is None:
        return
    if comparable(page.headers) != _expected_headers():
        logger.warning(
            "Front cache: %s answers with other headers than nginx's hit would send; "
            "left to the page cache",
            request.path,
        )
        return
    if not _written.take(record.token):
        return
    target = folder / f"g-{record.token}" / release / relative
    _write_atomically(target, page.body)
    if store.front_token() != record.token:
        _point_if_current(store, record)


def make_folders(folder: Path) -> None:
    """``mkdir -p`` with every new folder 0o755 whatever the umask (gunicorn's is 0): nginx's
    workers, another user, must read them, and nobody else may write into them."""
    if folder.is_dir():
        return
    make_folders(folder.parent)
    with contextlib.suppress(FileExistsError):
        folder.mkdir()
        os.chmod(folder, 0o755)  # noqa: S103 (nginx, another user, reads it)


def _write_atomically(target: Path, body: bytes) -> None:
    make_folders(target.parent)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".front-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(body)
        os.chmod(temporary, 0o644)
        moment = _content_time(body)
        os.utime(temporary, (moment, moment))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _point_if_current(store, record) -> None:
    """The link is missing (the front server started after the record was written, or it
    was removed when a record ran out and nothing wrote one since): point it at ``record``'s
    folder, but only if ``record`` is, under the lock, still the valid current one."""
    with store.lock() as held:
        if not held:
            return
        current = store.read()
        if current is not None and current.token == record.token and current.is_valid(time.time()):
            store.point_front(record.token)


class ExpiryWatcher:
    """In the front server's supervisor: ends nginx's hits when the record runs out, and
    deletes old generations' folders."""

    def __init__(self, store):
        self.store = store
        self.stopping = threading.Event()
        self.retired: dict[str, float] = {}
        self.thread = threading.Thread(target=self._run, name="front-cache-expiry", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()

    def _run(self) -> None:
        next_sweep = 0.0
        while not self.stopping.is_set():
            pause = WATCH_SECONDS
            try:
                pause = self.check()
                if time.monotonic() >= next_sweep:
                    self.sweep()
                    next_sweep = time.monotonic() + SWEEP_SECONDS
            except Exception:
                logger.exception("Front cache: the expiry watcher failed; trying again")
            self.stopping.wait(pause)

    def check(self) -> float:
        """Remove the link if its record has run out or is gone; the seconds to wait before
        the next look."""
        linked = self.store.front_token()
        if linked is None:
            return WATCH_SECONDS
        record = self.store.read()
        now = time.time()
        if record is not None and record.token != linked:
            # Between the link's swap and the record's write (or a write that failed after
            # the swap): the link names a generation no page was written under yet.
            return WATCH_SECONDS
        if record is not None and record.is_valid(now):
            return max(0.0, min(WATCH_SECONDS, record.valid_until - now))
        # Run out, or the record file removed by hand (``forget`` removes the link itself):
        # Python serves nothing under it any more, so nginx must not either.
        with self.store.lock() as held:
            if not held:
                return WATCH_SECONDS
            linked = self.store.front_token()
            record = self.store.read()
            if linked is not None and (
                record is None or (record.token == linked and not record.is_valid(time.time()))
            ):
                self.store.point_front(None)
        return WATCH_SECONDS

    def alive(self) -> bool:
        return self.thread.is_alive()

    def sweep(self) -> None:
        folder = self.store.front
        linked = self.store.front_token()
        now = time.monotonic()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return
        present = set()
        for entry in entries:
            if not entry.name.startswith("g-") or entry.name == f"g-{linked}":
                continue
            present.add(entry.name)
            retired_at = self.retired.setdefault(entry.name, now)
            if now - retired_at >= RETIRED_GRACE_SECONDS:
                shutil.rmtree(entry.path, ignore_errors=True)
        self.retired = {name: at for name, at in self.retired.items() if name in present}


def start_watcher() -> ExpiryWatcher | None:
    """Start the watcher in this process (the front server's supervisor), if the files are
    kept; Django is set up here for the generation store."""
    import django

    django.setup()
    from articles.workflow import page_generation

    store = page_generation.store()
    if getattr(store, "front", None) is None:
        return None
    make_folders(store.front)
    watcher = ExpiryWatcher(store)
    watcher.start()
    return watcher


def nginx_settings(*, release: str, private_cookies: tuple[str, ...]) -> dict:
    """What the nginx configuration needs (smartchunks/frontserver.py), or {}: not kept.
    Django must be set up (``start_watcher`` does it)."""
    from articles.workflow import page_generation

    if not (settings.PAGE_CACHE_ENABLED and settings.FRONT_CACHE_ENABLED):
        return {}
    store = page_generation.store()
    if getattr(store, "front", None) is None:
        return {}
    return {
        "front_cache_root": store.front_link.parent,
        "front_cache_link": store.front_link.name,
        "front_cache_release": release,
        "front_cache_headers": tuple(hit_headers()),
        "front_cache_cookies": private_cookies,
    }
