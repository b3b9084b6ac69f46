"""Sending a stored media file, once the caller has decided who may have it.

With ``settings.MEDIA_ACCEL_PREFIX`` set, the front server sends the bytes: the response is
empty and carries ``X-Accel-Redirect: <prefix><name>``, which nginx answers from an
``internal`` location aliased to MEDIA_ROOT (nginx also answers conditional requests from
the file's own ETag and Last-Modified).  Without it (tests, ``runserver``) Django sends the
file itself.  Either way a missing file, or a folder, is the same 404 as any unknown URL.
"""

from __future__ import annotations

import mimetypes
import os
import stat

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.static import was_modified_since


def file_response(request, name: str) -> HttpResponse:
    """The stored file ``name`` (checked by media_paths.stored_name), or Http404."""
    try:
        full_path = safe_join(settings.MEDIA_ROOT, name)
        found = os.stat(full_path)
    except (SuspiciousFileOperation, OSError, ValueError) as error:
        raise Http404 from error
    if not stat.S_ISREG(found.st_mode):
        raise Http404  # a folder: never a listing
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    prefix = settings.MEDIA_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix}{name}"
        return response
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), found.st_mtime):
        return HttpResponseNotModified()
    response = FileResponse(open(full_path, "rb"), content_type=content_type)  # noqa: SIM115
    response["Last-Modified"] = http_date(found.st_mtime)
    return response
