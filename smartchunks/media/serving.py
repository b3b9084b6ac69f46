"""Sending a stored media file, once the caller has decided who may have it.

With ``settings.MEDIA_ACCEL_PREFIX`` set, the front server sends the bytes: the response is
empty and carries ``X-Accel-Redirect``, which nginx answers from an ``internal`` location
(smartchunks/frontserver.py).  With files on disk that location is aliased to MEDIA_ROOT and
the header is ``<prefix><name>``; with a bucket it proxies to the bucket and the header is
``<prefix><path and query of a signed URL>``, valid for a minute, so nginx streams the
object from the bucket and no Python process holds its bytes, nor waits on the bucket (it
is not asked first: nginx turns the bucket's 404 into ours).  nginx answers conditional
requests from the file's, or the object's, own ETag and Last-Modified.  Without a front
server (tests, ``runserver``) Django sends the file itself, read through the storage.
Either way a missing file, or a folder, is the same 404 as any unknown URL, and a bucket
that does not answer is a 503 from Django (nginx: its 502 page), never a 500.
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
    prefix = settings.MEDIA_ACCEL_PREFIX
    if prefix and settings.MEDIA_BUCKET:
        # No HEAD request first: the worker never waits on the bucket.  nginx answers an
        # object the bucket does not have with the same 404 (smartchunks/frontserver.py).
        try:
            target = _signed_target(storage, name)
        except StorageUnavailable:  # e.g. no credentials to sign with
            logger.exception("Could not sign a URL of %s", name)
            return _unavailable()
        return _accel_response(name, prefix + target)
    try:
        found = storage.stored_file(name)
    except StorageUnavailable:
        logger.exception("The media storage did not answer for %s", name)
        return _unavailable()
    if found is None:
        raise Http404
    content_type = _content_type(name)
    if prefix:
        return _accel_response(name, prefix + name)
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


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _accel_response(name: str, target: str) -> HttpResponse:
    response = HttpResponse(content_type=_content_type(name))
    response["X-Accel-Redirect"] = target
    return response


def _signed_target(storage, name: str) -> str:
    """The path and query of a short-lived signed URL of the object (nginx's location puts
    the bucket's origin in front)."""
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
