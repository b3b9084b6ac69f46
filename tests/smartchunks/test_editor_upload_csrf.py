"""/ckeditor/upload/ stores a file only when the post carries Django's CSRF token and comes
from this site: an editor's session cookie alone is not enough (cross-site upload)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import image_upload

UPLOAD_URL = "/ckeditor/upload/"
SITE = "http://testserver"


def _stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


@pytest.fixture
def strict_editor(editor):
    """The test client with CSRF checks on (Django's test client skips them by default),
    signed in as an editor who has opened the article form, so it holds a CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    page = client.get("/admin/articles/article/add/")
    assert page.status_code == 200
    client.form_token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()
    ).group(1)
    return client


def _refusal(response) -> str:
    assert response.status_code == 403
    reply = response.json()
    assert reply["uploaded"] == 0
    return reply["error"]["message"]


def test_upload_without_a_token_is_refused_in_ckeditors_format(strict_editor, media_in_tmp):
    response = strict_editor.post(UPLOAD_URL, {"upload": image_upload()})
    message = _refusal(response)
    assert "security token" in message
    assert "Reload the page" in message
    assert _stored_files(media_in_tmp) == []


def test_ckeditors_own_token_is_not_enough(strict_editor, media_in_tmp):
    # CKEditor 4 posts ckCsrfToken and sets the same value as a cookie itself: any page of
    # the same site can do both.
    strict_editor.cookies["ckCsrfToken"] = "a" * 40
    response = strict_editor.post(UPLOAD_URL, {"upload": image_upload(), "ckCsrfToken": "a" * 40})
    assert "security token" in _refusal(response)
    assert _stored_files(media_in_tmp) == []


def test_dialog_refusal_calls_back_into_the_editor_with_the_message(strict_editor, media_in_tmp):
    response = strict_editor.post(f"{UPLOAD_URL}?CKEditorFuncNum=3", {"upload": image_upload()})
    assert response.status_code == 403
    body = response.content.decode()
    assert "window.parent.CKEDITOR.tools.callFunction(" in body
    assert "security token" in body
    assert _stored_files(media_in_tmp) == []


def test_upload_from_a_foreign_origin_is_refused_even_with_a_token(strict_editor, media_in_tmp):
    response = strict_editor.post(
        UPLOAD_URL,
        {"upload": image_upload()},
        headers={"X-CSRFToken": strict_editor.form_token, "Origin": "http://evil.example"},
    )
    assert "Origin checking failed" in _refusal(response)
    assert _stored_files(media_in_tmp) == []


def test_upload_from_another_port_of_the_same_host_is_refused(strict_editor, media_in_tmp):
    response = strict_editor.post(
        UPLOAD_URL,
        {"upload": image_upload()},
        headers={"X-CSRFToken": strict_editor.form_token, "Origin": f"{SITE}:8081"},
    )
    _refusal(response)
    assert _stored_files(media_in_tmp) == []


def test_upload_with_a_foreign_referer_is_refused_even_with_a_token(strict_editor, media_in_tmp):
    # Over plain HTTP, Django's CSRF middleware does not look at Referer; the view does.
    response = strict_editor.post(
        UPLOAD_URL,
        {"upload": image_upload()},
        headers={
            "X-CSRFToken": strict_editor.form_token,
            "Referer": "http://evil.example/attack.html",
        },
    )
    assert "sent from another site (http://evil.example)" in _refusal(response)
    assert _stored_files(media_in_tmp) == []


def test_upload_with_a_referer_of_a_trusted_origin_is_stored(strict_editor, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.newsroom.example"]
    response = strict_editor.post(
        UPLOAD_URL,
        {"upload": image_upload()},
        headers={
            "X-CSRFToken": strict_editor.form_token,
            "Referer": "https://cms.newsroom.example/admin/",
        },
    )
    assert response.status_code == 200


def test_upload_with_a_wrong_token_is_refused(strict_editor, media_in_tmp):
    response = strict_editor.post(
        UPLOAD_URL, {"upload": image_upload()}, headers={"X-CSRFToken": "x" * 64}
    )
    _refusal(response)
    assert _stored_files(media_in_tmp) == []


def test_upload_with_the_token_header_from_the_editor_page_is_stored(strict_editor, media_in_tmp):
    response = strict_editor.post(
        UPLOAD_URL,
        {"upload": image_upload()},
        headers={
            "X-CSRFToken": strict_editor.form_token,
            "Origin": SITE,
            "Referer": f"{SITE}/admin/articles/article/add/",
        },
    )
    assert response.status_code == 200
    reply = response.json()
    assert str(reply["uploaded"]) == "1"
    assert (media_in_tmp / reply["url"].removeprefix("/media/")) in _stored_files(media_in_tmp)


def test_dialog_form_upload_with_the_token_field_calls_back_with_the_url(
    strict_editor, media_in_tmp
):
    response = strict_editor.post(
        f"{UPLOAD_URL}?CKEditorFuncNum=2",
        {"upload": image_upload(), "csrfmiddlewaretoken": strict_editor.form_token},
        headers={"Origin": SITE},
    )
    assert response.status_code == 200
    assert b"callFunction(2, '/media/" in response.content
    assert _stored_files(media_in_tmp)


def test_other_csrf_refusals_keep_djangos_page(strict_editor):
    response = strict_editor.post("/admin/logout/")
    assert response.status_code == 403
    assert b"CSRF verification failed" in response.content
