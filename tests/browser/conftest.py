"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

`playwright install` cannot download browsers on these machines, so the browser is the
system Chromium.  A missing browser is a failure, never a skip: CI installs it (.ci/run).
"""

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

# live_server runs Django in a thread while Playwright's sync API holds an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
            "or set CHROMIUM_PATH. Browser tests never skip."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture
def admin_login(page, live_server):
    """Log ``username`` (with ``password``) into the admin, in ``on`` or the test's page."""

    def login(username: str, password: str = "correct-horse-42!", *, on=None):
        tab = on or page
        tab.goto(f"{live_server.url}/admin/login/")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(password)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(f"{live_server.url}/admin/")

    return login


class QuietGate:
    """Wraps the live server's site: counts requests in flight and can shut them out.

    A page's last requests outlive the test: closing a tab sends the editing-presence
    beacon and the autosave keepalive, and a heartbeat can be on its way.  If one of them
    writes while pytest-django empties the database (TRUNCATE), PostgreSQL finds a deadlock
    and the test errors in teardown.  So before the flush the gate closes: requests already
    inside finish, later ones get a 503 without touching the database.
    """

    def __init__(self):
        self._changed = threading.Condition()
        self._in_flight = 0
        self._open = True

    def wrap(self, application):
        def gated(environ, start_response):
            with self._changed:
                if not self._open:
                    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                    return [b"The test is over; its database is being emptied."]
                self._in_flight += 1
            try:
                response = application(environ, start_response)
            except BaseException:
                self._leave()
                raise
            return _ClosingHook(response, self._leave)

        return gated

    def open(self):
        with self._changed:
            self._open = True

    def close_and_wait(self, timeout=30.0):
        with self._changed:
            self._open = False
            if not self._changed.wait_for(lambda: self._in_flight == 0, timeout=timeout):
                raise RuntimeError(
                    f"{self._in_flight} live-server request(s) still running after {timeout} s; "
                    "the database cannot be emptied safely"
                )

    def _leave(self):
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()


class _ClosingHook:
    """The response, plus a call once the server has closed it (Django's request_finished)."""

    def __init__(self, response, on_close):
        self._response = response
        self._on_close = on_close

    def __iter__(self):
        return iter(self._response)

    def close(self):
        try:
            close = getattr(self._response, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()


LIVE_SERVER_GATE = QuietGate()


@pytest.fixture(scope="session", autouse=True)
def media_through_the_site():
    """/media/ in the browser goes through the site's media view, as in production.

    Django's live server otherwise answers /media/ itself, straight from MEDIA_ROOT
    (django.test.testcases._MediaFilesHandler), and would show a draft's pictures to anyone.
    The same hook puts the quiet gate around the site.
    """
    from django.test import testcases

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testcases, "_MediaFilesHandler", LIVE_SERVER_GATE.wrap)
        yield


@pytest.fixture(autouse=True)
def quiet_live_server_before_the_flush(request):
    """Let no browser request write while the database is emptied after the test.

    The database fixture is set up first so that it is torn down (flushed) after this one;
    the test's page is set up later, so it is closed before this one shuts the gate.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    LIVE_SERVER_GATE.open()
    yield
    LIVE_SERVER_GATE.close_and_wait()
