"""The page cache in process: what is stored, what is served, to whom, and for how long.

Invalidation across two real worker processes is in test_page_cache_stack.py; these cover
each rule of smartchunks/page_cache.py and articles/workflow/page_generation.py.
"""

from __future__ import annotations

import io
import time
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article
from articles.workflow import page_generation, services
from smartchunks import page_cache
from smartchunks.wsgi import application
from tests.factories import make_article, make_role_user, make_section

pytestmark = pytest.mark.django_db


def wsgi_get(path, *, headers=None, method="GET", query=""):
    """A request through the real WSGI entry point (smartchunks/wsgi.py), as gunicorn sends it."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    environ.update(headers or {})
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    # As Django's test client does: the test's connection (and its transaction) stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, start_response)
        try:
            answer["body"] = b"".join(chunks).decode()
        finally:
            getattr(chunks, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer


@pytest.fixture
def article():
    return make_article(title="Harbour cranes explained", section=make_section())


def test_a_second_anonymous_view_is_a_hit_with_no_query_through_the_wsgi_entry_point(
    article, django_assert_num_queries
):
    first = wsgi_get(article.get_absolute_url())
    assert first["status"] == 200
    assert first["headers"]["X-Page-Cache"] == "miss"
    page_cache.memory.clear()  # from the shared store, as another worker would
    with django_assert_num_queries(0):
        shared = wsgi_get(article.get_absolute_url())
    with django_assert_num_queries(0):
        again = wsgi_get(article.get_absolute_url())
    for hit in (shared, again):
        assert hit["status"] == 200
        assert hit["headers"]["X-Page-Cache"] == "hit"
        assert hit["body"] == first["body"]
        assert "Harbour cranes explained" in hit["body"]
    # Every header Django's middleware added is on the hit too.
    for name in ("Content-Security-Policy", "X-Frame-Options", "Content-Type", "ETag"):
        assert again["headers"][name] == first["headers"][name]


@pytest.mark.parametrize("page", ["home", "article", "author", "section", "tag", "feed"])
def test_every_public_page_is_served_from_the_cache_with_no_query(
    client, django_assert_num_queries, page
):
    from tests.factories import make_tag

    tag = make_tag()
    article = make_article(section=make_section(), tags=[tag])
    url = {
        "home": "/",
        "article": article.get_absolute_url(),
        "author": article.author.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "feed": "/feeds/rss/",
    }[page]
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert article.title in response.content.decode()


def test_cached_pages_revalidate_with_etag_and_304(article):
    first = wsgi_get(article.get_absolute_url())
    etag = first["headers"]["ETag"]
    cache_control = first["headers"]["Cache-Control"]
    assert "public" in cache_control and "max-age=0" in cache_control
    assert "must-revalidate" in cache_control
    assert "Cookie" in first["headers"]["Vary"]
    not_modified = wsgi_get(article.get_absolute_url(), headers={"HTTP_IF_NONE_MATCH": etag})
    assert not_modified["status"] == 304
    assert not_modified["body"] == ""
    assert not_modified["headers"]["ETag"] == etag
    other = wsgi_get(article.get_absolute_url(), headers={"HTTP_IF_NONE_MATCH": '"other"'})
    assert other["status"] == 200


def test_a_feed_revalidated_by_date_after_an_unpublish_gets_the_new_feed(article):
    """A feed's newest item keeps its date when an older article is unpublished, so a
    Last-Modified taken from it would let a feed reader or CDN keep the unpublished item:
    pages carry no Last-Modified, and only their ETag earns a 304."""
    older = make_article(title="Soon unpublished", published_at=timezone.now() - timedelta(days=2))
    wsgi_get("/feeds/rss/")
    cached = wsgi_get("/feeds/rss/")
    assert cached["headers"]["X-Page-Cache"] == "hit"
    assert "Last-Modified" not in cached["headers"]
    assert "Soon unpublished" in cached["body"]
    services.unpublish(older, by=make_role_user("Editor"))
    # The date a client could still hold from before (Django's own view sends the newest
    # item's): never a 304.
    since = {"HTTP_IF_MODIFIED_SINCE": http_date(time.time())}
    fresh = wsgi_get("/feeds/rss/", headers=since)
    assert fresh["status"] == 200
    assert "Soon unpublished" not in fresh["body"]
    # The ETag decides: the old one is a 200, the new one a 304.
    old = wsgi_get("/feeds/rss/", headers={"HTTP_IF_NONE_MATCH": cached["headers"]["ETag"]})
    assert old["status"] == 200
    new = wsgi_get("/feeds/rss/", headers={"HTTP_IF_NONE_MATCH": fresh["headers"]["ETag"]})
    assert (new["status"], new["body"]) == (304, "")


def test_no_feed_or_sitemap_answer_carries_the_newest_items_date(article, client):
    """Not for a reader with a CSRF or messages cookie (no cache for them), nor for staff:
    the date stays the same when an older item leaves the feed."""
    with_cookie = {"HTTP_COOKIE": "csrftoken=abcdefabcdefabcdefabcdefabcdefab"}
    for path in ("/feeds/rss/", "/feeds/atom/", "/sitemap.xml", "/sitemap-articles.xml"):
        assert "Last-Modified" not in wsgi_get(path, headers=with_cookie)["headers"], path
    client.force_login(make_role_user("Editor"))
    assert "Last-Modified" not in client.get("/feeds/rss/").headers


def test_with_the_cache_off_pages_keep_their_validators_and_vary(article, settings, client):
    """SMARTCHUNKS_PAGE_CACHE=off (benchmarks, debugging) changes speed, not the headers: a
    CDN in front still gets the ETag, its 304 and Vary: Cookie; staff still get none."""
    settings.PAGE_CACHE_ENABLED = False
    page = wsgi_get(article.get_absolute_url())
    assert page["status"] == 200 and "X-Page-Cache" not in page["headers"]
    assert "Cookie" in page["headers"]["Vary"]
    assert "Last-Modified" not in wsgi_get("/feeds/rss/")["headers"]
    again = wsgi_get(
        article.get_absolute_url(), headers={"HTTP_IF_NONE_MATCH": page["headers"]["ETag"]}
    )
    assert (again["status"], again["body"]) == (304, "")
    client.force_login(make_role_user("Editor"))
    staff = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=page["headers"]["ETag"])
    assert staff.status_code == 200 and "ETag" not in staff.headers


def test_an_edit_changes_the_etag_so_a_revalidating_cdn_gets_the_new_page(article):
    editor = make_role_user("Editor")
    etag = wsgi_get(article.get_absolute_url())["headers"]["ETag"]
    article.title = "Harbour cranes, corrected"
    services.save_edit(article, by=editor)
    answer = wsgi_get(article.get_absolute_url(), headers={"HTTP_IF_NONE_MATCH": etag})
    assert answer["status"] == 200
    assert "Harbour cranes, corrected" in answer["body"]


def test_a_cdn_max_age_is_set_only_when_asked_for(article, settings):
    settings.PAGE_CACHE_SHARED_MAX_AGE = 30
    answer = wsgi_get(article.get_absolute_url())
    assert "s-maxage=30" in answer["headers"]["Cache-Control"]
    assert "max-age=0" in answer["headers"]["Cache-Control"]


def test_a_staff_response_never_lands_in_the_shared_cache(client, article):
    editor = make_role_user("Editor")
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
    record = page_generation.current()
    key = page_cache.page_key(response.wsgi_request.META)
    assert key is None  # a session cookie: not even looked up
    anonymous_key = f"http|testserver|{article.get_absolute_url()}?"
    assert page_cache.memory.pages == {}
    if record is not None:
        stored = caches["pages"].get(page_cache._shared_key(record.token, anonymous_key))
        assert stored is None
    client.logout()
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"


def test_a_staff_preview_of_a_draft_at_the_public_address_is_never_stored(client):
    draft = make_article(title="Secret draft", status=Article.Status.DRAFT)
    client.force_login(make_role_user("Editor"))
    assert "Secret draft" in client.get(draft.get_absolute_url()).content.decode()
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert wsgi_get(draft.get_absolute_url())["status"] == 404


def test_a_request_with_a_session_cookie_is_never_served_from_the_cache(client, article):
    wsgi_get(article.get_absolute_url())
    assert wsgi_get(article.get_absolute_url())["headers"]["X-Page-Cache"] == "hit"
    client.force_login(make_role_user("Editor"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    staff = wsgi_get(article.get_absolute_url(), headers={"HTTP_COOKIE": cookie})
    assert staff["status"] == 200
    assert "X-Page-Cache" not in staff["headers"]
    assert "private" in staff["headers"]["Cache-Control"]
    # Even a session cookie that signs nobody in: Django decides, not the cache.
    stranger = wsgi_get(article.get_absolute_url(), headers={"HTTP_COOKIE": "sessionid=nope"})
    assert "X-Page-Cache" not in stranger["headers"]
    # Harmless cookies (analytics) still get the cached page.
    other = wsgi_get(article.get_absolute_url(), headers={"HTTP_COOKIE": "_ga=GA1.1.1"})
    assert other["headers"]["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("POST", "/", ""),
        ("GET", "/search/", "q=cranes"),
        ("GET", "/", "utm_source=newsletter"),
        ("GET", "/articles/no-such-article/", ""),
    ],
)
def test_what_is_never_stored(article, method, path, query):
    for _ in range(2):
        answer = wsgi_get(path, method=method, query=query)
        assert "X-Page-Cache" not in answer["headers"]


def test_a_listing_page_number_is_cached_apart(article):
    for number in range(11):
        make_article(title=f"Filler {number}")
    first = wsgi_get("/", query="page=2")
    assert first["headers"]["X-Page-Cache"] == "miss"
    assert wsgi_get("/", query="page=2")["headers"]["X-Page-Cache"] == "hit"
    assert wsgi_get("/")["headers"]["X-Page-Cache"] == "miss"


def test_the_setting_turns_the_cache_off(article, settings):
    settings.PAGE_CACHE_ENABLED = False
    for _ in range(2):
        assert "X-Page-Cache" not in wsgi_get(article.get_absolute_url())["headers"]


def test_head_is_answered_from_the_cache_without_a_body(article):
    wsgi_get(article.get_absolute_url())
    head = wsgi_get(article.get_absolute_url(), method="HEAD")
    assert head["status"] == 200
    assert head["headers"]["X-Page-Cache"] == "hit"
    assert head["body"] == ""


@pytest.mark.parametrize("cache_on", [True, False])
def test_head_on_a_miss_sends_no_body_either(article, settings, cache_on):
    """Django leaves HEAD bodies to the server, and gunicorn logged a warning for each."""
    settings.PAGE_CACHE_ENABLED = cache_on
    head = wsgi_get(article.get_absolute_url(), method="HEAD")
    assert head["status"] == 200
    assert head["body"] == ""
    assert int(head["headers"]["Content-Length"]) > 0  # the GET's length, as HEAD promises


def test_head_on_a_miss_has_the_validators_the_get_will_have_and_keeps_nothing(article):
    head = wsgi_get(article.get_absolute_url(), method="HEAD")
    assert head["headers"]["X-Page-Cache"] == "miss"
    assert "Cookie" in head["headers"]["Vary"]
    get = wsgi_get(article.get_absolute_url())
    assert get["headers"]["X-Page-Cache"] == "miss"  # a HEAD keeps no page: it has no body
    assert head["headers"]["ETag"] == get["headers"]["ETag"]
    assert head["headers"]["Content-Length"] == get["headers"]["Content-Length"]
    validated = {"HTTP_IF_NONE_MATCH": get["headers"]["ETag"]}
    again = wsgi_get(article.get_absolute_url(), method="HEAD", headers=validated)
    assert again["status"] == 304


# --- Time: scheduled and expiring articles, with no write --------------------------------


def test_a_scheduled_article_appears_at_its_time_with_no_write(settings):
    settings.PAGE_CACHE_MAX_SECONDS = 24 * 3600  # the horizon alone must do it
    editor = make_role_user("Editor")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        make_article(title="Already out")
        draft = make_article(title="Out at noon", status=Article.Status.DRAFT)
        services.schedule(draft, by=editor, at=timezone.now() + timedelta(minutes=10))
        for _ in range(2):
            assert "Out at noon" not in wsgi_get("/")["body"]
        assert wsgi_get("/")["headers"]["X-Page-Cache"] == "hit"
        clock.shift(timedelta(minutes=10, seconds=-1))
        assert "Out at noon" not in wsgi_get("/")["body"]
        clock.shift(timedelta(seconds=1))
        assert "Out at noon" in wsgi_get("/")["body"]
        assert "Out at noon" in wsgi_get(draft.get_absolute_url())["body"]


def test_an_expired_article_disappears_at_its_time_with_no_write(settings):
    settings.PAGE_CACHE_MAX_SECONDS = 24 * 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        expiring = make_article(
            title="Offer ends soon", expires_at=timezone.now() + timedelta(minutes=30)
        )
        for _ in range(2):
            assert "Offer ends soon" in wsgi_get("/")["body"]
            assert wsgi_get(expiring.get_absolute_url())["status"] == 200
        assert wsgi_get("/")["headers"]["X-Page-Cache"] == "hit"
        clock.shift(timedelta(minutes=30))
        assert "Offer ends soon" not in wsgi_get("/")["body"]
        assert wsgi_get(expiring.get_absolute_url())["status"] == 404


def test_the_generation_runs_out_at_the_next_publication_or_expiry(settings):
    settings.PAGE_CACHE_MAX_SECONDS = 24 * 3600
    now = timezone.now()
    make_article(published_at=now + timedelta(hours=2))
    make_article(expires_at=now + timedelta(hours=1))
    page_cache.clear()
    record = page_generation.current_or_renewed()
    assert record.valid_until == pytest.approx((now + timedelta(hours=1)).timestamp(), abs=1)
    assert record.next_expiry == pytest.approx((now + timedelta(hours=1)).timestamp(), abs=1)


def test_with_nothing_scheduled_the_generation_still_runs_out_after_the_cap(settings):
    settings.PAGE_CACHE_MAX_SECONDS = 120
    page_cache.clear()
    before = timezone.now().timestamp()
    record = page_generation.current_or_renewed()
    assert before + 119 <= record.valid_until <= before + 121
    assert record.next_expiry is None


# --- Failures: a cache that fails is no cache, never an error -------------------------------


def test_a_broken_shared_store_is_a_miss_not_an_error(article, settings):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    settings.PAGE_CACHE_GENERATION_IN_CACHE = True
    page_generation._stores.clear()
    page_cache._store_down_until = 0.0
    try:
        for _ in range(3):
            answer = wsgi_get(article.get_absolute_url())
            assert answer["status"] == 200
            assert "Harbour cranes explained" in answer["body"]
        # A write whose renewal cannot reach the store still saves.
        article.title = "Harbour cranes, edited while the cache was down"
        services.save_edit(article, by=make_role_user("Editor"))
        assert "edited while the cache" in wsgi_get(article.get_absolute_url())["body"]
    finally:
        page_generation._stores.clear()
        page_cache._store_down_until = 0.0


def test_during_a_database_outage_a_stored_page_is_served_after_its_generation_ran_out(
    client, article, settings
):
    settings.PAGE_CACHE_MAX_SECONDS = 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
        clock.shift(timedelta(minutes=5))  # the record ran out: a new one needs the database
        with mock.patch(
            "django.db.backends.utils.CursorWrapper.execute",
            side_effect=OperationalError("connection to server failed"),
        ):
            response = client.get(article.get_absolute_url())
            home = client.get("/")  # never stored: the 503
    assert response.status_code == 200
    assert "Harbour cranes explained" in response.content.decode()
    assert home.status_code == 503


def test_during_an_outage_no_stored_page_is_served_once_an_article_may_have_expired(
    client, settings
):
    settings.PAGE_CACHE_MAX_SECONDS = 24 * 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        expiring = make_article(title="Gone at one", expires_at=timezone.now() + timedelta(hours=1))
        assert client.get("/")["X-Page-Cache"] == "miss"
        clock.shift(timedelta(hours=1, seconds=1))
        with mock.patch(
            "django.db.backends.utils.CursorWrapper.execute",
            side_effect=OperationalError("connection to server failed"),
        ):
            home = client.get("/")
            page = client.get(expiring.get_absolute_url())
    assert home.status_code == 503
    assert page.status_code == 503
    assert "Gone at one" not in home.content.decode()
