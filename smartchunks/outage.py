"""A database outage is a 503 with ``Retry-After``, never a 500.

While PostgreSQL is unreachable every query raises ``OperationalError`` (cannot connect)
or ``InterfaceError`` (a connection that died under us).  This middleware turns those into
the site's styled 503 page, rendered without the database: no ``request.user``, no session,
no context processor that could query.  Who is staff cannot be asked either, so any request
that carries a session cookie, and everything under the newsroom's paths, is answered
``private, no-store``; anonymous outage pages are ``no-store`` too, so no cache keeps one.

Recovery needs nothing from here: with ``CONN_HEALTH_CHECKS`` Django drops a dead persistent
connection and reconnects on the next request once the server is back.

Where it sits: near the top of MIDDLEWARE (below the security headers and WhiteNoise, so
the page gets them and static files keep flowing).  Its ``process_exception`` catches what
views and lazily rendered templates raise, before Django's own 500 handling, so nothing logs
a traceback.  Django wraps every middleware so that an exception raised inside one never
reaches the middleware above it: it becomes a call to ``handler500`` on the spot.  So
``server_error`` (the project's ``handler500``) is the net for an outage that surfaces in
another middleware (a session read on the way out, say): it answers the same 503.

Public pages in the page cache keep being served during an outage: hits never reach
Django, and a page whose generation ran out is served from ``page_cache_copy`` instead of
the 503 while nothing it shows can have expired.
"""

from __future__ import annotations

import logging
import sys

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views import defaults

# Newsroom paths: the page cache never holds them, and an outage page there is private whoever
# asks (the database cannot say who).
from articles.reader.privacy import is_private_request
from smartchunks import stalled_queries
from smartchunks.context_processors import site
from smartchunks.page_cache import outage_copy

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
# Long enough not to hammer a recovering server, short enough that a reader's retry lands
# soon after a restart (the local cluster is back in about a second).
RETRY_AFTER_SECONDS = 5


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_DOWN)


def page_cache_copy(request) -> HttpResponse | None:
    """The page cache's stored copy of this public page, if it may be shown instead of the
    503 (smartchunks/page_cache.py, ``outage_copy``, says when)."""
    return outage_copy(request)


def outage_response(request, error: BaseException) -> HttpResponse:
    """The 503 page, or the page cache's copy of a public page when it has one."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
    replica = getattr(request, "replica_alias", None)
    if replica and connections[replica].errors_occurred:
        # smartchunks/replicas.py answers the request again from the primary: the reader
        # gets no 503, and the log must not say so.
        logger.warning(
            "Replica %s failed mid-request, answering again from the primary: %s %s (%s: %s)",
            replica,
            request.method,
            request.path,
            type(error).__name__,
            reason,
        )
    else:
        logger.warning(
            "Database unavailable, answered 503: %s %s (%s: %s)",
            request.method,
            request.path,
            type(error).__name__,
            reason,
        )
    if not is_private_request(request):
        cached = page_cache_copy(request)
        if cached is not None:
            return cached
    response = HttpResponse(_render_page(request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if is_private_request(request):
        add_never_cache_headers(response)  # the same "private, no-store" staff pages carry
    else:
        patch_cache_control(response, no_store=True, max_age=0)
    response.database_outage = True  # PrivateResponsesMiddleware: headers already decided
    return response


def _render_page(request) -> str:
    context = site(request)
    try:
        # No request passed: a plain Context, so no context processor runs.
        return render_to_string("503.html", context)
    except Exception:  # the outage page itself must never turn into a 500
        logger.exception("The 503 template failed; answering in plain text")
        return (
            "<!doctype html><title>Back in a moment</title>"
            "<h1>We will be back in a moment</h1>"
            "<p>The site cannot reach its database. Please try again in a few seconds.</p>"
        )


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A server that stops answering mid-query is cut off after DB_STALL_SECONDS, so it
        # ends here as an OperationalError too (smartchunks/stalled_queries.py).
        with stalled_queries.watched():
            return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return outage_response(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """handler500: an outage that escaped the middleware is still a 503, anything else a 500."""
    error = sys.exc_info()[1]
    if is_database_outage(error):
        response = outage_response(request, error)
        # outage_response logged one line; spare the log Django's traceback for each
        # request of an outage (django.utils.log.log_response honours this mark).
        response._has_been_logged = True
        return response
    return defaults.server_error(request, template_name=template_name)
