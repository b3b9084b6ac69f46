"""Cache hits answered by nginx from files (smartchunks/front_cache.py), through the real stack.

The invalidation cases themselves run through the same stack in test_page_cache_stack.py
(the front cache is on by default, so those readers are answered by nginx once warm); here:
that nginx really answers without Python, with the headers Python's hit has, and never for
what the page cache would not serve.

A file answer is told apart by nginx's own ``Accept-Ranges`` (Django's pages do not carry
it).
"""

from __future__ import annotations

import http.client
import os
import signal
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from articles.models import Article
from articles.workflow import page_generation, services
from smartchunks import front_cache
from tests.factories import make_article, make_role_user, make_section, make_tag
from tests.helpers.fresh_settings import in_fresh_interpreter
from tests.helpers.stack import Stack, current_database_url

pytestmark = [pytest.mark.frontserver, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), Stack(database_url=current_database_url()) as running:
        yield running


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def from_file(self) -> bool:
        return self.header("Accept-Ranges") == "bytes"


def ask(stack, path: str, *, method="GET", headers=None, timeout=10) -> Answer:
    parts = urllib.parse.urlsplit(stack.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return Answer(response.status, response.getheaders(), body)
    finally:
        connection.close()


def warm(stack, path: str, **kwargs) -> Answer:
    """Ask until the answer comes from nginx's file (a miss stores it; at most a few)."""
    for _ in range(6):
        answer = ask(stack, path, **kwargs)
        if answer.from_file:
            return answer
    return answer


def front_files() -> list[str]:
    store = page_generation.store()
    if store.front is None or not store.front.exists():
        return []
    return sorted(
        str(path.relative_to(store.front))
        for path in store.front.rglob("*.html")
        if not path.name.startswith(".")
    )


def test_a_second_anonymous_read_is_answered_by_nginx_with_gunicorn_stopped(stack):
    article = make_article(title="Served by nginx alone")
    first = ask(stack, article.get_absolute_url())
    assert first.status == 200 and not first.from_file
    from_file = warm(stack, article.get_absolute_url())
    assert from_file.from_file
    # One validator whoever answers: Python's miss gave the ETag nginx's file has, and no
    # Last-Modified (the file's time is made up from its content).
    assert from_file.header("ETag") == first.header("ETag")
    assert from_file.body == first.body
    assert "" == first.header("Last-Modified") == from_file.header("Last-Modified")
    python_etag = {"If-None-Match": first.header("ETag")}
    assert ask(stack, article.get_absolute_url(), headers=python_etag).status == 304
    stopped = [stack.gunicorn_master_pid(), *stack.worker_pids()]
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    try:
        answer = ask(stack, article.get_absolute_url(), timeout=5)
        head = ask(stack, article.get_absolute_url(), method="HEAD", timeout=5)
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
    assert answer.status == 200 and "Served by nginx alone" in answer.body
    assert answer.header("X-Page-Cache") == "hit"
    assert head.status == 200 and head.body == ""
    # nginx's own conditional answer.
    again = ask(stack, article.get_absolute_url(), headers={"If-None-Match": answer.header("ETag")})
    assert again.status == 304


NGINX_ONLY = {"accept-ranges"}
PER_ANSWER = {"date", "etag", "content-length", "connection", "keep-alive", "x-request-id"}


def comparable(answer: Answer) -> dict[str, str]:
    kept = [(k, v) for k, v in answer.headers if k.lower() not in NGINX_ONLY | PER_ANSWER]
    return {**front_cache.comparable(kept), "server": answer.header("Server")}


def test_an_nginx_hit_has_the_headers_of_a_python_hit_on_every_page_type(stack):
    from articles.models import SitePage

    section = make_section(name="Zqx Weather")
    tag = make_tag(name="Zqx Rain")
    article = make_article(title="Rain tomorrow", section=section, tags=[tag])
    SitePage.objects.create(title="Zqx About", slug="about", body="<p>Us.</p>", published=True)
    pages = [
        "/",
        "/?page=1",
        article.get_absolute_url(),
        article.author.get_absolute_url(),
        section.get_absolute_url(),
        tag.get_absolute_url(),
        "/pages/about/",
        "/corrections/",
    ]
    for path in pages:
        from_nginx = warm(stack, path)
        assert from_nginx.status == 200 and from_nginx.from_file, path
        assert from_nginx.header("X-Request-ID"), path
        # ?p=N is a key of the page cache that nginx leaves to Python: a Python hit.
        python_path = path.replace("?page=1", "") + "?p=7"
        ask(stack, python_path)
        from_python = ask(stack, python_path)
        assert from_python.header("X-Page-Cache") == "hit", path
        assert not from_python.from_file, path
        assert from_python.header("X-Request-ID"), path
        assert comparable(from_nginx) == comparable(from_python), path


def test_a_request_with_a_session_or_credentials_is_never_answered_from_the_files(stack):
    article = make_article(title="Public story")
    path = article.get_absolute_url()
    assert warm(stack, path).from_file
    staff = make_role_user("Editor")
    browser = Client()
    browser.force_login(staff)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    for headers in (
        {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"},
        {"Cookie": f"theme=dark; {settings.CSRF_COOKIE_NAME}=abc"},
        {"Cookie": "messages=abc"},
        {"Authorization": "Basic YTpi"},
    ):
        answer = ask(stack, path, headers=headers)
        assert answer.status == 200 and not answer.from_file, headers
        assert answer.header("X-Page-Cache") != "hit", headers
    # A cookie no page depends on changes nothing.
    assert ask(stack, path, headers={"Cookie": "theme=dark"}).from_file
    assert not ask(stack, path, method="POST").from_file


def test_no_file_for_staff_answers_previews_errors_or_other_queries(stack):
    article = make_article(title="Draft in review", status=Article.Status.DRAFT)
    published = make_article(title="Published one")
    staff = make_role_user("Editor")
    browser = Client()
    browser.force_login(staff)
    session = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies['sessionid'].value}"}
    before = set(front_files())
    for _ in range(3):
        ask(stack, published.get_absolute_url(), headers=session)
        ask(stack, f"/preview/articles/{article.pk}/", headers=session)
        ask(stack, "/no-such-page/")
        ask(stack, article.get_absolute_url())  # a draft: 404
        ask(stack, "/?q=1")
        ask(stack, "/?page=1&x=2")
        ask(stack, "/feeds/rss/")
        ask(stack, "/sitemap.xml")
        ask(stack, "/search/")
    assert set(front_files()) == before
    ask(stack, "/?page=1")
    ask(stack, published.get_absolute_url())
    written = set(front_files()) - before
    assert any(name.endswith("/index.page-1.html") for name in written), written
    assert any(name.endswith(published.get_absolute_url() + "index.html") for name in written)


def test_an_unpublished_article_leaves_every_page_nginx_answered_at_once(stack):
    editor = make_role_user("Editor")
    section = make_section(name="Zqx Harbour")
    tag = make_tag(name="Zqx Cranes")
    make_article(title="Stays published", section=section, tags=[tag])
    article = make_article(title="Zqx marker 7731", section=section, tags=[tag])
    pages = [
        "/",
        "/?page=1",
        article.get_absolute_url(),
        article.author.get_absolute_url(),
        section.get_absolute_url(),
        tag.get_absolute_url(),
    ]
    for path in pages:
        answer = warm(stack, path)
        assert answer.from_file and "Zqx marker 7731" in answer.body, path
    services.unpublish(article, by=editor)
    for path in pages:
        for _ in range(6):
            answer = ask(stack, path)
            assert "Zqx marker 7731" not in answer.body, path
    assert ask(stack, article.get_absolute_url()).status == 404


def test_a_scheduled_article_appears_and_an_expiring_one_goes_from_nginx_with_no_write(stack):
    editor = make_role_user("Editor")
    make_article(title="Steady story")
    scheduled = make_article(title="Scheduled story", status=Article.Status.DRAFT)
    expiring = make_article(title="Expiring story")
    live_at = timezone.now() + timedelta(seconds=3)
    services.schedule(scheduled, by=editor, at=live_at)
    expiring.expires_at = live_at
    services.save_edit(expiring, by=editor)
    before = warm(stack, "/")
    assert before.from_file, "nginx did not answer the home page before the moment"
    assert "Scheduled story" not in before.body and "Expiring story" in before.body
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answers = [ask(stack, "/").body for _ in range(8)]
        if all("Scheduled story" in body and "Expiring story" not in body for body in answers):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the home page did not change within 60 s of its moment")
    # Answered from nginx again once Python worked out the new generation.
    after = warm(stack, "/")
    assert after.from_file and "Scheduled story" in after.body


def test_the_files_and_folders_are_readable_by_nginx_and_writable_by_no_one_else(stack):
    make_article(title="Permissions")
    assert warm(stack, "/").from_file
    front = page_generation.store().front
    for path in [front, *front.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))


def test_the_link_follows_the_generation_and_is_dropped_when_the_record_runs_out(stack):
    """The watcher of the front server's supervisor removes the link at valid_until."""
    store = page_generation.store()
    make_article(title="Anything")
    assert warm(stack, "/").from_file
    record = store.read()
    assert store.front_token() == record.token
    # A record that has run out, as the clock would make it: the link goes within moments.
    store.write(record.with_token(record.token, valid_until=0.0, next_expiry=None))
    for _ in range(100):
        if store.front_token() is None:
            break
        time.sleep(0.05)
    assert store.front_token() is None
    answer = ask(stack, "/")
    assert answer.status == 200 and not answer.from_file
    assert warm(stack, "/").from_file
    assert store.front_token() == store.read().token


def test_paths_and_hosts_nginx_cannot_map_safely_get_no_file():
    base = {"HTTP_HOST": "example.org", "wsgi.url_scheme": "http", "QUERY_STRING": ""}
    assert (
        front_cache.relative_path({**base, "PATH_INFO": "/a/b/"})
        == "http/example.org/a/b/index.html"
    )
    assert (
        front_cache.relative_path({**base, "PATH_INFO": "/", "QUERY_STRING": "page=3"})
        == "http/example.org/index.page-3.html"
    )
    for environ in (
        {**base, "PATH_INFO": "/a/../b/"},
        {**base, "PATH_INFO": "/a//b/"},
        {**base, "PATH_INFO": "/a/b"},
        {**base, "PATH_INFO": "/caf\u00e9/"},
        {**base, "PATH_INFO": "/admin/"},
        {**base, "PATH_INFO": "/", "QUERY_STRING": "p=3"},
        {**base, "PATH_INFO": "/", "QUERY_STRING": "page=3&x=1"},
        {**base, "PATH_INFO": "/", "HTTP_HOST": "Example.org"},
        {**base, "PATH_INFO": "/", "HTTP_HOST": ".."},
        {**base, "PATH_INFO": "/", "HTTP_HOST": "a..b"},
        {**base, "PATH_INFO": "/", "HTTP_HOST": "a/b"},
    ):
        assert front_cache.relative_path(environ) is None, environ


def test_the_watcher_never_drops_a_newer_generations_link(tmp_path):
    store = page_generation.FileStore(Path(tmp_path), "watched")
    old = page_generation.Record("old", 0.0, None)
    store.write(old)
    new = page_generation.Record("new", 1e12, None)
    store.point_front(new.token)  # the swap before the record's write
    watcher = front_cache.ExpiryWatcher(store)
    watcher.check()
    assert store.front_token() == "new"
    store.write(new)
    watcher.check()
    assert store.front_token() == "new"
    store.write(old)
    watcher.check()
    assert store.front_token() is None
    # A record file removed by hand (not through forget): its link goes too.
    store.write(new)
    store.path.unlink()
    watcher.check()
    assert store.front_token() is None


def test_turned_off_every_hit_is_pythons(django_db_blocker):
    with django_db_blocker.unblock():
        make_article(title="Python only")
        with Stack(
            database_url=current_database_url(), extra_env={"SMARTCHUNKS_FRONT_CACHE": "off"}
        ) as off:
            answers = [ask(off, "/") for _ in range(6)]
    assert all(answer.status == 200 for answer in answers)
    assert not any(answer.from_file for answer in answers)
    assert answers[-1].header("X-Page-Cache") == "hit"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "True"),
        ({"SMARTCHUNKS_FRONT_CACHE": "off"}, "False"),
        # Several machines: a write on one could not swap another's link at that moment.
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "False"),
    ],
)
def test_the_front_cache_is_for_one_machine_and_can_be_turned_off(env, expected):
    result = in_fresh_interpreter(
        "import smartchunks.settings as s; print(s.FRONT_CACHE_ENABLED)",
        env=env,
        drop=("DJANGO_", "SMARTCHUNKS_", "REDIS_URL"),
    )
    assert result.stdout.strip() == expected


def test_a_process_with_the_caches_off_still_moves_the_link(settings, tmp_path):
    """manage.py or another server on the same folder with the page cache or the front cache
    off: its writes must still end nginx's old pages."""
    settings.PAGE_CACHE_ENABLED = False
    settings.FRONT_CACHE_ENABLED = False
    store = page_generation.FileStore(Path(tmp_path), "shared")
    store.write(page_generation.Record("first", 1e12, None))
    assert store.front_token() == "first"
    store.write(page_generation.Record("second", 1e12, None))
    assert store.front_token() == "second"
    store.forget()
    assert store.front_token() is None


def test_old_generations_folders_go_once_they_have_been_retired_a_while(tmp_path, monkeypatch):
    store = page_generation.FileStore(Path(tmp_path), "swept")
    for token in ("old", "current"):
        (store.front / f"g-{token}" / "release").mkdir(parents=True)
    store.write(page_generation.Record("current", 1e12, None))
    watcher = front_cache.ExpiryWatcher(store)
    watcher.sweep()
    # Still in its grace period: nginx may be sending a file it opened from it.
    assert (store.front / "g-old").exists()
    monkeypatch.setattr(front_cache, "RETIRED_GRACE_SECONDS", 0.0)
    watcher.sweep()
    assert not (store.front / "g-old").exists()
    assert (store.front / "g-current").exists()


def test_one_process_writes_a_bounded_number_of_files_a_generation(monkeypatch):
    monkeypatch.setattr(front_cache, "MAX_FILES_PER_GENERATION", 2)
    written = front_cache._Written()
    assert [written.take("a") for _ in range(3)] == [True, True, False]
    assert written.take("b")  # a new generation starts again
