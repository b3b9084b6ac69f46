"""A database outage under the running site: 503s with Retry-After, then recovery by itself.

Real stack: a throwaway PostgreSQL cluster of this test's own (the cluster the developer and
the test suite use is never stopped), migrated and seeded, real gunicorn in front of it.
The cluster is stopped in immediate mode (to clients, a crash) and started again; gunicorn
is never restarted.
"""

import json
import os
import re
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest

from smartchunks import localdb
from smartchunks.outage import RETRY_AFTER_SECONDS
from tests.helpers.gunicorn import clean_env, manage, start_gunicorn

OUTAGE_HEADING = "We will be back in a moment"
# The bound: every request gets its answer within 5 s while the database is down.
OUTAGE_ANSWER_SECONDS = 5
RECOVERY_SECONDS = 15

SEED = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from tests.factories import make_article, make_role_user

article = make_article(title="What an outage looks like")
editor = make_role_user("Editor")
session = SessionStore()
session[SESSION_KEY] = str(editor.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = editor.get_session_auth_hash()
session.create()
print(json.dumps({"article": article.get_absolute_url(), "title": article.title,
                  "session": session.session_key}))
"""


@pytest.fixture(scope="module")
def site():
    """gunicorn on a migrated, seeded throwaway cluster; everything removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="sc-outage-", dir="/tmp"))
    base.chmod(0o755)  # the postgres OS user must enter it
    cluster = localdb.Cluster(data=base / "pg", socket=base / "sock")
    assert cluster.socket != localdb.socket_dir()
    server = None
    try:
        env = clean_env(
            DATABASE_URL=cluster.start(),
            DJANGO_STATIC_ROOT=str(base / "static"),
            DJANGO_MEDIA_ROOT=str(base / "media"),
        )
        manage(env, "migrate", "--noinput", "-v0")
        # The pages under test use the manifest's site and admin files, not CKEditor's
        # thousands (collecting those alone takes several seconds).
        manage(env, "collectstatic", "--noinput", "-v0", "--ignore", "ckeditor*")
        seeded = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        server = start_gunicorn(env, base / "gunicorn.log")
        yield server, cluster, seeded
    finally:
        if server is not None:
            server.stop()
        cluster.stop(mode="immediate")
        shutil.rmtree(base, ignore_errors=True)


def _pages(seeded):
    """(path, cookies, what the working page shows): pages the page cache never answers, so
    an outage reaches them (search is never cached; the admin and health check neither)."""
    staff = {"sessionid": seeded["session"]}
    return [
        ("/search/?q=outage", None, "Smart Chunks"),
        ("/admin/", staff, "Newsroom"),
        ("/healthz", None, "ok"),
    ]


def _cached_pages(seeded):
    """Public pages a reader asked for before the outage: the page cache keeps them."""
    return [("/", "Smart Chunks"), (seeded["article"], seeded["title"])]


def _wait_until_all_pages_answer_200(server, seeded) -> float:
    started = time.monotonic()
    while True:
        replies = [server.get(path, cookies=cookies) for path, cookies, _ in _pages(seeded)]
        if all(reply.status == 200 for reply in replies):
            return time.monotonic() - started
        assert all(reply.status in (200, 503) for reply in replies), [r.status for r in replies]
        assert time.monotonic() - started < RECOVERY_SECONDS, "the site did not recover"
        time.sleep(0.25)


def test_outage_is_a_styled_503_and_the_site_recovers_by_itself(site):
    server, cluster, seeded = site
    for path, cookies, shows in _pages(seeded):
        reply = server.get(path, cookies=cookies)
        assert reply.status == 200, (path, reply.body[:300])
        assert shows in reply.body
    for _round in range(3):  # stored by whichever worker answers
        for path, _shows in _cached_pages(seeded):
            assert server.get(path).status == 200
    pids_before = (server.process.pid, server.worker_pids())

    cluster.stop(mode="immediate")
    assert not cluster.is_ready()
    for _round in range(2):  # both workers: public pages readers had are still served
        for path, shows in _cached_pages(seeded):
            reply = server.get(path)
            assert reply.status == 200, (path, reply.status)
            assert shows in reply.body

    slowest = 0.0
    for _round in range(2):  # both workers, each with its broken persistent connection
        for path, cookies, _shows in _pages(seeded):
            reply = server.get(path, cookies=cookies)
            slowest = max(slowest, reply.seconds)
            assert reply.status == 503, (path, reply.status, reply.body[:300])
            assert reply.seconds < OUTAGE_ANSWER_SECONDS, (path, reply.seconds)
            assert "no-store" in reply.headers["Cache-Control"], path
            if path == "/healthz":
                continue  # the load balancer's plain answer (smartchunks/health.py)
            assert 0 < int(reply.headers["Retry-After"]) <= RETRY_AFTER_SECONDS, path
            assert reply.headers["Content-Type"].startswith("text/html"), path
            assert f'<h1 class="page-title">{OUTAGE_HEADING}</h1>' in reply.body, path
            assert re.search(r'href="/static/css/site\.[0-9a-f]+\.css"', reply.body), path

    print(f"\nslowest answer during the outage: {slowest:.3f} s")
    admin = server.get("/admin/", cookies={"sessionid": seeded["session"]})
    assert "private" in admin.headers["Cache-Control"]
    assert "no-store" in admin.headers["Cache-Control"]
    outage_page = server.get("/search/?q=outage")
    assert outage_page.status == 503
    assert "public" not in outage_page.headers["Cache-Control"]

    cluster.start()
    recovered_in = _wait_until_all_pages_answer_200(server, seeded)
    print(f"recovered {recovered_in:.2f} s after the database came back")
    for path, cookies, shows in _pages(seeded):
        reply = server.get(path, cookies=cookies)
        assert reply.status == 200, path
        assert shows in reply.body
    assert (server.process.pid, server.worker_pids()) == pids_before, "gunicorn restarted"

    log = server.log_text()
    assert "Traceback" not in log
    assert "Internal Server Error" not in log
    assert not re.search(r'" 500 ', log), "a 500 in gunicorn's access log"
    assert "Database unavailable, answered 503: GET /admin/" in log


def _server_processes(cluster) -> list[int]:
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (name) state ppid ...": the name may hold spaces, so split after ")".
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        if parent == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def test_a_server_that_stops_answering_is_a_503_within_seconds_too(site):
    """A hung server (every PostgreSQL process stopped, connections left open) is an outage:
    without a bound, each worker waits on its open connection until gunicorn kills it."""
    server, cluster, seeded = site
    _wait_until_all_pages_answer_200(server, seeded)
    pids_before = (server.process.pid, server.worker_pids())
    frozen = _server_processes(cluster)
    for pid in frozen:
        os.kill(pid, signal.SIGSTOP)
    try:
        for _round in range(2):  # both workers: the open connection, then a new one
            for path, cookies, _shows in _pages(seeded):
                reply = server.get(path, cookies=cookies)
                assert reply.status == 503, (path, reply.status, reply.body[:300])
                assert reply.seconds < OUTAGE_ANSWER_SECONDS, (path, reply.seconds)
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
    _wait_until_all_pages_answer_200(server, seeded)
    assert (server.process.pid, server.worker_pids()) == pids_before, "a worker was killed"
    log = server.log_text()
    assert "WORKER TIMEOUT" not in log
    assert "its connection was cut" in log
