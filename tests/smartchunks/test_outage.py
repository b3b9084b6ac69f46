"""The outage page, in process: every query fails as it does while PostgreSQL is down.

The real stack (gunicorn, a stopped cluster, recovery) is in test_database_outage.py; these
cover each rule of smartchunks/outage.py on its own.
"""

import socket
import time
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client

from smartchunks import outage
from tests.factories import make_article

HEADING = '<h1 class="page-title">We will be back in a moment</h1>'


@pytest.fixture
def database_down():
    """Every query raises, as with a server that refuses connections."""
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection to server failed: No such file or directory"),
    ):
        yield


@pytest.fixture
def article(db):
    return make_article(title="Chips, explained")


def test_an_anonymous_reader_gets_the_styled_503_that_no_cache_keeps(
    client, article, database_down
):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "public" not in cache_control
    page = response.content.decode()
    # The site's own page (header, search, footer), not the plain fallback: rendering it
    # asked nothing of the database, or it would have failed here.
    assert HEADING in page
    assert 'class="site-header"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert "Chips, explained" not in page


def test_the_home_page_is_a_503_too(client, article, database_down):
    response = client.get("/")
    assert response.status_code == 503
    assert HEADING in response.content.decode()


def test_staff_in_the_admin_get_private_no_store(client, db, database_down):
    client.cookies["sessionid"] = "an-editor-session"
    response = client.get("/admin/articles/article/")
    assert response.status_code == 503
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert HEADING in response.content.decode()


def test_previews_are_private_no_store_without_asking_who_is_staff(client, article, database_down):
    response = client.get(f"/preview/articles/{article.pk}/")
    assert response.status_code == 503
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("path", "private"),
    [
        ("/admin/", True),
        ("/ckeditor/upload/", True),
        ("/preview/articles/1/", True),
        ("/", False),
        ("/articles/chips/", False),
        ("/administrators-explained/", False),
    ],
)
def test_which_requests_count_as_private_during_an_outage(rf, path, private):
    assert outage.is_private_request(rf.get(path)) is private


def test_a_reader_with_a_session_cookie_is_answered_privately(client, article, database_down):
    client.cookies["sessionid"] = "a-session-the-database-cannot-look-up"
    response = client.get("/")
    assert response.status_code == 503
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    # The cookie is kept: staff are not signed out by an outage.
    assert "sessionid" not in response.cookies


def test_an_outage_met_outside_a_view_is_still_a_503(db, database_down):
    """/healthz answers for itself, then the session is read on the way out and fails there:
    Django turns that into handler500, which must answer the outage page too."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "an-editor-session"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert "private" in response["Cache-Control"]


def test_other_errors_stay_500(rf):
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        response = outage.server_error(rf.get("/"))
    assert response.status_code == 500


def test_a_broken_outage_template_still_answers_503(client, article, database_down):
    with mock.patch.object(outage, "render_to_string", side_effect=RuntimeError("template")):
        response = client.get("/")
    assert response.status_code == 503
    assert b"We will be back in a moment" in response.content


def test_the_page_cache_seam_serves_a_stored_public_page(client, article, database_down):
    stored = outage.HttpResponse("a stored copy of the home page")
    with mock.patch.object(outage, "page_cache_copy", return_value=stored):
        assert client.get("/").content == b"a stored copy of the home page"
        client.cookies["sessionid"] = "staff"
        assert client.get("/").status_code == 503  # never a shared copy for a session


def test_connecting_to_a_server_that_never_answers_gives_up_within_seconds(django_db_blocker):
    """A database host that accepts the connection and then says nothing (a hung server, a
    black-holed network) must not hold a request for long: connect_timeout bounds it."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nobody ever answers
        settings_dict = {
            **connection.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": str(silent.getsockname()[1]),
        }
        assert settings_dict["OPTIONS"]["connect_timeout"] <= 2
        wrapper = DatabaseWrapper(settings_dict, alias="silent")
        started = time.monotonic()
        with django_db_blocker.unblock(), pytest.raises(OperationalError):
            wrapper.ensure_connection()
        assert time.monotonic() - started < 5
