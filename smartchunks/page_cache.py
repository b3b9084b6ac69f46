"""The page cache: rendered public pages for anonymous readers, never stale.

Two halves share one notion of a cacheable request:

- ``PageCacheMiddleware`` (first in MIDDLEWARE, so it sees the finished response) stores a
  page after Django rendered it: a 200 of a public view (``CACHED_VIEWS``) for an anonymous
  reader, with no cookie set, not private.  It keys the page by the current publication
  generation (articles/workflow/page_generation.py), worked out again when it has run out.
- ``wrap_wsgi`` (smartchunks/wsgi.py) answers a hit before Django builds a request: one
  ``os.read`` of the generation record, then the page from this worker's memory or the
  shared cache.  No session, no database.  The middleware answers hits too (the test client
  and any server that does not use our WSGI entry point).

Never cached, never served from the cache: anything but GET/HEAD; a request carrying the
session, CSRF or messages cookie (the only cookies that can change what Django renders) or
an Authorization header; anything under /admin/, /ckeditor/, /preview/; a query string
other than ``page=N``/``p=N`` (so made-up addresses cannot fill the cache); any status but 200.

Two levels: the shared store (Django's ``pages`` cache: files under var/, or Redis with
``REDIS_URL``) holds every page once for all workers; each worker keeps the pages of the
current generation it served lately in memory, dropped as a whole when the generation
changes.  A failing store (Redis down) is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers

from articles.reader.privacy import PRIVATE_PREFIXES
from articles.workflow import page_generation
from smartchunks import front_cache

logger = logging.getLogger(__name__)

# The public pages (URL names) whose 200 answers are stored.  Search is left out: its key
# space is whatever readers type.
CACHED_VIEWS = frozenset(
    {
        "articles:home",
        "articles:corrections",
        "articles:detail",
        "articles:detail-markdown",
        "articles:llms-txt",
        "articles:author",
        "articles:section",
        "articles:tag",
        "articles:site-page",
        "articles:feed-rss",
        "articles:feed-atom",
        "articles:author-feed-rss",
        "articles:author-feed-atom",
        "articles:section-feed-rss",
        "articles:section-feed-atom",
        "articles:tag-feed-rss",
        "articles:tag-feed-atom",
        "sitemap-index",
        "sitemap-section",
        "news-sitemap",
        "robots-txt",
    }
)
CACHEABLE_QUERY = re.compile(r"(?:page|p)=\d{1,6}")
ALLOWED_VARY = {"cookie", "accept-encoding"}
HIT_HEADER = "X-Page-Cache"
OUTAGE_COPY_SECONDS = 3600


@dataclass(frozen=True)
class Page:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str


# --- Which requests ----------------------------------------------------------------------


def _private_cookies() -> tuple[str, ...]:
    return tuple(
        f"{name}=" for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages")
    )


def is_anonymous_read(environ) -> bool:
    """A GET or HEAD with no newsroom cookie or credentials, outside the newsroom's paths:
    what an anonymous reader sends (a WSGI environ or request.META)."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    cookies = environ.get("HTTP_COOKIE", "")
    if cookies and any(name in cookies for name in _private_cookies()):
        return False
    if "HTTP_AUTHORIZATION" in environ:
        return False
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return not path.startswith(PRIVATE_PREFIXES)


def page_key(environ) -> str | None:
    """The cache key of a request (a WSGI environ or request.META), or None: not cacheable."""
    if not is_anonymous_read(environ):
        return None
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    if query and not CACHEABLE_QUERY.fullmatch(query):
        return None
    host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")).lower()
    scheme = environ.get("wsgi.url_scheme", "http")
    if settings.SECURE_PROXY_SSL_HEADER:
        scheme += "|" + environ.get(settings.SECURE_PROXY_SSL_HEADER[0], "")
    return f"{scheme}|{host}|{path}?{query}"


# --- Where pages are kept ------------------------------------------------------------------


class WorkerMemory:
    """This worker's copies of the current generation's pages, the latest used last."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.token = ""
        self.pages: OrderedDict[str, Page] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()  # gunicorn's threaded workers share it

    def get(self, token: str, key: str) -> Page | None:
        with self.lock:
            if token != self.token:
                return None
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, token: str, key: str, page: Page) -> None:
        with self.lock:
            self._put(token, key, page)

    def _put(self, token: str, key: str, page: Page) -> None:
        if token != self.token:
            self.clear()
            self.token = token
        if len(page.body) > self.max_bytes:
            return
        old = self.pages.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.pages[key] = page
        self.size += len(page.body)
        while self.size > self.max_bytes:
            _, dropped = self.pages.popitem(last=False)
            self.size -= len(dropped.body)

    def clear(self) -> None:
        self.pages.clear()
        self.size = 0


memory = WorkerMemory(max_bytes=0)


def _memory() -> WorkerMemory:
    memory.max_bytes = settings.PAGE_CACHE_WORKER_BYTES
    return memory


_release = ""


def release() -> str:
    """A digest of the code, templates and static manifest this worker renders with.

    In every shared key, so after a deploy (or a reload) no page rendered by the old code is
    served, while workers of the same release, on any machine, share their pages.
    """
    global _release
    if not _release:
        digest = hashlib.blake2b(digest_size=8)
        base = Path(settings.BASE_DIR)
        sources = sorted(
            path
            for folder in ("smartchunks", "articles", "authors", "templates")
            for pattern in ("*.py", "*.html", "*.txt", "*.xml")
            for path in (base / folder).rglob(pattern)
        )
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        for path in [*sources, manifest]:
            with contextlib.suppress(OSError):
                digest.update(
                    str(path.relative_to(base) if path.is_relative_to(base) else path).encode()
                )
                digest.update(path.read_bytes())
        _release = digest.hexdigest()
    return _release


def _shared_key(token: str, key: str) -> str:
    # The request's part as a digest: a path may hold spaces, control characters or 2,000
    # characters, which cache backends warn about (memcached refuses them).
    request_part = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    return f"page:{page_generation.namespace()}:{release()}:{token}:{request_part}"


# The shared store failed: skip it for a few seconds rather than wait on it every request.
_store_down_until = 0.0
STORE_RETRY_SECONDS = 5.0


def _store_usable() -> bool:
    return time.monotonic() >= _store_down_until


def _store_failed(action: str) -> None:
    global _store_down_until
    _store_down_until = time.monotonic() + STORE_RETRY_SECONDS
    logger.warning("Page cache: the shared store failed on %s; no cache for a moment", action)


def find(record, key: str) -> Page | None:
    page = _memory().get(record.token, key)
    if page is not None or not _store_usable():
        return page
    try:
        page = caches[settings.PAGE_CACHE_ALIAS].get(_shared_key(record.token, key))
    except Exception:
        _store_failed("read")
        return None
    if isinstance(page, Page):
        _memory().put(record.token, key, page)
        return page
    return None


def keep(record, key: str, page: Page) -> None:
    _memory().put(record.token, key, page)
    if not _store_usable():
        return
    try:
        # Kept past the record's valid_until, for the outage path (outage_copy); a newer
        # generation never finds it, so it only takes room until it expires or is culled.
        caches[settings.PAGE_CACHE_ALIAS].set(
            _shared_key(record.token, key), page, OUTAGE_COPY_SECONDS
        )
    except Exception:
        _store_failed("write")


def _valid_record():
    """The stored generation record if pages may be served under it now, else None."""
    try:
        record = page_generation.current()
    except page_generation.StoreUnavailable:
        return None  # it failed moments ago, and that was logged
    except Exception:
        _store_failed("read of the generation")
        return None
    if record is None or not record.is_valid(time.time()):
        return None
    return record


# --- Answering -----------------------------------------------------------------------------


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates


def _not_modified(conditions, page: Page) -> bool:
    """A 304 for these request headers (a WSGI environ or request.META)?  Only for the
    page's ETag: a page has no Last-Modified (``_page_of``), so If-Modified-Since alone
    always gets the page."""
    return _etag_matches(conditions.get("HTTP_IF_NONE_MATCH", ""), page.etag)


def _not_modified_headers(page: Page) -> list[tuple[str, str]]:
    keep_names = {"cache-control", "vary", "etag", "content-location", "expires"}
    return [(name, value) for name, value in page.headers if name.lower() in keep_names]


def wrap_wsgi(application):
    """The WSGI application, answering page-cache hits before Django builds a request."""

    def serve(environ, start_response):
        if not settings.PAGE_CACHE_ENABLED:
            return _no_body_for_head(environ, application(environ, start_response))
        try:
            key = page_key(environ)
            record = _valid_record() if key is not None else None
            page = find(record, key) if record is not None else None
        except Exception:  # the cache must never be why a reader gets an error
            logger.exception("Page cache: lookup failed; answering without the cache")
            page = None
        if page is None:
            environ["smartchunks.page_cache.looked"] = True
            return _no_body_for_head(environ, application(environ, start_response))
        if _not_modified(environ, page):
            start_response("304 Not Modified", _not_modified_headers(page))
            return [b""]
        start_response(f"{page.status} {HTTPStatus(page.status).phrase}", list(page.headers))
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    if settings.PAGE_CACHE_ENABLED:
        release()  # at start-up, not in a reader's request
    serve.page_cache_wrapped = application
    return serve


def _no_body_for_head(environ, response):
    """Django leaves dropping a HEAD answer's body to the server; gunicorn sends nothing but
    logs a warning for each one, which a monitor polling with HEAD turns into a flood."""
    if environ.get("REQUEST_METHOD") != "HEAD":
        return response
    close = getattr(response, "close", None)
    if close is not None:
        close()
    return []


def _as_response(page: Page, request) -> HttpResponse:
    if _not_modified(request.META, page):
        response = HttpResponseNotModified()
        for name, value in _not_modified_headers(page):
            response[name] = value
        return response
    response = HttpResponse(page.body, status=page.status)
    for name, value in page.headers:
        response[name] = value
    return response


def _view_name(request) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def _storable(request, response) -> bool:
    match = getattr(request, "resolver_match", None)
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if match is None or match.view_name not in CACHED_VIEWS:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return vary <= ALLOWED_VARY


def _page_of(response) -> Page:
    """The response as a page to keep, with its validator: an ETag of its bytes, the one
    nginx gives the same bytes as a file (front_cache.etag_of).  No Last-Modified (the
    middleware's ``get_response`` removed the views' own before anything sees it): the date a
    feed or sitemap view sends is its newest item's, which stays the same when an article is
    unpublished, an author renamed or a tag changed, so a client or CDN revalidating by date
    would keep the old page; and within one second two versions would share a date."""
    body = response.content
    etag = front_cache.etag_of(body)
    response["ETag"] = etag
    patch_vary_headers(response, ["Cookie"])
    if settings.PAGE_CACHE_SHARED_MAX_AGE:
        patch_cache_control(response, s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE)
    response["Content-Length"] = str(len(body))
    headers = [(name, value) for name, value in response.items() if name != HIT_HEADER]
    return Page(response.status_code, (*headers, (HIT_HEADER, "hit")), body, etag)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.view_response = get_response

    def get_response(self, request):
        """The views' answer, without the date a page the cache may keep must not carry
        (``_page_of`` says why): for everyone, stored or not, cache on or off."""
        return _without_date(request, self.view_response(request))

    def __call__(self, request):
        if not settings.PAGE_CACHE_ENABLED:
            return _with_validators(request, self.get_response(request))
        key = page_key(request.META)
        if key is None:
            return self.get_response(request)
        if not request.META.get("smartchunks.page_cache.looked"):
            record = _valid_record()
            page = find(record, key) if record is not None else None
            if page is not None:
                return _as_response(page, request)
        if _view_name(request) not in CACHED_VIEWS:
            return self.get_response(request)
        try:
            # Read before rendering: the page then holds at least this record's data.
            record = page_generation.current_or_renewed()
        except page_generation.StoreUnavailable:
            return self.get_response(request)  # Redis failed moments ago: logged then
        except Exception:
            logger.warning("Page cache: no generation (database or store down); not caching")
            return self.get_response(request)
        # The replica choice below needs the same record (smartchunks/replicas.py).
        request.page_generation_record = record
        response = self.get_response(request)
        if not _storable(request, response):
            return response
        page = _page_of(response)
        response[HIT_HEADER] = "miss"
        if request.method != "GET":  # a HEAD gets the page's headers; a GET's body is kept
            return _or_not_modified(request, response, page)
        try:
            latest = page_generation.current()
        except Exception:
            return response
        # Stored only if nothing changed while it was rendered, and it is still in time.
        if latest == record and record.is_valid(time.time()):
            keep(record, key, page)
            _keep_for_front_server(record, request, page)
        return _or_not_modified(request, response, page)


def _with_validators(request, response):
    """With the cache off (benchmarks, debugging), a page that would be kept still gets the
    headers it would have (ETag, Vary, s-maxage) and its 304s."""
    if request.method not in ("GET", "HEAD") or not _storable(request, response):
        return response
    return _or_not_modified(request, response, _page_of(response))


def _or_not_modified(request, response, page: Page):
    """The 304 when the request already holds ``page``, else the response."""
    return _as_response(page, request) if _not_modified(request.META, page) else response


def _without_date(request, response):
    """No Last-Modified from a page the cache may keep, whoever asked (a reader with a CSRF
    cookie, staff, a miss)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in CACHED_VIEWS:
        del response["Last-Modified"]
    return response


def _keep_for_front_server(record, request, page: Page) -> None:
    """Also as a file nginx answers without Python (smartchunks/front_cache.py)."""
    if not settings.FRONT_CACHE_WRITER:
        return
    try:
        front_cache.keep_file(record, request, page, release())
    except Exception:  # a full disk costs speed, never the reader's page
        logger.exception("Front cache: could not write the page for nginx")


def outage_copy(request) -> HttpResponse | None:
    """During a database outage: the stored page for this request, if one may be shown.

    Only under the current generation (no write since it was stored: none can happen without
    the database), and only while no published article has expired since (past its
    ``valid_until`` a record may only have missed a *publication*, which hides nothing).
    When the generation cannot be read (Redis down too), nothing is served: a page stored
    before an unpublish could be shown.
    """
    if not settings.PAGE_CACHE_ENABLED:
        return None
    key = page_key(request.META)
    if key is None:
        return None
    try:
        record = page_generation.current()
    except Exception:
        return None
    if record is None or not record.shows_nothing_expired(time.time()):
        return None
    page = find(record, key)
    return None if page is None else _as_response(page, request)


def clear() -> None:
    """Every stored page becomes unreachable on every worker (a new generation)."""
    page_generation.forget()
    memory.clear()
