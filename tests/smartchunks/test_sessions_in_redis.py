"""Sessions with SMARTCHUNKS_SESSIONS_IN_REDIS=1: read from a real Redis, kept in PostgreSQL.

A Redis outage must neither sign anyone out nor fail a request, and a sign-out made while
Redis could not hear of it must not be undone when Redis comes back with its data.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.contrib.sessions.models import Session

from smartchunks import sessions
from tests.factories import make_role_user
from tests.helpers.fresh_settings import in_fresh_interpreter
from tests.helpers.redis_server import RedisServer

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42!"
WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def redis_server():
    with RedisServer() as server:
        yield server


@pytest.fixture
def sessions_in_redis(settings, redis_server):
    """What settings.py sets up for SMARTCHUNKS_SESSIONS_IN_REDIS=1, on the real server."""
    if redis_server.process.poll() is not None:
        redis_server.start()
    redis_server.client().flushdb()
    settings.SESSION_ENGINE = "smartchunks.sessions"
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "sessions",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    sessions._down_until = 0.0
    sessions._stale.clear()
    yield redis_server
    if redis_server.paused:
        redis_server.resume()
    if redis_server.process.poll() is not None:
        redis_server.start()
    sessions._down_until = 0.0
    sessions._stale.clear()


@pytest.fixture
def editor():
    return make_role_user("Editor", password=PASSWORD)


def sign_in(client, user):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    return client.cookies["sessionid"].value


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def cached_copy(redis_server, session_key: str) -> bytes | None:
    return redis_server.client().get(f"sessions:1:django.contrib.sessions.cached_db{session_key}")


def test_a_session_is_written_to_both_and_read_from_redis(client, editor, sessions_in_redis):
    key = sign_in(client, editor)
    assert Session.objects.filter(session_key=key).exists()
    assert cached_copy(sessions_in_redis, key)
    # Read from Redis: the database's session row could go and the editor is still in.
    Session.objects.filter(session_key=key).delete()
    assert signed_in(client)


def test_an_editor_stays_signed_in_and_can_sign_out_while_redis_is_down(
    client, editor, sessions_in_redis, caplog
):
    sign_in(client, editor)
    sessions_in_redis.stop()
    with caplog.at_level(logging.WARNING, logger="smartchunks.sessions"):
        assert signed_in(client)
        assert signed_in(client)
        assert client.post("/admin/logout/").status_code == 200
        assert not signed_in(client)
    assert "using the database alone" in caplog.text


def test_signing_in_works_while_redis_is_down(client, editor, sessions_in_redis):
    sessions_in_redis.stop()
    key = sign_in(client, editor)
    assert signed_in(client)
    assert Session.objects.filter(session_key=key).exists()


def test_a_sign_out_during_a_blip_is_not_undone_when_redis_comes_back(
    client, editor, sessions_in_redis
):
    key = sign_in(client, editor)
    assert cached_copy(sessions_in_redis, key)
    sessions_in_redis.pause()
    assert client.post("/admin/logout/").status_code == 200
    sessions_in_redis.resume()
    # Redis came back holding the signed-in copy; this process drops it in the background.
    deadline = time.monotonic() + WAIT_SECONDS
    while cached_copy(sessions_in_redis, key) is not None:
        assert time.monotonic() < deadline, "the signed-in copy outlived the sign-out"
        time.sleep(0.05)
    # Someone holding the old cookie (a copied one) gets nowhere.
    client.cookies["sessionid"] = key
    assert not signed_in(client)


def test_while_a_stale_copy_waits_to_be_dropped_this_process_does_not_read_it(
    client, editor, sessions_in_redis, monkeypatch
):
    monkeypatch.setattr(sessions, "_keep_dropping", lambda cache: None)  # never drops
    key = sign_in(client, editor)
    sessions_in_redis.pause()
    client.post("/admin/logout/")
    sessions_in_redis.resume()
    sessions._down_until = 0.0
    assert cached_copy(sessions_in_redis, key)  # still there
    client.cookies["sessionid"] = key
    assert not signed_in(client)


def test_a_cached_copy_lives_at_most_the_cache_window(client, editor, sessions_in_redis):
    key = sign_in(client, editor)
    ttl = sessions_in_redis.client().ttl(f"sessions:1:django.contrib.sessions.cached_db{key}")
    assert 0 < ttl <= sessions.CACHE_SECONDS


# --- The setting -----------------------------------------------------------------------------

SHOW_SESSIONS = (
    "from smartchunks import settings as s; "
    "print(s.SESSION_ENGINE if hasattr(s, 'SESSION_ENGINE') else 'database', "
    "s.CACHES.get('sessions', {}).get('LOCATION'))"
)


@pytest.mark.django_db(False)
def test_sessions_stay_in_the_database_unless_asked_for():
    done = in_fresh_interpreter(
        SHOW_SESSIONS,
        env={"REDIS_URL": "redis://127.0.0.1:6379/0", "SMARTCHUNKS_SESSIONS_IN_REDIS": None},
        drop=("DJANGO_", "SMARTCHUNKS_"),
    )
    assert done.stdout.split() == ["database", "None"]


@pytest.mark.django_db(False)
def test_sessions_in_redis_use_the_guarded_engine_on_redis_url():
    done = in_fresh_interpreter(
        SHOW_SESSIONS,
        env={"REDIS_URL": "redis://10.0.0.5:6379/0", "SMARTCHUNKS_SESSIONS_IN_REDIS": "1"},
        drop=("DJANGO_", "SMARTCHUNKS_"),
    )
    assert done.stdout.split() == ["smartchunks.sessions", "redis://10.0.0.5:6379/0"]


@pytest.mark.django_db(False)
def test_sessions_in_redis_without_redis_url_refuse_to_start():
    done = in_fresh_interpreter(
        SHOW_SESSIONS,
        env={"REDIS_URL": None, "SMARTCHUNKS_SESSIONS_IN_REDIS": "1"},
        drop=("DJANGO_", "SMARTCHUNKS_", "REDIS_URL"),
        check=False,
    )
    assert done.returncode != 0
    assert "SMARTCHUNKS_SESSIONS_IN_REDIS needs REDIS_URL" in done.stderr
