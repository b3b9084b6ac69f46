"""What nginx serves itself (static files) and what it tells Django about the reader."""

import gzip
import re

import pytest

from tests.factories import make_article
from tests.frontserver.rawhttp import Client
from tests.helpers.stack import manifest_name

YEAR = "public, max-age=31536000, immutable"


def test_hashed_static_files_come_from_nginx_cached_for_a_year_and_gzipped(stack):
    static_root = stack.static_root()
    hashed = manifest_name(static_root, "css/site.css")
    original = (static_root / hashed).read_bytes()
    reader = Client(stack.url)

    zipped, zipped_body = reader.get(f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
    plain, plain_body = reader.get(f"/static/{hashed}")

    assert zipped.status == plain.status == 200
    assert zipped.headers["Cache-Control"] == plain.headers["Cache-Control"] == YEAR
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped_body) == original
    assert plain.headers.get("Content-Encoding") is None
    assert plain_body == original
    assert zipped.headers["Content-Type"] == "text/css"
    assert zipped.headers["Server"] == "nginx"
    assert f"/static/{hashed}" not in stack.log()  # gunicorn never saw it


def test_unhashed_static_names_are_not_cached_for_long(stack):
    response, _ = Client(stack.url).get("/static/css/site.css")
    assert response.status == 200
    assert "immutable" not in response.headers["Cache-Control"]


def test_the_protected_media_location_is_not_reachable_from_outside(stack):
    (stack.run_dir / "media" / "secret.txt").write_text("unreleased")
    response, body = Client(stack.url).get("/_protected_media/secret.txt")
    assert response.status == 404
    assert b"unreleased" not in body


@pytest.mark.usefixtures("transactional_db")
def test_a_readers_own_scheme_headers_do_not_make_links_https(stack):
    """nginx says how the reader came (http here), whatever the reader's headers claim."""
    article = make_article()
    response, body = Client(stack.url).get(
        article.get_absolute_url(),
        **{
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Ssl": "on",
            "X-Forwarded-Protocol": "ssl",
        },
    )
    assert response.status == 200
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', body.decode()).group(1)
    assert canonical == f"{stack.url}{article.get_absolute_url()}"


def _fail_login(client: Client, token: str, *, forwarded_for: str):
    response, _ = client.post_form(
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": "desk", "password": "wrong-guess-123"},
        **{"X-Forwarded-For": forwarded_for},
    )
    return response.status


@pytest.mark.usefixtures("transactional_db")
def test_login_throttling_counts_the_readers_own_address_not_a_header_they_send(stack):
    """A guesser on 127.0.0.2 who writes a new X-Forwarded-For on every try is locked out all
    the same, and the lock-out does not spill over to a colleague on 127.0.0.1."""
    guesser = Client(stack.url, source="127.0.0.2")
    token = guesser.csrf_token("/admin/login/")
    statuses = []
    for attempt in range(1, 11):
        statuses.append(_fail_login(guesser, token, forwarded_for=f"198.51.100.{attempt}"))
        if statuses[-1] == 429:
            break
    assert statuses[-1] == 429, statuses
    assert _fail_login(guesser, token, forwarded_for="203.0.113.99") == 429

    colleague = Client(stack.url, source="127.0.0.1")
    colleague_token = colleague.csrf_token("/admin/login/")
    assert _fail_login(colleague, colleague_token, forwarded_for="127.0.0.2") == 200
