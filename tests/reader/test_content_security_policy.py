"""Reader pages send a strict Content-Security-Policy; the newsroom's admin has its own
(tests/smartchunks/test_newsroom_content_security_policy.py)."""

import pytest

from tests.factories import make_article


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["article", "/", "/search/?q=x", "/no-such-page/"])
def test_reader_pages_allow_only_their_own_scripts_and_styles(client, path):
    if path == "article":
        path = make_article().get_absolute_url()
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self'"
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_the_admin_keeps_working_without_the_reader_policy(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
