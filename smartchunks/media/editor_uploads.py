"""Image upload from the body editor (CKEditor), checked before django-ckeditor stores it.

Uploads carry Django's CSRF token like every other form post of the admin: the editor
plugin static/editor/djangocsrf/plugin.js sends it as ``X-CSRFToken`` on XHR uploads (the
image dialog, pasted and dropped images) and as a form field when the dialog posts its form
into an iframe.  CKEditor's own ``ckCsrfToken`` proves nothing: it is a cookie that any
page on the same site can set, so it is ignored.
"""

import json
import logging
import re
from urllib.parse import urlsplit

from ckeditor_uploader import views as ckeditor_views
from ckeditor_uploader.views import ImageUploadView
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.http import is_same_domain
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from smartchunks.media.images import checked_image_format, name_by_format
from smartchunks.media.storage import StorageUnavailable

logger = logging.getLogger(__name__)

_store_upload = ImageUploadView.as_view()
_CALLBACK_NUMBER = re.compile(r"[0-9]{1,10}")


def _refuse(request, message: str, status: int = 400) -> HttpResponse:
    func_num = request.GET.get("CKEditorFuncNum")
    if func_num:
        # CKEditor's file-browser dialog expects a script calling back into the editor.
        script = (
            "<script>window.parent.CKEDITOR.tools.callFunction("
            f"{json.dumps(escape(func_num))}, '', {json.dumps(message)});</script>"
        )
        return HttpResponse(script, status=status)
    return JsonResponse({"uploaded": 0, "error": {"message": message}}, status=status)


NOT_STORED = (
    "The image could not be stored: the media storage is not answering. Try again in a moment."
)
UPLOAD_URL_NAME = "ckeditor_upload"
NOT_FROM_OUR_EDITOR = (
    "Upload refused: it did not come from this site's editor with a valid security token. "
    "Reload the page and try again."
)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a refused editor upload answers in CKEditor's format, so
    the editor shows the message; every other refusal is Django's own page."""
    match = request.resolver_match
    if match is not None and match.url_name == UPLOAD_URL_NAME:
        return _refuse(request, f"{NOT_FROM_OUR_EDITOR} ({reason})", status=403)
    return django_csrf_failure(request, reason)


def foreign_referer(request) -> str | None:
    """The origin of a Referer that is not this site (nor a trusted origin), else None.

    Django's CSRF middleware refuses a foreign ``Origin``, but reads ``Referer`` only over
    HTTPS; an upload is refused from a foreign page on plain HTTP too.  No Referer at all is
    left to the token check (privacy tools strip it).
    """
    referer = request.META.get("HTTP_REFERER")
    if not referer:
        return None
    sent = urlsplit(referer)
    if sent.scheme == request.scheme and sent.netloc == request.get_host():
        return None
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        allowed = urlsplit(trusted)
        pattern = allowed.netloc.removeprefix("*")  # "*.example.com" -> ".example.com"
        if sent.scheme == allowed.scheme and is_same_domain(sent.netloc, pattern):
            return None
    return f"{sent.scheme}://{sent.netloc}"


# Protected by CsrfViewMiddleware (token and Origin); refusals answer through csrf_failure.
# CKEditor's dialog, in its form-upload mode, shows this answer in a frame of the admin page.
@xframe_options_sameorigin
@require_POST
@login_required
def ckeditor_upload(request):
    foreign = foreign_referer(request)
    if foreign is not None:
        return _refuse(
            request, f"Upload refused: it was sent from another site ({foreign}).", status=403
        )
    if not _may_use_editor_images(request.user):
        return _refuse(request, "You do not have permission to upload images.", status=403)
    func_num = request.GET.get("CKEditorFuncNum")
    if func_num is not None and not _CALLBACK_NUMBER.fullmatch(func_num):
        # django-ckeditor writes this value into a <script> unquoted (HTML-escaping it does
        # nothing there): "1);alert(document.cookie);//" would run on our origin.
        return JsonResponse(
            {"uploaded": 0, "error": {"message": "CKEditorFuncNum must be a number."}},
            status=400,
        )
    upload = request.FILES.get("upload")
    if upload is None:
        return _refuse(request, "No file was sent. Choose an image to upload.")
    try:
        image_format = checked_image_format(upload)
    except ValidationError as error:
        return _refuse(request, " ".join(error.messages))
    # A real PNG called "page.html" would otherwise be served from /media/ as a web page.
    upload.name = name_by_format(image_format)
    try:
        return _store_upload(request)
    except StorageUnavailable:
        # The bucket is down or hung: the editor says so, the article's text is untouched.
        logger.warning("Editor image not stored: the media storage did not answer")
        return _refuse(request, NOT_STORED, status=503)


def _may_use_editor_images(user) -> bool:
    return user.is_staff and (
        user.has_perm("articles.add_article") or user.has_perm("articles.change_article")
    )


@never_cache
@login_required
def ckeditor_browse(request):
    """The editor's "browse server" dialog: the newsroom only, and each user's own uploads.

    Uploads are stored per user (settings.CKEDITOR_RESTRICT_BY_USER), and django-ckeditor
    lists only the requester's folder to anyone but a superuser, so a writer never sees the
    pictures in someone else's unpublished draft.
    """
    if not _may_use_editor_images(request.user):
        raise PermissionDenied
    return ckeditor_views.browse(request)
