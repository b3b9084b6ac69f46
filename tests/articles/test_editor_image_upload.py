"""Images uploaded from the body editor (CKEditor's /ckeditor/upload/ endpoint)."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import image_upload, make_user

UPLOAD_URL = "/ckeditor/upload/"


def _stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def test_real_image_is_stored_under_an_unguessable_name(editor_client, media_in_tmp):
    response = editor_client.post(
        UPLOAD_URL, {"upload": image_upload("secret-merger-plan.png", size=(200, 100))}
    )
    assert response.status_code == 200
    reply = response.json()
    assert str(reply["uploaded"]) == "1"
    assert "secret-merger-plan" not in reply["url"]
    assert "secret-merger-plan" not in reply["fileName"]
    assert reply["url"].startswith("/media/")
    stored = _stored_files(media_in_tmp)
    assert stored, "the image should be on disk"
    assert not any("secret-merger-plan" in path.name for path in stored)
    # The URL CKEditor puts into the body names the stored picture.
    assert (media_in_tmp / reply["url"].removeprefix("/media/")) in stored


def test_two_uploads_with_the_same_name_get_different_urls(editor_client):
    first = editor_client.post(UPLOAD_URL, {"upload": image_upload("same.png")}).json()
    second = editor_client.post(UPLOAD_URL, {"upload": image_upload("same.png")}).json()
    assert first["url"] != second["url"]


def test_upload_that_is_not_an_image_is_refused_with_a_clear_message(editor_client, media_in_tmp):
    text = SimpleUploadedFile("notes.png", b"this is a text file", content_type="image/png")
    response = editor_client.post(UPLOAD_URL, {"upload": text})
    assert response.status_code == 400
    reply = response.json()
    assert reply["uploaded"] == 0
    assert "not an image" in reply["error"]["message"]
    assert _stored_files(media_in_tmp) == []


def test_html_file_upload_is_refused(editor_client, media_in_tmp):
    page = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")
    response = editor_client.post(UPLOAD_URL, {"upload": page})
    assert response.status_code == 400
    assert _stored_files(media_in_tmp) == []


def test_image_over_the_size_limit_is_refused(editor_client, settings, media_in_tmp):
    settings.MAX_IMAGE_UPLOAD_BYTES = 200
    response = editor_client.post(
        UPLOAD_URL, {"upload": image_upload("big.png", size=(300, 300), colour="green")}
    )
    assert response.status_code == 400
    assert "limit" in response.json()["error"]["message"]
    assert _stored_files(media_in_tmp) == []


def test_post_without_a_file_is_refused_clearly(editor_client):
    response = editor_client.post(UPLOAD_URL, {})
    assert response.status_code == 400
    assert "No file" in response.json()["error"]["message"]


def test_refusal_inside_the_editor_dialog_calls_back_with_the_message(editor_client):
    text = SimpleUploadedFile("notes.png", b"text", content_type="image/png")
    response = editor_client.post(f"{UPLOAD_URL}?CKEditorFuncNum=3", {"upload": text})
    assert response.status_code == 400
    body = response.content.decode()
    assert "callFunction" in body
    assert "not an image" in body


@pytest.mark.django_db
def test_anonymous_visitor_cannot_upload(client, media_in_tmp):
    response = client.post(UPLOAD_URL, {"upload": image_upload()})
    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]
    assert _stored_files(media_in_tmp) == []


@pytest.mark.django_db
def test_signed_in_non_staff_user_cannot_upload(client, media_in_tmp):
    client.force_login(make_user())
    response = client.post(UPLOAD_URL, {"upload": image_upload()})
    assert response.status_code == 403
    assert _stored_files(media_in_tmp) == []


@pytest.mark.django_db
def test_staff_without_article_permissions_cannot_upload(client, media_in_tmp):
    client.force_login(make_user(staff=True))
    response = client.post(UPLOAD_URL, {"upload": image_upload()})
    assert response.status_code == 403
    assert "permission" in response.json()["error"]["message"]
    assert _stored_files(media_in_tmp) == []


@pytest.mark.django_db
def test_staff_who_may_edit_articles_can_upload(client):
    user = make_user(staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(user)
    response = client.post(UPLOAD_URL, {"upload": image_upload()})
    assert response.status_code == 200
    assert str(response.json()["uploaded"]) == "1"


def test_get_is_not_an_upload(editor_client):
    assert editor_client.get(UPLOAD_URL).status_code == 405


@pytest.mark.parametrize("disguise", ["page.html", "drawing.svg", "no-suffix", "x.htm"])
def test_real_image_with_a_dangerous_name_is_stored_as_an_image(editor_client, disguise):
    # A picture called page.html must not come back from /media/ as a web page.
    response = editor_client.post(UPLOAD_URL, {"upload": image_upload(disguise)})
    assert response.status_code == 200
    assert response.json()["url"].endswith(".png")
