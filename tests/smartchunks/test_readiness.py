"""/readyz: what a load balancer asks before sending readers to a machine.

Ready means the database answers *and* it has every migration this code needs; a machine
started with new code before ``migrate`` ran is kept out of rotation with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from smartchunks import health
from tests.helpers.databases import database_url, on_server
from tests.helpers.stack import free_port

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def migrations_not_yet_seen(monkeypatch):
    """Each test starts as a fresh process would: it has not seen the migrations applied."""
    monkeypatch.setattr(health, "_migrations_applied", False)


@pytest.mark.django_db
def test_ready_when_the_database_answers_and_every_migration_is_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_readiness_is_never_cached_by_the_page_cache_or_a_browser(client):
    first = client.get("/readyz")
    second = client.get("/readyz")
    for response in (first, second):
        assert "no-store" in response["Cache-Control"]
        assert "X-Page-Cache" not in response


def _forget_latest_migration() -> str:
    """Delete the record of the newest applied articles migration: to Django, it is pending."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations"
            " WHERE app = 'articles') RETURNING name"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_not_ready_while_a_migration_is_pending_and_ready_once_it_is_applied(client):
    name = _forget_latest_migration()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"migrations pending: 1\n"
    assert "no-store" in response["Cache-Control"]
    # Asked again while pending: applying it makes the machine ready without a restart.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('articles', %s, now())",
            [name],
        )
    assert client.get("/readyz").content == b"ready\n"


@pytest.mark.django_db
def test_once_ready_the_migration_check_is_not_repeated(client, django_assert_num_queries):
    assert client.get("/readyz").status_code == 200
    # Only the database's answer is asked for from now on: one query.
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readiness_answers_over_plain_http_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_liveness_is_unchanged_by_a_pending_migration(client):
    _forget_latest_migration()
    assert client.get("/healthz").content == b"ok\n"


# --- In a separate process, as a machine would run: other databases ------------------------

ASK_READYZ = textwrap.dedent(
    """
    import django
    django.setup()
    from django.test import Client
    response = Client().get("/readyz")
    print(response.status_code, response.content.decode().strip(), sep="|")
    """
)


def ask_readyz(url: str) -> tuple[int, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "SMARTCHUNKS_"))
    }
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "smartchunks.settings",
            "SMARTCHUNKS_PAGE_CACHE": "off",
        }
    )
    done = subprocess.run(  # noqa: S603 (our interpreter)
        [sys.executable, "-c", ASK_READYZ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    answer = done.stdout.strip().splitlines()[0]
    status, text = answer.split("|", 1)
    return int(status), text


def migrate(url: str, *args: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0", *args],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DATABASE_URL": url,
        },
        check=True,
        timeout=300,
    )


@pytest.fixture
def throwaway_database(django_db_setup, django_db_blocker):
    name = f"{connection.settings_dict['NAME']}_readyz"
    with django_db_blocker.unblock():
        on_server(f'DROP DATABASE IF EXISTS "{name}"')
        on_server(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(name)
        finally:
            on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_one_migration_behind_is_not_ready_until_migrate_runs(throwaway_database):
    previous = sorted(path.stem for path in (BASE_DIR / "articles" / "migrations").glob("0*.py"))[
        -2
    ]
    migrate(throwaway_database, "articles", previous)
    status, text = ask_readyz(throwaway_database)
    assert status == 503
    assert text.startswith("migrations pending: ")
    assert int(text.rsplit(" ", 1)[1]) >= 1
    migrate(throwaway_database)
    assert ask_readyz(throwaway_database) == (200, "ready")


def test_an_unreachable_database_is_a_prompt_503_not_a_500():
    """It answers within the connect timeout (2 s); ask_readyz's own timeout fails a hang."""
    nobody_listens = f"postgres://postgres@127.0.0.1:{free_port()}/smartchunks"
    assert ask_readyz(nobody_listens) == (503, "database unavailable")
