"""Image upload from the body editor (CKEditor), checked before django-ckeditor stores it."""

import json
import re

from ckeditor_uploader import views as ckeditor_views
from ckeditor_uploader.views import ImageUploadView
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from smartchunks.media.images import checked_image_format, name_by_format

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


# CKEditor 4 posts its own ckCsrfToken, not Django's token; the session cookie is
# SameSite=Lax, so a cross-site form cannot post here with an editor's session.
@csrf_exempt
@require_POST
@login_required
def ckeditor_upload(request):
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
    return _store_upload(request)


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
