"""Sending a stored media file, once the caller has decided who may have it.

With ``settings.MEDIA_ACCEL_PREFIX`` set, the front server sends the bytes: the response is
empty and carries ``X-Accel-Redirect``, which nginx answers from an ``internal`` location
(smartchunks/frontserver.py).  With files on disk that location is aliased to MEDIA_ROOT and
the header is ``<prefix><name>``; with a bucket it proxies to the bucket and the header is
``<prefix><path and query of a signed URL>``, valid for a minute, so nginx streams the
object from the bucket and no Python process holds its bytes (nginx answers conditional
requests from the file's, or the object's, own ETag and Last-Modified).  Without a front
server (tests, ``runserver``) Django sends the file itself, read through the storage.
Either way a missing file, or a folder, is the same 404 as any unknown URL, and a bucket
that does not answer is a 503 that says so, never a 500.
"""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date
from django.views.static import was_modified_since

from smartchunks.media.storage import StorageUnavailable

logger = logging.getLogger(__name__)

UNAVAILABLE_RETRY_SECONDS = 30


def file_response(request, name: str) -> HttpResponse:
    """The stored file ``name`` (checked by media_paths.stored_name), or Http404."""
    storage = default_storage
    try:
        found = storage.stored_file(name)
    except StorageUnavailable:
        logger.exception("The media storage did not answer for %s", name)
        return _unavailable()
    if found is None:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = settings.MEDIA_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + _accel_target(storage, name)
        return response
    modified = found.modified.timestamp()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), modified):
        return HttpResponseNotModified()
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError as error:  # removed since the check above
        raise Http404 from error
    except StorageUnavailable:
        logger.exception("The media storage did not send %s", name)
        return _unavailable()
    response = FileResponse(handle, content_type=content_type)
    response["Last-Modified"] = http_date(modified)
    return response


def _accel_target(storage, name: str) -> str:
    """What follows the prefix in X-Accel-Redirect: the name, or with a bucket the path and
    query of a short-lived signed URL (nginx's location adds the bucket's origin)."""
    if not settings.MEDIA_BUCKET:
        return name
    signed = urlsplit(storage.signed_url(name))
    return f"{signed.path.lstrip('/')}?{signed.query}"


def _unavailable() -> HttpResponse:
    response = HttpResponse(
        "Images are unavailable for a moment. Try again shortly.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
