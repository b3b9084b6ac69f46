"""`make run` and `make dev` as a person starts them, each on a fresh database.

`make run` on a fresh clone prints a few lines (at most 15 after the install step) and ends
with the site's address, the admin's and the admin login it just created; started again, it
says the database is up to date and shows no password.  `make dev` serves with Django's
development server from a copy of the checkout: a template edited in the copy shows in the
next response, without a restart.

The install step is left out (`make -o .venv/.installed`, for each install stamp): the shared virtualenv is already
installed, and the issue counts the lines after it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from articles.management import demo_content
from tests.helpers.databases import database_url, on_server
from tests.helpers.stack import free_port

BASE_DIR = Path(settings.BASE_DIR)
MAX_LINES_AFTER_INSTALL = 15
# `make db` prints one line when it starts the local PostgreSQL (smartchunks/localdb.py); here
# DATABASE_URL is given, so it prints nothing, and the budget keeps room for that line.
LOCAL_DATABASE_LINES = 1
START_DEADLINE = 180
EDIT_DEADLINE = 30
TOUCH_EVERY = 2
DEMO_ARTICLE = demo_content.ARTICLES[0]["slug"]


@pytest.fixture
def fresh_database():
    """An empty database, as on a fresh clone (named after this run's test database)."""
    database = settings.DATABASES["default"]
    test_name = database.get("TEST", {}).get("NAME") or f"test_{database['NAME']}"
    name = f"{test_name.removesuffix('_make')}_make"
    on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    on_server(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site_dir():
    """Static files, media, page cache and nginx's folder; in /tmp itself, where nginx's
    workers can enter (pytest's tmp_path may be closed to them)."""
    folder = Path(tempfile.mkdtemp(prefix="smartchunks-make-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _environment(database_url: str, folder: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "SMARTCHUNKS_", "MAKE", "GUNICORN_"))
        and key not in {"VERBOSE", "PORT", "DATABASE_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        PORT=str(port),
        WEB_CONCURRENCY="2",
        DJANGO_STATIC_ROOT=str(folder / "static"),
        DJANGO_MEDIA_ROOT=str(folder / "media"),
        SMARTCHUNKS_PAGE_CACHE_DIR=str(folder / "page-cache"),
        SMARTCHUNKS_FRONT_DIR=str(folder / "front"),
        # easy-thumbnails warns in every process that it has no SVG support.
        PYTHONWARNINGS="ignore:Could not import VIL",
    )
    return env


def _installed_stamps() -> list[str]:
    """The Makefile's install stamps (``$(VENV)/.installed…``), as make's ``-o`` options: the
    install step is done and is not what is counted; a copy must not reinstall."""
    stamps = re.findall(r"^\$\(VENV\)/(\.[\w.-]+)\s*:", (BASE_DIR / "Makefile").read_text(), re.M)
    assert stamps, "no install stamp found in the Makefile"
    return [option for stamp in stamps for option in ("-o", f".venv/{stamp}")]


class MakeProcess:
    """`make <target>` in its own process group (Ctrl-C reaches it as it would from a
    terminal), its output collected line by line."""

    def __init__(self, target: str, *, cwd: Path, env: dict[str, str]):
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603
            ["make", "--no-print-directory", *_installed_stamps(), target],  # noqa: S607
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            process_group=0,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, wanted: str, deadline: float = START_DEADLINE) -> int:
        """The number of lines printed up to and including the first that contains
        ``wanted``."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            for number, line in enumerate(list(self.lines), start=1):
                if wanted in line:
                    return number
            if self.process.poll() is not None:
                self.reader.join(5)
                pytest.fail(f"make exited ({self.process.returncode}):\n{self.output()}")
            time.sleep(0.2)
        pytest.fail(f"no {wanted!r} within {deadline} s:\n{self.output()}")

    def stop(self) -> int:
        """Ctrl-C, as from a terminal; the exit status (make's own: it ends by SIGINT too)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()
        finally:
            self.reader.join(5)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def _run_site(database_url: str, folder: Path) -> list[str]:
    """`make run` until the site answers, then Ctrl-C; its lines up to the closing block's
    end."""
    port = free_port()
    make = MakeProcess("run", cwd=BASE_DIR, env=_environment(database_url, folder, port))
    try:
        count = make.wait_for_line("Ctrl-C stops the site.")
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200, make.output()
        assert "Smart Chunks" in page
        printed = make.lines[:count]
    finally:
        make.stop()
    # The servers stopped in order and said nothing about it.
    assert not re.search(r"\b(ERROR|CRITICAL)\b|error:|Traceback", make.output()), make.output()
    return printed


def test_make_run_on_a_fresh_clone_is_short_and_ends_with_the_addresses_and_login(
    fresh_database, site_dir
):
    lines = _run_site(fresh_database, site_dir)
    text = "\n".join(lines)
    assert len(lines) + LOCAL_DATABASE_LINES <= MAX_LINES_AFTER_INSTALL, text
    # Migrations in one line, not one a migration.
    assert re.search(r"^Applied \d+ migrations\.$", text, re.MULTILINE), text
    assert "Applying " not in text
    block = text[text.index("Smart Chunks is ready at") :]
    assert re.search(r"ready at http://127\.0\.0\.1:\d+/$", block.splitlines()[0]), block
    assert re.search(r"Admin: http://127\.0\.0\.1:\d+/admin/", block), block
    password = re.search(r"user: admin\s+password: (\S+)", block)
    assert password, block

    # Started again: nothing to migrate, the login exists, its password is not shown again.
    again = _run_site(fresh_database, site_dir)
    text = "\n".join(again)
    assert len(again) + LOCAL_DATABASE_LINES <= MAX_LINES_AFTER_INSTALL, text
    assert "Database up to date." in again
    assert "Admin login: admin (password unchanged)" in text
    assert "password:" not in text and password.group(1) not in text


def test_verbose_prepare_shows_every_step_as_before(fresh_database, site_dir):
    env = _environment(fresh_database, site_dir, free_port())
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "smartchunks.site_start", "prepare"],
        cwd=BASE_DIR,
        env={**env, "VERBOSE": "1"},
        capture_output=True,
        text=True,
        timeout=START_DEADLINE,
        check=True,
    )
    assert "Applying articles.0001_initial... OK" in result.stdout
    count = len(demo_content.ARTICLES)
    assert f"Demo content ready: {count} articles ({count} created" in result.stdout
    assert "password: " in result.stdout


def _copy_of_checkout(destination: Path) -> Path:
    """The checkout's code and templates, with the shared virtualenv linked in."""
    shutil.copytree(  # copy2 keeps the times: make sees the install as done
        BASE_DIR,
        destination,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "node_modules", "__pycache__", "docs", "tests", ".*cache"
        ),
    )
    (destination / ".venv").symlink_to((BASE_DIR / ".venv").resolve())
    return destination


def test_make_dev_shows_an_edited_template_in_the_next_response_without_a_restart(
    fresh_database, site_dir, tmp_path
):
    checkout = _copy_of_checkout(tmp_path / "checkout")
    port = free_port()
    page_url = f"http://127.0.0.1:{port}/articles/{DEMO_ARTICLE}/"
    make = MakeProcess("dev", cwd=checkout, env=_environment(fresh_database, site_dir, port))
    try:
        make.wait_for_line("Quit the server with CONTROL-C.")
        status, page = _get(page_url)
        assert status == 200, make.output()
        # DEBUG is on: static files by their plain names, from the development server.
        assert 'href="/static/css/site.css"' in page
        assert _get(f"http://127.0.0.1:{port}/static/css/site.css")[0] == 200
        marker = "Edited while make dev runs"
        assert marker not in page

        template = checkout / "templates" / "articles" / "article_body.html"
        template.write_text(
            template.read_text().replace(
                '<article class="article">',
                f'<article class="article"><p class="dev-probe">{marker}</p>',
            )
        )
        end = time.monotonic() + EDIT_DEADLINE
        touched = time.monotonic()
        while marker not in page and time.monotonic() < end:
            time.sleep(0.3)
            status, page = _get(page_url)
            # Django's StatReloader takes a file's first mtime as its baseline, and its first
            # sweep of the files can end after the server answers (slow on a busy machine):
            # an edit made before then is never seen.  Saving again, as a person would, is.
            if time.monotonic() - touched > TOUCH_EVERY:
                os.utime(template)
                touched = time.monotonic()
        assert marker in page, make.output()
        assert status == 200
        # The template was picked up by the running server, not by restarting it.
        assert "changed, reloading" not in make.output()
    finally:
        make.stop()
