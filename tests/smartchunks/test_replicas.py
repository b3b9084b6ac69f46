"""Read replicas: which requests may read from one, and how far it must have replayed.

The real thing (a streaming replica made with pg_basebackup, paused and stopped under load)
is in tests/cluster/; these check the rules on the test database.
"""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.test import RequestFactory, override_settings

from articles.workflow import page_generation
from articles.workflow.page_generation import Record, wal_position
from smartchunks import replicas
from tests.factories import make_article


def test_a_record_keeps_the_wal_position_it_was_worked_out_at():
    record = Record("abc", 100.5, None, wal_position("1/2A"))
    assert Record.decode(record.encode()) == record
    assert Record.decode(record.encode()).wal_position == (1 << 32) + 0x2A


def test_a_record_of_a_release_without_replicas_reads_from_the_primary():
    old = Record.decode(b"abc 100.5 -")
    assert old == Record("abc", 100.5, None, None)
    assert Record.decode(b"abc 100.5 - 12 extra") is None


def test_wal_positions_compare_as_postgresql_orders_them():
    assert wal_position("0/FFFFFFFF") < wal_position("1/0") < wal_position("1/10")
    assert wal_position(None) is None


@pytest.mark.django_db(transaction=True)
def test_the_generation_after_a_publish_asks_replicas_to_have_replayed_it():
    page_generation.forget()
    with override_settings(DATABASE_REPLICAS=["replica_1"]):
        before = page_generation.current_or_renewed()
        make_article()  # committed: the renewal runs after it
        after = page_generation.current()
        now = replicas.replay_position(DEFAULT_DB_ALIAS)  # a primary is caught up with itself
    assert before.wal_position is not None
    assert after.token != before.token
    assert before.wal_position < after.wal_position <= now


@pytest.mark.django_db
def test_without_replicas_the_generation_asks_for_no_position():
    page_generation.forget()
    assert page_generation.current_or_renewed().wal_position is None


def _request(method="get", path="/", **extra):
    return getattr(RequestFactory(), method)(path, **extra)


@pytest.mark.parametrize(
    "request_",
    [
        _request("post", "/search/"),
        _request(path="/admin/articles/article/"),
        _request(path="/preview/share/abc/"),
        _request(HTTP_COOKIE="sessionid=abc"),
        _request(HTTP_AUTHORIZATION="Basic eDp5"),
    ],
    ids=["a POST", "the admin", "a share link", "a session", "credentials"],
)
@override_settings(DATABASE_REPLICAS=["replica_1"])
def test_only_an_anonymous_readers_request_may_read_from_a_replica(request_):
    assert replicas.replica_for(request_) is None


def test_the_router_reads_from_the_chosen_replica_until_the_first_write():
    router = replicas.ReplicaRouter()
    assert router.db_for_read(None) == DEFAULT_DB_ALIAS  # outside a reader's request
    token = replicas._reads.set(replicas._Reads("replica_1"))
    try:
        assert router.db_for_read(None) == "replica_1"
        assert router.db_for_write(None) == DEFAULT_DB_ALIAS
        assert router.db_for_read(None) == DEFAULT_DB_ALIAS  # reads its own write
    finally:
        replicas._reads.reset(token)
    assert router.allow_migrate("replica_1", "articles") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "articles") is True
