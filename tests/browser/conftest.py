"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

`playwright install` cannot download browsers on these machines, so the browser is the
system Chromium.  A missing browser is a failure, never a skip: CI installs it (.ci/run).
"""

import os
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


@pytest.fixture(scope="session", autouse=True)
def media_through_the_site():
    """/media/ in the browser goes through the site's media view, as in production.

    Django's live server otherwise answers /media/ itself, straight from MEDIA_ROOT
    (django.test.testcases._MediaFilesHandler), and would show a draft's pictures to anyone.
    """
    from django.test import testcases

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(testcases, "_MediaFilesHandler", lambda application: application)
        yield
