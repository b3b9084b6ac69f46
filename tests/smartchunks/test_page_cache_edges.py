"""The page cache's edges: the generation record when its lock cannot be had or the database
fails after a write, the record kept in a shared cache (REDIS_URL's path), and hits answered
by the middleware (requests that did not come through smartchunks/wsgi.py)."""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from articles.workflow import page_generation
from smartchunks import page_cache
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

LOCAL_MEMORY = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "edges"}


@pytest.fixture
def quick_lock(monkeypatch):
    """Waiting for a lock held elsewhere gives up at once instead of after five seconds."""
    monkeypatch.setattr(page_generation, "LOCK_WAIT_SECONDS", 0.05)


@pytest.fixture
def lock_held_elsewhere(quick_lock):
    """Another worker holds the file store's lock (flock on a separate open file)."""
    page_cache.clear()
    shared = page_generation.store()
    shared.lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(shared.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        yield shared
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@pytest.fixture
def record_in_cache(settings):
    """The generation record as a key of a Django cache, as with REDIS_URL."""
    settings.CACHES = {**settings.CACHES, "pages": LOCAL_MEMORY}
    settings.PAGE_CACHE_GENERATION_IN_CACHE = True
    page_generation._stores.clear()
    shared = page_generation.store()
    shared.cache.clear()
    yield shared
    shared.cache.clear()
    page_generation._stores.clear()


# --- Without the lock, a record is short-lived ---------------------------------------------


def test_a_record_worked_out_without_the_lock_runs_out_within_seconds(
    lock_held_elsewhere, settings, caplog
):
    settings.PAGE_CACHE_MAX_SECONDS = 300
    now = timezone.now().timestamp()
    with caplog.at_level(logging.WARNING, logger="articles.workflow.page_generation"):
        record = page_generation.current_or_renewed()
    assert record.valid_until <= now + page_generation.UNLOCKED_SECONDS + 1
    assert page_generation.current() == record
    assert "could not take the generation lock" in caplog.text


def test_a_renewal_after_a_write_without_the_lock_is_short_lived_too(lock_held_elsewhere):
    now = timezone.now().timestamp()
    page_generation._renew_after_commit()
    record = page_generation.current()
    assert record is not None
    assert record.valid_until <= now + page_generation.UNLOCKED_SECONDS + 1


def test_with_the_lock_a_renewal_lasts_until_the_cap(settings):
    settings.PAGE_CACHE_MAX_SECONDS = 300
    page_cache.clear()
    now = timezone.now().timestamp()
    page_generation._renew_after_commit()
    record = page_generation.current()
    assert now + 299 <= record.valid_until <= now + 301


def test_the_lock_is_free_again_after_a_renewal(quick_lock):
    page_cache.clear()
    page_generation._renew_after_commit()
    shared = page_generation.store()
    fd = os.open(shared.lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if still held
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# --- A renewal that fails after a committed write -------------------------------------------


def test_a_renewal_that_cannot_read_the_database_makes_every_stored_page_unreachable(
    monkeypatch, caplog
):
    page_cache.clear()
    page_generation.current_or_renewed()
    assert page_generation.current() is not None

    def database_gone(now):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(page_generation, "visibility_instants", database_gone)
    with caplog.at_level(logging.ERROR, logger="articles.workflow.page_generation"):
        page_generation._renew_after_commit()  # never raises: the write is committed
    assert page_generation.current() is None
    assert "could not renew the generation" in caplog.text


def test_a_renewal_that_can_neither_renew_nor_forget_still_does_not_raise(monkeypatch, caplog):
    page_cache.clear()
    page_generation.current_or_renewed()
    shared = page_generation.store()

    def fails(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(page_generation, "visibility_instants", fails)
    monkeypatch.setattr(shared, "forget", fails)
    with caplog.at_level(logging.ERROR, logger="articles.workflow.page_generation"):
        page_generation._renew_after_commit()
    assert "could not clear the generation either" in caplog.text


# --- The record in a shared cache (REDIS_URL) -----------------------------------------------


def test_the_record_in_a_shared_cache_is_read_back_and_never_expires(record_in_cache):
    record = page_generation.current_or_renewed()
    assert record_in_cache.read() == record
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        # The record itself decides when it runs out; the cache key does not expire under it.
        assert record_in_cache.read() == record


def test_forgetting_the_record_in_a_shared_cache_drops_it(record_in_cache):
    page_generation.current_or_renewed()
    page_cache.clear()
    assert record_in_cache.read() is None
    assert record_in_cache.cache.get(record_in_cache.key) is None


def test_the_shared_cache_lock_is_released_and_never_someone_elses(record_in_cache, quick_lock):
    page_generation._renew_after_commit()
    assert record_in_cache.cache.get(record_in_cache.lock_key) is None  # released
    record_in_cache.cache.set(record_in_cache.lock_key, "another-machine", 30)
    now = timezone.now().timestamp()
    page_generation._renew_after_commit()
    # Without the lock the record is short-lived, and the other holder's lock stays.
    assert page_generation.current().valid_until <= now + page_generation.UNLOCKED_SECONDS + 1
    assert record_in_cache.cache.get(record_in_cache.lock_key) == "another-machine"


# --- Hits answered by the middleware (not through smartchunks/wsgi.py) ----------------------


@pytest.fixture
def cached_article(client):
    page_cache.clear()
    article = make_article(title="Tidal power in brief", section=make_section())
    first = client.get(article.get_absolute_url())
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    return article, first


def test_a_middleware_hit_has_the_stored_page_and_its_headers(client, cached_article):
    article, first = cached_article
    hit = client.get(article.get_absolute_url())
    assert hit.status_code == 200
    assert hit["X-Page-Cache"] == "hit"
    assert hit.content == first.content
    for name in ("Content-Type", "Cache-Control", "Vary", "ETag", "Content-Security-Policy"):
        assert hit[name] == first[name], name
    assert hit["Content-Length"] == str(len(first.content))


def test_a_middleware_revalidation_gets_304_with_only_the_caching_headers(client, cached_article):
    article, first = cached_article
    etag = first["ETag"]
    not_modified = client.get(article.get_absolute_url(), headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified["Cache-Control"] == first["Cache-Control"]
    assert not_modified["Vary"] == first["Vary"]
    for name in ("Content-Security-Policy", "X-Page-Cache"):
        assert name not in not_modified, name
    weak = client.get(article.get_absolute_url(), headers={"if-none-match": f"W/{etag}"})
    assert weak.status_code == 304
    anything = client.get(article.get_absolute_url(), headers={"if-none-match": "*"})
    assert anything.status_code == 304
    listed = client.get(article.get_absolute_url(), headers={"if-none-match": f'"x", {etag}'})
    assert listed.status_code == 304
    other = client.get(article.get_absolute_url(), headers={"if-none-match": '"other"'})
    assert other.status_code == 200 and other.content == first.content
