"""Admin and editor-upload responses carry the newsroom's Content-Security-Policy: what the
admin and CKEditor 4 need, and no plugins, no foreign base URL, no framing by other sites.
(Before, they carried no policy at all.)  Chromium checks the pages keep to it:
tests/browser/test_newsroom_content_security_policy.py."""

import pytest

from tests.factories import image_upload

NEWSROOM_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self' 'unsafe-inline'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/admin/login/", "/admin/", "/admin/no-such-page/", "/admin/articles/article/"]
)
def test_admin_responses_carry_the_newsroom_policy_signed_in_or_not(client, path):
    assert directives(client.get(path)) == NEWSROOM_DIRECTIVES


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/articles/article/?status__exact=%00",
        "/ckeditor/browse/",
    ],
)
def test_newsroom_pages_carry_the_newsroom_policy(editor_client, path):
    assert directives(editor_client.get(path)) == NEWSROOM_DIRECTIVES


def test_editor_uploads_and_their_refusals_carry_the_newsroom_policy(editor_client):
    stored = editor_client.post("/ckeditor/upload/", {"upload": image_upload()})
    assert stored.status_code == 200
    assert directives(stored) == NEWSROOM_DIRECTIVES
    refused = editor_client.post("/ckeditor/upload/?CKEditorFuncNum=1", {})
    assert refused.status_code == 400
    assert directives(refused) == NEWSROOM_DIRECTIVES
    assert directives(editor_client.get("/ckeditor/upload/")) == NEWSROOM_DIRECTIVES


@pytest.mark.django_db
def test_reader_pages_keep_their_own_stricter_policy(client):
    reader = directives(client.get("/"))
    assert reader["script-src"] == "'self'"
    assert "unsafe-inline" not in client.get("/")["Content-Security-Policy"]
