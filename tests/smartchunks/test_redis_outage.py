"""Redis going down (REDIS_URL): no cache, never a 5xx, and never a stale page afterwards.

With a real redis-server holding the page cache and the publication generation record
(articles/workflow/page_generation.py, CacheStore).  "Stopped" refuses connections at once;
"paused" (SIGSTOP) is a network blip: nothing answers, every client waits for its 0.5 s
socket timeout, and the server comes back with its data.  The dangerous case: pages cached
under generation G, Redis unreachable, an editor unpublishes (the renewal cannot reach
Redis), Redis comes back still holding G: no one may be served the withdrawn article again.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.test import Client

from articles.models import Article
from articles.workflow import page_generation
from smartchunks import page_cache
from tests.factories import make_article, make_section
from tests.helpers.admin import change_form, change_url
from tests.helpers.redis_server import RedisServer

# Committed writes: the renewal after commit is what fails while Redis is away.
pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def redis_server():
    with RedisServer() as server:
        yield server


def _fresh_process_state():
    page_generation._stores.clear()
    page_cache._store_down_until = 0.0
    page_cache.memory.clear()


@pytest.fixture
def pages_in_redis(settings, redis_server):
    """The settings REDIS_URL gives (smartchunks/settings.py), against the real server."""
    if redis_server.process.poll() is not None:
        redis_server.start()
    redis_server.client().flushdb()
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    settings.PAGE_CACHE_GENERATION_IN_CACHE = True
    _fresh_process_state()
    yield redis_server
    if redis_server.paused:
        redis_server.resume()
    if redis_server.process.poll() is not None:
        redis_server.start()
    _fresh_process_state()


def _without_epoch_watch(monkeypatch) -> None:
    """This process without its database comparison thread (the fixtures' writes started one)."""
    monkeypatch.setattr(page_generation.CacheStore, "watch_epoch", lambda self: None)
    started = list(page_generation._stores.values())
    page_generation._stores.clear()
    for store in started:
        if getattr(store, "_watching", None) is not None:
            store._watching.join(timeout=WAIT_SECONDS)
            assert not store._watching.is_alive()


def _back_with(redis_server, stale_record: bytes) -> None:
    """Redis answers again, holding the record of before the outage.  Commands the outage
    timed out may still reach it as it wakes (a DEL that would drop the record, by luck);
    once they have, the old record is put back: the case where none got through."""
    redis_server.resume()
    time.sleep(0.5)
    redis_server.client().set(record_key(), stale_record)


def record_key() -> str:
    return f":1:generation:{page_generation.namespace()}"


@pytest.fixture
def article():
    return make_article(title="Harbour cranes explained", section=make_section())


@pytest.fixture
def reader():
    return Client()


def cached_everywhere(reader, *paths):
    for path in paths:
        reader.get(path)
        assert reader.get(path)["X-Page-Cache"] == "hit", path


def unpublish_in_the_admin(editor_client, article):
    """As the editor does it: the change form with the status Unpublished."""
    response = editor_client.post(
        change_url(article), change_form(editor_client, article, status="unpublished")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED


def test_pages_are_cached_in_redis(pages_in_redis, reader, article):
    cached_everywhere(reader, "/", article.get_absolute_url())
    assert pages_in_redis.client().exists(record_key())
    assert any(key.startswith(b":1:page:") for key in pages_in_redis.client().scan_iter())


def test_with_redis_stopped_pages_are_served_uncached_and_the_admin_saves(
    pages_in_redis, reader, article, editor_client, caplog
):
    cached_everywhere(reader, "/", article.get_absolute_url())
    pages_in_redis.stop()
    with caplog.at_level(logging.WARNING):
        home = reader.get("/")
        page = reader.get(article.get_absolute_url())
        assert home.status_code == page.status_code == 200
        assert "Harbour cranes explained" in page.content.decode()
        assert page.headers.get("X-Page-Cache") != "hit"
        unpublish_in_the_admin(editor_client, article)
        assert reader.get(article.get_absolute_url()).status_code == 404
        assert "Harbour cranes explained" not in reader.get("/").content.decode()
    assert "could not renew the generation" in caplog.text
    # Redis restarted (empty): the cache fills again, without the withdrawn article.
    pages_in_redis.start()
    page_generation.store()._down_until = 0.0
    page_cache._store_down_until = 0.0
    # The unpublish's renewal failed, so a background thread drops the record once Redis
    # answers (drop_when_back); a page kept before it has done so is dropped with the record.
    dropping = page_generation.store()._dropping
    if dropping is not None:
        dropping.join(timeout=10)
        assert not dropping.is_alive()
    reader.get("/")
    home = reader.get("/")
    assert home["X-Page-Cache"] == "hit"
    assert "Harbour cranes explained" not in home.content.decode()


def test_a_blip_during_an_unpublish_does_not_bring_the_article_back_the_writer_drops_the_record(
    pages_in_redis, reader, article, editor_client, caplog, monkeypatch
):
    # The writer's own drop, alone: the database comparison would drop the record too.
    _without_epoch_watch(monkeypatch)
    cached_everywhere(reader, "/", article.get_absolute_url())
    stale_record = pages_in_redis.client().get(record_key())
    assert stale_record
    pages_in_redis.pause()
    with caplog.at_level(logging.WARNING):
        unpublish_in_the_admin(editor_client, article)
        pages_in_redis.resume()
        # No request is made: the process whose renewal failed drops the record on its own.
        # (Waiting for its word, not for the key: a DEL the outage timed out may reach Redis
        # as it wakes and drop the record first.)
        deadline = time.monotonic() + WAIT_SECONDS
        while "dropped the record a write made while it was unreachable" not in caplog.text:
            assert time.monotonic() < deadline, "the writer never dropped the stale record"
            time.sleep(0.05)
    assert pages_in_redis.client().get(record_key()) != stale_record
    assert reader.get(article.get_absolute_url()).status_code == 404
    assert "Harbour cranes explained" not in reader.get("/").content.decode()


def test_a_worker_that_saw_redis_fail_drops_the_record_on_its_first_contact(
    pages_in_redis,
    reader,
    article,
    editor_client,
    monkeypatch,
    caplog,
):
    """The writer died before Redis came back (no background drop): the record it left is
    still there, and the first worker that had seen Redis fail drops it before reading."""
    monkeypatch.setattr(page_generation.CacheStore, "drop_when_back", lambda self: None)
    # The database comparison (next test) would drop it too; this is the first-contact drop.
    _without_epoch_watch(monkeypatch)
    cached_everywhere(reader, "/", article.get_absolute_url())
    monkeypatch.setattr(page_generation, "STORE_RETRY_SECONDS", 0.0)
    monkeypatch.setattr(page_cache, "STORE_RETRY_SECONDS", 0.0)
    stale_record = pages_in_redis.client().get(record_key())
    pages_in_redis.pause()
    unpublish_in_the_admin(editor_client, article)
    assert reader.get(article.get_absolute_url()).status_code == 404  # uncached, from the db
    _back_with(pages_in_redis, stale_record)
    # The danger is real: Redis is back holding the record every old page is stored under.
    assert pages_in_redis.client().get(record_key()) == stale_record
    with caplog.at_level(logging.WARNING):
        answers = [reader.get(article.get_absolute_url()).status_code for _ in range(3)]
        home = reader.get("/")
    assert answers == [404, 404, 404]
    assert "Harbour cranes explained" not in home.content.decode()
    assert "dropped its record" in caplog.text
    assert pages_in_redis.client().get(record_key()) != stale_record


def test_a_record_older_than_a_committed_change_is_dropped_by_every_process(
    pages_in_redis, reader, article, editor_client, monkeypatch, caplog
):
    """The reviewer's case: the writer's process is gone before Redis answers again (a
    deploy's reload), and the other processes never saw Redis fail: the record it left
    behind would serve the unpublished article until it ran out (300 s).  The change was
    counted in the database, and every process's comparison drops the record."""
    monkeypatch.setattr(page_generation.CacheStore, "drop_when_back", lambda self: None)
    monkeypatch.setattr(page_generation, "STORE_RETRY_SECONDS", 0.0)
    monkeypatch.setattr(page_cache, "STORE_RETRY_SECONDS", 0.0)
    cached_everywhere(reader, "/", article.get_absolute_url())
    stale_record = pages_in_redis.client().get(record_key())
    pages_in_redis.pause()
    unpublish_in_the_admin(editor_client, article)
    # A process that remembers nothing of the outage (a new worker); the writer's threads
    # end with it.
    writer = page_generation.store()
    page_generation._stores.clear()
    writer._watching.join(timeout=WAIT_SECONDS)
    assert not writer._watching.is_alive()
    page_cache._store_down_until = 0.0
    _back_with(pages_in_redis, stale_record)
    deadline = time.monotonic() + WAIT_SECONDS
    with caplog.at_level(logging.WARNING):
        while reader.get(article.get_absolute_url()).status_code != 404:
            assert time.monotonic() < deadline, "the unpublished article is still served"
            time.sleep(0.05)
    assert "older than a committed change" in caplog.text
    assert [reader.get(article.get_absolute_url()).status_code for _ in range(3)] == [404] * 3
    assert "Harbour cranes explained" not in reader.get("/").content.decode()


def test_a_record_is_kept_while_no_change_is_committed(pages_in_redis, reader, article):
    cached_everywhere(reader, article.get_absolute_url())
    shared = page_generation.store()
    assert shared.drop_if_behind() is False
    assert reader.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_blip_with_no_write_only_costs_a_miss(pages_in_redis, reader, article, monkeypatch):
    cached_everywhere(reader, article.get_absolute_url())
    monkeypatch.setattr(page_generation, "STORE_RETRY_SECONDS", 0.0)
    monkeypatch.setattr(page_cache, "STORE_RETRY_SECONDS", 0.0)
    pages_in_redis.pause()
    during = reader.get(article.get_absolute_url())
    pages_in_redis.resume()
    # The commands the pause timed out (the record's drop among them) still reach Redis as it
    # wakes: a record kept before they have would go with them (as in _back_with).
    time.sleep(1.0)
    assert during.status_code == 200 and during.headers.get("X-Page-Cache") != "hit"
    after = [reader.get(article.get_absolute_url()) for _ in range(2)]
    assert [answer.status_code for answer in after] == [200, 200]
    assert after[1]["X-Page-Cache"] == "hit"


def test_a_lock_held_when_redis_went_away_is_freed_when_it_answers(pages_in_redis, monkeypatch):
    """Else every miss would wait for the lock (5 s) until it expires (LOCK_EXPIRY_SECONDS)."""
    monkeypatch.setattr(page_generation, "STORE_RETRY_SECONDS", 0.0)
    shared = page_generation.store()
    lock_key = f":1:generation-lock:{page_generation.namespace()}"
    with pytest.raises(Exception), shared.lock() as held:  # noqa: PT011, B017 (redis' own)
        assert held
        pages_in_redis.pause()
    pages_in_redis.resume()
    assert pages_in_redis.client().exists(lock_key)  # its release could not reach Redis
    page_generation.current_or_renewed()
    assert not pages_in_redis.client().exists(lock_key)
    assert page_generation.current() is not None
