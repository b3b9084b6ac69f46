"""Images uploaded from the body editor (CKEditor's /ckeditor/upload/ endpoint)."""

from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import bomb_png, image_upload, make_author, make_role_user, make_user

UPLOAD_URL = "/ckeditor/upload/"
# The pictures meant to trip Pillow's decompression-bomb warning.
bomb_warning_expected = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


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


# --- The endpoint cannot be reached around its checks ---------------------------------------


@pytest.mark.django_db
def test_editor_upload_under_another_path_does_not_skip_the_checks(client, media_in_tmp):
    # django-ckeditor's own upload view answers any path starting with /ckeditor/upload/.
    client.force_login(make_user(staff=True))  # staff, but in no newsroom group
    response = client.post("/ckeditor/upload/x", {"upload": image_upload("a.png")})
    assert response.status_code in (403, 404)
    assert _stored_files(media_in_tmp) == []


def test_upload_callback_number_cannot_inject_script(editor_client, media_in_tmp):
    payload = "1);alert(document.cookie);//"
    response = editor_client.post(
        f"{UPLOAD_URL}?CKEditorFuncNum={payload}", {"upload": image_upload("a.png")}
    )
    assert response.status_code == 400
    assert b"alert(document.cookie)" not in response.content
    assert _stored_files(media_in_tmp) == []
    # The real editor sends a number, and gets its callback.
    response = editor_client.post(
        f"{UPLOAD_URL}?CKEditorFuncNum=7", {"upload": image_upload("a.png")}
    )
    assert response.status_code == 200
    assert b"callFunction(7, '/media/" in response.content


# --- Images too big to decode, or broken ----------------------------------------------------


@bomb_warning_expected
def test_upload_of_a_decompression_bomb_is_refused_clearly(editor_client, media_in_tmp):
    response = editor_client.post(UPLOAD_URL, {"upload": bomb_png()})
    assert response.status_code == 400
    assert "pixels" in response.json()["error"]["message"]
    assert _stored_files(media_in_tmp) == []


@bomb_warning_expected
def test_upload_of_an_image_just_under_pillows_bomb_limit_is_refused_too(
    editor_client, media_in_tmp
):
    # 100 megapixels only warns in Pillow, but decoding it takes 300 MB per copy.
    response = editor_client.post(UPLOAD_URL, {"upload": bomb_png(10000, 10000)})
    assert response.status_code == 400
    assert "pixels" in response.json()["error"]["message"]


def many_frame_gif(frames=60, size=(1200, 1200)) -> SimpleUploadedFile:
    """A small GIF file (identical-ish frames compress well) that decodes to many pixels."""
    first, second = Image.new("P", size, 0), Image.new("P", size, 1)
    buffer = BytesIO()
    rest = [second if i % 2 == 0 else first for i in range(frames - 1)]
    first.save(buffer, format="GIF", save_all=True, append_images=rest, duration=10, disposal=1)
    return SimpleUploadedFile("anim.gif", buffer.getvalue(), content_type="image/gif")


@bomb_warning_expected
def test_animated_gif_with_too_many_pixels_in_all_frames_is_refused(editor_client, media_in_tmp):
    # 60 frames of 1200×1200 is 86 megapixels to decode (metadata stripping copies them all).
    upload = many_frame_gif()
    assert upload.size < 1024 * 1024
    response = editor_client.post(UPLOAD_URL, {"upload": upload})
    assert response.status_code == 400
    assert "60 frames" in response.json()["error"]["message"]
    assert _stored_files(media_in_tmp) == []


@bomb_warning_expected
def test_truncated_image_is_refused_not_a_server_error(editor_client, media_in_tmp):
    whole = image_upload("cut.png", size=(300, 200), colour="red").read()
    cut = SimpleUploadedFile("cut.png", whole[: len(whole) - 40], content_type="image/png")
    response = editor_client.post(UPLOAD_URL, {"upload": cut})
    assert response.status_code == 400
    assert "not an image" in response.json()["error"]["message"]


# --- The editor's "browse server" dialog ----------------------------------------------------


def test_browse_lists_only_the_users_own_uploads(writer_client, media_in_tmp):
    stored = writer_client.post(UPLOAD_URL, {"upload": image_upload("a.png")}).json()
    first_file = stored["url"].rsplit("/", 1)[-1]
    assert writer_client.get("/ckeditor/browse/").content.decode().count(first_file)

    writer_client.force_login(make_role_user("Writer", author=make_author()))
    response = writer_client.get("/ckeditor/browse/")
    assert response.status_code == 200
    assert first_file not in response.content.decode()


@pytest.mark.django_db
def test_browse_is_refused_to_staff_outside_the_newsroom(client):
    client.force_login(make_user(staff=True))
    assert client.get("/ckeditor/browse/").status_code == 403
    assert client.get("/ckeditor/browse/x").status_code == 403
