"""A whole multi-machine deployment on one machine's loopback, for ``make cluster-test``.

``Cluster`` starts, each on a free 127.0.0.1 port and in folders under one throwaway
``/tmp/sc-cluster-*`` folder:

- a PostgreSQL primary (``wal_level=replica``, a ``replicator`` role with its own
  ``pg_hba.conf`` line) and a streaming replica made from it with ``pg_basebackup -R``,
  from the machine's server binaries (found as smartchunks/localdb.py finds them; as root
  they run as the unprivileged ``postgres`` user, as ``make db`` runs them);
- a Redis server (Debian's ``redis-server``, nothing persisted);
- moto's standalone S3 server and one bucket in it;
- two complete application nodes, A and B (nginx + gunicorn each through
  ``python -m smartchunks.frontserver run``, tests/helpers/stack.py), with one environment
  as an operator would give two machines: the primary, the replica, Redis, the bucket and the
  secret key shared; the page-cache folder and the media folder their own, so a check that
  passes cannot be relying on a file one node wrote to its disk.

Migrations run once against the primary, then ``SEED`` makes the newsroom's account and the
articles the checks need.  Everything stops when the ``with`` block ends, after a failure or
Ctrl-C too; each server is a direct child that the kernel stops if the test process dies
(``PR_SET_PDEATHSIG``), so nothing is left running.
"""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import psycopg

from smartchunks import localdb
from smartchunks.frontserver import FrontServer, _die_with_parent
from tests.helpers.gunicorn import manage as run_manage
from tests.helpers.html import rendered_form_data
from tests.helpers.redis_server import REDIS_SERVER, RedisServer
from tests.helpers.stack import Stack, collected_static_root, free_port

BASE_DIR = Path(__file__).resolve().parents[2]
APP_DB = "smartchunks"
BUCKET = "smartchunks-cluster-media"
# moto accepts any key pair; these only have to be the same on both nodes and in the checks.
S3_ACCESS_KEY = "cluster-test-key"
S3_SECRET_KEY = "cluster-test-secret"  # noqa: S105 - a throwaway local S3 server's
EDITOR = "cluster-editor"
EDITOR_PASSWORD = "cluster-horse-42!"  # noqa: S105 - a throwaway database's account
START_TIMEOUT = 60

# Run by manage.py shell against the primary, with the nodes' shared environment (so images
# go to the bucket) and a media folder of its own, like a third machine.  Each check has articles of its own, so the checks do not depend on
# each other's order.
SEED = """
import json
from articles.models import Article
from tests.factories import make_complete_article, make_role_user, searchable

make_role_user("Editor", username=%(editor)r, password=%(password)r)
draft, live = Article.Status.DRAFT, Article.Status.PUBLISHED
plan = {
    "to_publish": ("Zephyr quartz publish check", draft),
    "to_unpublish": ("Umber quartz unpublish check", live),
    "redis_outage": ("Russet quartz redis check", live),
    "upload": ("Indigo quartz upload check", draft),
    "secret": ("Sable quartz secret draft", draft),
    "reading": ("Ochre quartz reading check", live),
    "lag_unpublish": ("Teal quartz lagging unpublish", live),
    "lag_publish": ("Amber quartz lagging publish", draft),
}
seeded = {}
for key, (title, status) in plan.items():
    article = searchable(make_complete_article(title=title, status=status))
    seeded[key] = {
        "pk": article.pk,
        "title": title,
        "url": article.get_absolute_url(),
        "hero": article.hero_image.name,
    }
print(json.dumps(seeded))
"""


class ClusterError(RuntimeError):
    pass


def _fast_shutdown_with_parent() -> None:
    """In PostgreSQL's process: SIGINT (a fast shutdown) when the test process dies.
    SIGTERM would be a smart shutdown, which waits for every client to leave."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGINT)  # PR_SET_PDEATHSIG


def _wait(ready, what: str, process: subprocess.Popen | None, log: Path | None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if ready():
            return
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise ClusterError(f"{what} exited at start-up ({process.returncode}):\n{tail}")
        time.sleep(0.1)
    raise ClusterError(f"{what} was not ready within {START_TIMEOUT} s")


def _stop_process(process: subprocess.Popen | None, how: signal.Signals, grace: float = 30):
    """Signal, wait, then kill: as the front server stops its own children."""
    FrontServer._stop(process, how, grace)


# --- PostgreSQL ------------------------------------------------------------------------------


@dataclass
class Postgres:
    """One PostgreSQL server on 127.0.0.1 (TCP only), run directly as a child process."""

    name: str
    data: Path
    port: int
    log: Path
    process: subprocess.Popen | None = None

    def url(self, db: str = APP_DB) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=db, autocommit=True
        )

    def is_ready(self) -> bool:
        probe = [
            str(localdb.find_bindir() / "pg_isready"),
            "-q",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
        ]
        return subprocess.run([*probe, "-p", str(self.port)], check=False).returncode == 0  # noqa: S603

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:  # a second postmaster would find the first one's lock and exit
            return
        user = {}
        if os.geteuid() == 0:  # PostgreSQL refuses root: the server user, as localdb does
            entry = pwd.getpwnam(localdb.SERVER_USER)
            user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        options = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "wal_level": "replica",
            "max_wal_senders": "5",
            "hot_standby": "on",
            "max_connections": "60",
            # A throwaway cluster: durability on power loss is not what is tested here.
            "fsync": "off",
            "full_page_writes": "off",
        }
        args = [str(localdb.find_bindir() / "postgres"), "-D", str(self.data)]
        for key, value in options.items():
            args += ["-c", f"{key}={value}"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the server binary, fixed arguments
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                # A fast shutdown if the test process dies; Popen runs this after the change
                # of user, which would otherwise clear it.
                preexec_fn=_fast_shutdown_with_parent,  # noqa: PLW1509 - from the main thread
                **user,
            )
        _wait(self.is_ready, f"PostgreSQL {self.name}", self.process, self.log)

    def stop(self) -> None:
        """A fast shutdown (SIGINT): what ``pg_ctl stop`` does; clients are disconnected."""
        _stop_process(self.process, signal.SIGINT)


def _sql(server: Postgres, sql: str, db: str = "postgres") -> list[tuple]:
    with server.connect(db) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchall() if cursor.description else []


def _make_primary(base: Path) -> Postgres:
    data = base / "primary"
    localdb._init_cluster(localdb.find_bindir(), data)
    # Trust on loopback only (a throwaway cluster); replication connections only for the
    # replicator role, as an operator would allow them.
    hba = data / "pg_hba.conf"
    hba.write_text(
        "local all all trust\n"
        "host all all 127.0.0.1/32 trust\n"
        "host replication replicator 127.0.0.1/32 trust\n"
    )
    server = Postgres("primary", data, free_port(), base / "primary.log")
    server.start()
    _sql(server, "CREATE ROLE replicator WITH REPLICATION LOGIN")
    _sql(server, f'CREATE DATABASE "{APP_DB}"')
    return server


def _make_replica(base: Path, primary: Postgres) -> Postgres:
    data = base / "replica"
    localdb._prepare_dir(data, 0o700)
    result = localdb._run(
        [
            str(localdb.find_bindir() / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "replicator",
            "-D",
            str(data),
            "-R",  # standby.signal and primary_conninfo: it starts as a streaming standby
            "-X",
            "stream",
            "--checkpoint=fast",
        ],
        check=False,
    )
    if result.returncode != 0:
        raise ClusterError(f"pg_basebackup failed: {result.stderr.strip()}")
    server = Postgres("replica", data, free_port(), base / "replica.log")
    server.start()
    return server


def wait_until_streaming(primary: Postgres, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _sql(primary, "SELECT state FROM pg_stat_replication")
        if ("streaming",) in rows:
            return
        time.sleep(0.2)
    raise ClusterError("the replica is not streaming from the primary")


def wait_until_replayed(primary: Postgres, replica: Postgres, timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary had written when called."""
    (target,) = _sql(primary, "SELECT pg_current_wal_lsn()")[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _sql(replica, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
        if rows and rows[0][0]:
            return
        time.sleep(0.1)
    raise ClusterError("the replica did not catch up with the primary")


# --- S3 ----------------------------------------------------------------------------


@dataclass
class S3Server:
    """moto's standalone S3 server: the S3 HTTP API on loopback, objects in its memory."""

    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        """A signed boto3 client, with the nodes' credentials."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name="us-east-1",
        )

    def answers(self) -> bool:
        try:
            return anonymous_get(self.endpoint + "/", timeout=2).status < 500
        except OSError:
            return False

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - moto from this virtualenv
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        _wait(self.answers, "moto's S3 server", self.process, self.log)
        self.client().create_bucket(Bucket=BUCKET)

    def stop(self) -> None:
        _stop_process(self.process, signal.SIGTERM, grace=10)

    def object_keys(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listing.get("Contents", [])]


# --- HTTP, as a reader and as an editor ------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def anonymous_get(url: str, *, timeout: float = 15) -> Reply:
    """A reader's GET: no cookie, no credentials, no redirect followed."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target or "/", headers={"Accept-Encoding": "identity"})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, headers, response.read())
    finally:
        connection.close()


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor:
    """A newsroom member in the admin of one node: cookies kept, redirects not followed."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirects())

    def request(self, path: str, data: dict | None = None, files: dict | None = None) -> Reply:
        headers = {}
        body = None
        if files:
            body, content_type = _multipart(data or {}, files)
            headers["Content-Type"] = content_type
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = Request(self.base_url + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, _lower(response.headers), response.read())
        except urllib.error.HTTPError as answer:  # 3xx (not followed) and errors
            return Reply(answer.code, _lower(answer.headers), answer.read())

    def sign_in(self, username: str = EDITOR, password: str = EDITOR_PASSWORD) -> None:
        form = rendered_form_data(self.request("/admin/login/?next=/admin/").body)
        form.update(username=username, password=password)
        reply = self.request("/admin/login/?next=/admin/", form)
        if reply.status != 302:
            raise ClusterError(
                f"the editor could not sign in ({reply.status}): {reply.text[-600:]}"
            )

    def change(self, pk: int, button: str | None, *, files: dict | None = None, **fields) -> Reply:
        """Submit the article's change form as shown, with ``fields`` changed and ``button``."""
        path = f"/admin/articles/article/{pk}/change/"
        shown = self.request(path)
        if shown.status == 302 and "/admin/login/" in shown.header("Location"):
            self.sign_in()  # the session ended (sessions kept in a cache that restarted)
            shown = self.request(path)
        if shown.status != 200:
            raise ClusterError(f"GET {path}: {shown.status}")
        form = rendered_form_data(shown.body)
        form.update(fields)
        form[button or "_continue"] = "1"
        return self.request(path, form, files)


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _multipart(fields: dict, files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A browser's multipart/form-data body: ``files`` maps a field to (name, bytes, type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + str(item).encode()
                + b"\r\n"
            )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- The whole cluster -----------------------------------------------------------------------


def _clean_environment() -> dict[str, str]:
    """This process's environment without anything that would choose a database, cache,
    bucket or setting for the nodes behind the cluster's back."""
    dropped = ("DJANGO_", "SMARTCHUNKS_", "PYTEST_", "AWS_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    for key in ("DATABASE_URL", "DATABASE_REPLICA_URLS", "REDIS_URL"):
        env.pop(key, None)
    return env


@dataclass
class Node:
    name: str
    stack: Stack

    @property
    def url(self) -> str:
        return self.stack.url

    @property
    def media_root(self) -> Path:
        return self.stack.run_dir / "media"

    def get(self, path: str) -> Reply:
        return anonymous_get(self.url + path)


class Cluster:
    """Everything above, started in ``__enter__`` and stopped in ``__exit__``."""

    def __init__(self):
        self.base = Path(tempfile.mkdtemp(prefix="sc-cluster-", dir="/tmp"))
        self.base.chmod(0o755)  # the postgres user and nginx's workers enter it
        self.primary: Postgres | None = None
        self.replica: Postgres | None = None
        self.redis = RedisServer()
        self.s3 = S3Server(free_port(), self.base / "moto.log")
        self.nodes: dict[str, Node] = {}
        self.seeded: dict[str, dict] = {}
        self.static_root: Path | None = None
        self._stack = ExitStack()

    def shared_environment(self) -> dict[str, str]:
        """What every node gets alike (each adds its own port and folders)."""
        return {
            **_clean_environment(),
            "DATABASE_URL": self.primary.url(),
            "DATABASE_REPLICA_URLS": self.replica.url(),
            "REDIS_URL": self.redis.url,
            "SMARTCHUNKS_MEDIA_BUCKET": BUCKET,
            "AWS_S3_ENDPOINT_URL": self.s3.endpoint,
            "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
            "AWS_S3_REGION_NAME": "us-east-1",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SMARTCHUNKS_REQUIRE_2FA": "off",
            "PYTHONWARNINGS": "ignore:Could not import VIL",
            **({"DJANGO_STATIC_ROOT": str(self.static_root)} if self.static_root else {}),
        }

    def manage(self, *args: str) -> str:
        """A manage.py command from a third machine of its own (its own media folder)."""
        env = {**self.shared_environment(), "DJANGO_MEDIA_ROOT": str(self.base / "media-manage")}
        try:
            return run_manage(env, *args)
        except RuntimeError as error:
            raise ClusterError(str(error)[-4000:]) from error

    def __enter__(self) -> Cluster:
        self.secret_key = secrets.token_urlsafe(50)
        try:
            self._stack.callback(shutil.rmtree, self.base, ignore_errors=True)
            self.primary = _make_primary(self.base)
            self._stack.callback(lambda: self.primary.stop())
            self.replica = _make_replica(self.base, self.primary)
            self._stack.callback(lambda: self.replica.stop())
            wait_until_streaming(self.primary)
            if not os.access(REDIS_SERVER, os.X_OK):
                raise ClusterError("redis-server is not installed: apt-get install redis-server")
            self._stack.enter_context(self.redis)  # stopped, and its folder removed, at the end
            self.s3.start()
            self._stack.callback(self.s3.stop)
            # collectstatic once for both nodes (kept in var/test-static between runs); the
            # seed's stored article pages name the hashed static files too.
            self.static_root = collected_static_root(self.shared_environment())
            self.manage("migrate", "--noinput", "-v0")
            seed = SEED % {"editor": EDITOR, "password": EDITOR_PASSWORD}
            self.seeded = json.loads(self.manage("shell", "-c", seed).strip().splitlines()[-1])
            for name in ("A", "B"):
                self.nodes[name] = self._start_node(name)
            wait_until_replayed(self.primary, self.replica)
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _start_node(self, name: str) -> Node:
        cache_dir = self.base / f"page-cache-{name}"
        cache_dir.mkdir()
        env = {
            **self.shared_environment(),
            "SMARTCHUNKS_PAGE_CACHE_DIR": str(cache_dir),
        }
        stack = Stack(database_url=self.primary.url(), extra_env=env, workers=2)
        self._stack.enter_context(stack)  # its own folder: nginx run dir, media root, logs
        return Node(name, stack)

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is not None:
            for log in sorted(self.base.glob("*.log")):
                print(f"--- {log.name} ---\n{log.read_text(errors='replace')[-2000:]}")
        self._stack.__exit__(exc_type, exc, traceback)

    # What the checks do to the services --------------------------------------------------

    def restart_redis(self) -> None:
        """A fresh, empty Redis on the same port (nothing persisted), unless it runs."""
        if self.redis.process is None or self.redis.process.poll() is not None:
            self.redis.start()

    def restart_replica(self) -> None:
        self.replica.start()
        wait_until_streaming(self.primary)
        wait_until_replayed(self.primary, self.replica)
