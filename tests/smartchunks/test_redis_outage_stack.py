"""Redis going away under the real front server (nginx + gunicorn, two workers, REDIS_URL).

The stack's workers keep their pages and the generation record in a real redis-server; the
editor's writes happen in this process, configured the same way (another application
server).  Stopping Redis must leave readers with uncached pages, never a 5xx; a blip during
an unpublish must not bring the withdrawn article back on any worker once Redis returns.
"""

from __future__ import annotations

import http.client
import time

import pytest

from articles.workflow import page_generation, services
from smartchunks import page_cache
from tests.factories import make_article, make_role_user, make_section
from tests.helpers.redis_server import RedisServer
from tests.helpers.stack import Stack, current_database_url

pytestmark = [pytest.mark.frontserver, pytest.mark.django_db(transaction=True)]

REQUESTS = 16
WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def redis_server():
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, redis_server):
    with (
        django_db_blocker.unblock(),
        Stack(
            database_url=current_database_url(), extra_env={"REDIS_URL": redis_server.url}
        ) as running,
    ):
        yield running


@pytest.fixture(autouse=True)
def this_process_uses_the_same_redis(settings, redis_server, stack):
    if redis_server.process.poll() is not None:
        redis_server.start()
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.PAGE_CACHE_GENERATION_IN_CACHE = True
    page_generation._stores.clear()
    page_cache._store_down_until = 0.0
    yield
    if redis_server.paused:
        redis_server.resume()
    if redis_server.process.poll() is not None:
        redis_server.start()
    page_generation._stores.clear()


def get(stack, path: str) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, body, response.getheader("X-Page-Cache", "")
    finally:
        connection.close()


def warm(stack, *paths: str) -> None:
    for path in paths:
        answers = [get(stack, path) for _ in range(REQUESTS)]
        assert sum(1 for _, _, cache in answers if cache == "hit") >= REQUESTS - 2, path


def record_key() -> str:
    return f":1:generation:{page_generation.namespace()}"


def test_with_redis_stopped_every_worker_answers_uncached_and_never_a_5xx(stack, redis_server):
    article = make_article(title="Harbour cranes explained", section=make_section())
    warm(stack, "/", article.get_absolute_url())
    redis_server.stop()
    answers = [get(stack, path) for path in ("/", article.get_absolute_url()) * (REQUESTS // 2)]
    assert {status for status, _, _ in answers} == {200}
    assert all(cache != "hit" for _, _, cache in answers)
    assert all("Harbour cranes explained" in body for _, body, _ in answers)
    assert "Traceback" not in stack.log()
    # Back (restarted, empty): the workers cache again once their pause after a failure ends.
    redis_server.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while get(stack, article.get_absolute_url())[2] != "hit":
        assert time.monotonic() < deadline, "the cache did not come back with Redis"
        time.sleep(0.2)


def test_an_unpublish_during_a_redis_blip_stays_unpublished_on_every_worker(stack, redis_server):
    article = make_article(title="Soon withdrawn", section=make_section())
    editor = make_role_user("Editor")
    warm(stack, "/", article.get_absolute_url())
    stale_record = redis_server.client().get(record_key())
    assert stale_record
    redis_server.pause()
    during = [get(stack, article.get_absolute_url()) for _ in range(4)]
    assert {status for status, _, _ in during} == {200}  # uncached, from the database
    services.unpublish(article, by=editor)  # its renewal cannot reach Redis
    assert {get(stack, article.get_absolute_url())[0] for _ in range(4)} == {404}
    redis_server.resume()
    # Redis is back with its data.  The process whose renewal failed drops the old record.
    deadline = time.monotonic() + WAIT_SECONDS
    while redis_server.client().get(record_key()) == stale_record:
        assert time.monotonic() < deadline, "the record from before the unpublish stayed"
        time.sleep(0.05)
    answers = [get(stack, article.get_absolute_url()) for _ in range(REQUESTS)]
    assert {status for status, _, _ in answers} == {404}
    homes = [get(stack, "/") for _ in range(REQUESTS)]
    assert all(status == 200 and "Soon withdrawn" not in body for status, body, _ in homes)
    assert "Traceback" not in stack.log()
