"""Soak: readers in a crowd while the newsroom works, through the real front server.

For a minute (``SMARTCHUNKS_SOAK_SECONDS``), 16 anonymous readers walk home, article,
author, search, feed and media URLs over keep-alive connections, while an editor signed in
to the admin publishes, edits and unpublishes one article again and again.  Two secret
drafts, with a hero image and a body image each, sit in the database throughout.

What must hold:
- no 5xx and no connection error, for readers or for the editor;
- a secret draft's text or images never reach a reader;
- the article the editor cycles never reaches a reader while it is certainly unpublished:
  a reader's request that started after an unpublish had finished and ended before the next
  publish began must not see its page, its title on a listing, or its hero image.

It prints the figures the developer's guide reports (docs/developer-guide.md, Soak): requests, errors, p50/p99 latency.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.parse
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
from django.core.files.base import ContentFile

from articles.models import Article
from tests.factories import image_upload, make_complete_article, make_role_user
from tests.helpers.html import rendered_form_data
from tests.helpers.stack import running_stack

SOAK_SECONDS = float(os.environ.get("SMARTCHUNKS_SOAK_SECONDS", "60"))
READERS = 16
PASSWORD = "correct-horse-42!"  # noqa: S105 - a test account on a throwaway database
SECRET = "zqxsoaksecret"
CYCLED = "zqxsoakcycled"

pytestmark = [pytest.mark.soak, pytest.mark.django_db(transaction=True)]


# --- What the editor did, and when -------------------------------------------------------


@dataclass
class Timeline:
    """When the cycled article was certainly not public, in time.monotonic() seconds.

    A step takes effect somewhere between the moment the editor's POST starts and the moment
    its answer arrives, so "certainly hidden" runs from the end of an unpublish to the start
    of the next publish.
    """

    hidden: list[tuple[float, float]] = field(default_factory=list)
    hidden_since: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publishing_starts(self, at: float) -> None:
        with self.lock:
            if self.hidden_since is not None:
                self.hidden.append((self.hidden_since, at))
                self.hidden_since = None

    def unpublish_done(self, at: float) -> None:
        with self.lock:
            self.hidden_since = at

    def close(self, at: float) -> None:
        self.publishing_starts(at)

    def hidden_throughout(self, start: float, end: float) -> bool:
        return any(begin <= start and end <= finish for begin, finish in self.hidden)


@dataclass
class Seen:
    """One reader request: what was asked, when, and what came back."""

    kind: str
    path: str
    start: float
    end: float
    status: int
    body: bytes


# --- Readers -----------------------------------------------------------------------------


class Reader(threading.Thread):
    def __init__(self, base_url: str, paths: list[tuple[str, str]], stop: threading.Event):
        super().__init__(daemon=True)
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.paths = paths
        self.stop_event = stop
        self.seen: list[Seen] = []
        self.errors: list[str] = []
        self.random = random.Random()  # noqa: S311 - picks pages, not secrets

    def run(self) -> None:
        connection = None
        while not self.stop_event.is_set():
            kind, path = self.random.choice(self.paths)
            if connection is None:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
            start = time.monotonic()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "identity"})
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"{path}: {error!r}")
                connection.close()
                connection = None
                continue
            self.seen.append(Seen(kind, path, start, time.monotonic(), response.status, body))
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None


# --- The editor, through the admin -------------------------------------------------------


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor(threading.Thread):
    """Signs in to the admin, then publishes, edits and unpublishes one article in a loop."""

    def __init__(self, base_url, username, article_pk, timeline, stop):
        super().__init__(daemon=True)
        self.base_url = base_url
        self.username = username
        self.change_path = f"/admin/articles/article/{article_pk}/change/"
        self.timeline = timeline
        self.stop_event = stop
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirects())
        self.steps: list[tuple[str, int]] = []
        self.errors: list[str] = []

    def _open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = Request(self.base_url + path, data=body)  # noqa: S310 - loopback only
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as answer:  # 3xx (redirects not followed) and errors
            return answer.code, answer.read()

    def sign_in(self) -> None:
        status, page = self._open("/admin/login/?next=/admin/")
        form = rendered_form_data(page)
        form.update(username=self.username, password=PASSWORD)
        status, page = self._open("/admin/login/?next=/admin/", form)
        assert status == 302, f"the editor could not sign in ({status}): {page[-600:]!r}"

    def step(self, button: str | None, **changes) -> None:
        status, page = self._open(self.change_path)
        if status != 200:
            self.errors.append(f"GET change form: {status}")
            return
        form = rendered_form_data(page)
        form.update(changes)
        if button:
            form[button] = "1"
        if button == "_publish":
            self.timeline.publishing_starts(time.monotonic())
        status, _ = self._open(self.change_path, form)
        if button == "_unpublish" and status == 302:
            self.timeline.unpublish_done(time.monotonic())
        self.steps.append((button or "_save", status))
        if status != 302:
            self.errors.append(f"{button or 'save'}: {status}")

    def run(self) -> None:
        try:
            self.sign_in()
            round_number = 0
            while not self.stop_event.is_set():
                round_number += 1
                self.step("_publish")
                time.sleep(0.5)
                self.step(None, standfirst=f"Edited in round {round_number}.")
                time.sleep(0.5)
                self.step("_unpublish")
                time.sleep(1.0)
        except Exception as error:  # reported, not swallowed: the test fails on it
            self.errors.append(repr(error))


# --- The run -----------------------------------------------------------------------------


def _with_body_image(article, name: str) -> str:
    """Store an image the way an editor upload is stored and put it in the body."""
    from django.core.files.storage import default_storage

    stored = default_storage.save(
        f"uploads/1/{name}", ContentFile(image_upload(name).read(), name=name)
    )
    url = default_storage.url(stored)
    Article.objects.filter(pk=article.pk).update(
        body=f'{article.body}<p><img src="{url}" alt="Figure"></p>'
    )
    return url


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_readers_and_an_editor_for_two_minutes(settings):
    # nginx's workers read media files themselves: a folder they can enter, not pytest's 0700.
    media_root = Path(tempfile.mkdtemp(prefix="smartchunks-soak-media-"))
    media_root.chmod(0o755)
    settings.MEDIA_ROOT = media_root
    # The site checks the editor's password with its own hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    try:
        _soak(settings)
    finally:
        shutil.rmtree(media_root, ignore_errors=True)


def _soak(settings):
    published = [make_complete_article(title=f"Public story {n}") for n in range(4)]
    secrets_ = [
        make_complete_article(title=f"Secret {SECRET} {n}", status=Article.Status.DRAFT)
        for n in range(2)
    ]
    secret_media = [a.hero_image.url for a in secrets_]
    secret_media += [_with_body_image(a, f"secret-body-{n}.png") for n, a in enumerate(secrets_)]
    cycled = make_complete_article(title=f"Cycled {CYCLED}", status=Article.Status.DRAFT)
    editor = make_role_user("Editor", username="soak-editor", password=PASSWORD)

    paths = [("listing", "/"), ("listing", "/feeds/rss/"), ("listing", "/feeds/atom/")]
    paths += [("listing", "/search/?q=story"), ("listing", "/search/?q=Cycled")]
    paths += [("page", a.get_absolute_url()) for a in published]
    paths += [("page", published[0].author.get_absolute_url())]
    paths += [("media", a.hero_image.url) for a in published]
    paths += [("secret-media", url) for url in secret_media]
    paths += [("cycled-page", cycled.get_absolute_url()), ("cycled-media", cycled.hero_image.url)]

    timeline = Timeline(hidden_since=0.0)
    stop = threading.Event()
    with running_stack(extra_env={"DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT)}) as base_url:
        readers = [Reader(base_url, paths, stop) for _ in range(READERS)]
        newsroom = Editor(base_url, editor.username, cycled.pk, timeline, stop)
        for thread in [*readers, newsroom]:
            thread.start()
        time.sleep(SOAK_SECONDS)
        stop.set()
        for thread in [*readers, newsroom]:
            thread.join(timeout=30)
        timeline.close(time.monotonic())

    seen = [request for reader in readers for request in reader.seen]
    reader_errors = [error for reader in readers for error in reader.errors]
    latencies = [request.end - request.start for request in seen]
    server_errors = [f"{r.status} {r.path}" for r in seen if r.status >= 500]
    leaks = _leaks(seen, timeline)
    print(
        f"\nsoak: {SOAK_SECONDS:.0f} s, {READERS} readers, {len(seen)} requests "
        f"({len(seen) / SOAK_SECONDS:.0f}/s), {len(server_errors)} 5xx, "
        f"{len(reader_errors)} connection errors, p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms; editor steps {len(newsroom.steps)}, "
        f"certainly-hidden windows {len(timeline.hidden)}"
    )
    assert not newsroom.errors, newsroom.errors[:5]
    assert len(newsroom.steps) >= 6, "the editor barely worked; the soak proved little"
    assert not server_errors, server_errors[:10]
    assert not reader_errors, reader_errors[:10]
    assert not leaks, leaks[:10]
    assert any(r.kind == "cycled-page" and r.status == 200 for r in seen), (
        "readers never saw the cycled article while it was live: the check had no teeth"
    )


def _leaks(seen: list[Seen], timeline: Timeline) -> list[str]:
    leaks = []
    for request in seen:
        if SECRET.encode() in request.body:
            leaks.append(f"secret text in {request.path}")
        if request.kind == "secret-media" and request.status != 404:
            leaks.append(f"secret image {request.path} answered {request.status}")
        if not timeline.hidden_throughout(request.start, request.end):
            continue
        if request.kind in ("cycled-page", "cycled-media") and request.status != 404:
            leaks.append(f"unpublished {request.path} answered {request.status}")
        if request.kind == "listing" and CYCLED.encode() in request.body:
            leaks.append(f"unpublished title on {request.path}")
    return leaks
