"""A worker's memory holds steady: its resident size grows by at most 20% over 20,000
requests (issue 9), measured on the real stack (nginx + gunicorn, one worker, page cache
off so every request renders) with worker replacement turned off, so the same process
serves them all.  The pages: article (the hot path), home, author, section, tag, feeds,
sitemaps, search and a 404.  Run by `make soak`."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import make_complete_article
from tests.helpers.stack import Stack, current_database_url

REQUESTS = 20_000
WARM_UP = 1_000
CLIENTS = 4
GROWTH_LIMIT = 1.20

pytestmark = [pytest.mark.soak, pytest.mark.django_db(transaction=True)]


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"No VmRSS for process {pid}")


def drive(base_url: str, paths: list[str], count: int) -> list[int]:
    """``count`` GETs spread over CLIENTS keep-alive connections; the statuses seen."""
    host = urllib.parse.urlsplit(base_url)
    statuses: list[int] = []
    lock = threading.Lock()

    def client(share: int, offset: int):
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        seen = []
        for i in range(share):
            connection.request("GET", paths[(offset + i) % len(paths)])
            response = connection.getresponse()
            response.read()
            seen.append(response.status)
        connection.close()
        with lock:
            statuses.extend(seen)

    threads = [threading.Thread(target=client, args=(count // CLIENTS, n)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_a_workers_memory_stays_within_20_percent_over_20000_requests():
    articles = [make_complete_article(title=f"Memory story {i}") for i in range(5)]
    first = articles[0]
    article_paths = [article.get_absolute_url() for article in articles]
    paths = [
        *article_paths * 12,  # the hot path: most of a worker's day
        "/",
        "/?page=1",
        first.author.get_absolute_url(),
        first.section.get_absolute_url(),
        first.tags.first().get_absolute_url(),
        "/feeds/rss/",
        "/feeds/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/search/?q=memory",
        "/no-such-page/",
    ]
    env = {"SMARTCHUNKS_PAGE_CACHE": "off", "GUNICORN_MAX_REQUESTS": "0"}
    with Stack(database_url=current_database_url(), extra_env=env, workers=1) as stack:
        # Pages stored as the stack's settings make them (its static files are hashed, the
        # test process's are not), so articles take the path readers take in production.
        subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "manage.py", "prerender_articles"],
            env=stack.environment(),
            cwd=settings.BASE_DIR,
            check=True,
            capture_output=True,
        )
        (worker,) = stack.worker_pids()
        warm = drive(stack.url, paths, WARM_UP)
        before = resident_kib(worker)
        statuses = drive(stack.url, paths, REQUESTS)
        after = resident_kib(worker)
        assert stack.worker_pids() == {worker}, "the worker was replaced: not one process"
    assert set(warm) == set(statuses) == {200, 404}  # pages, and the one unknown URL
    assert len(statuses) == REQUESTS
    print(f"\nWorker RSS: {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB over {REQUESTS:,}")
    assert after <= before * GROWTH_LIMIT, f"grew from {before} KiB to {after} KiB"
