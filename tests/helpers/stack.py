"""The real front server (nginx + gunicorn, this project's settings) for tests.

    with running_stack(database_url=current_database_url(), extra_env={...}) as base_url:
        urllib.request.urlopen(base_url + "/healthz")

runs ``python -m smartchunks.frontserver run`` exactly as ``make run`` does, on a free
127.0.0.1 port, against the given database, with its own folder under /tmp (nginx config,
logs, gunicorn socket, media) and static files collected once into ``var/test-static``
(again only when a static source file changes).  On exit, even after a failure, the stack
gets SIGTERM and stops gracefully, and its folder is removed.

The test process's own ``DJANGO_*`` and ``SMARTCHUNKS_*`` variables are not passed on (the
site runs with the settings' defaults); give what a test needs in ``extra_env``.  The front server
always gives gunicorn ``DJANGO_TRUSTED_PROXY_COUNT=1`` and ``SMARTCHUNKS_MEDIA_ACCEL_PREFIX``.

``Stack`` is the same with more handles: ``url``, ``log()`` (gunicorn's and the supervisor's
output), ``error_log()`` (nginx), ``worker_pids()``, ``terminate()``.

The site runs in other processes, so it sees only committed rows: start it from a fixture
that depends on ``django_db_setup`` (the test database exists), create data in tests that use
``transactional_db``, and stop the stack before the test session ends (the test database is
dropped then).  Example, for a module of tests sharing one stack::

    @pytest.fixture(scope="module")
    def stack(django_db_setup):
        with Stack(database_url=current_database_url()) as running:
            yield running
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from smartchunks.frontserver import _die_with_parent

BASE_DIR = Path(__file__).resolve().parents[2]
STATIC_CACHE = BASE_DIR / "var" / "test-static"
STARTUP_TIMEOUT = 90
STOP_TIMEOUT = 45


class StackError(RuntimeError):
    pass


def database_url(settings_dict: dict) -> str:
    """A postgres:// URL for Django's connection settings (a socket folder as host works)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    at = "@" if credentials or host else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def current_database_url() -> str:
    """The database pytest-django's tests use (call it once the test database exists)."""
    from django.db import connection

    return database_url(connection.settings_dict)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _static_fingerprint() -> str:
    """Names, sizes and times of every file collectstatic would copy, and the storage used."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    digest.update(repr(sorted(settings.STATICFILES_DIRS, key=str)).encode())
    return digest.hexdigest()


def collected_static_root(env: dict[str, str]) -> Path:
    """var/test-static, collected with the production storage (hashed names, .gz copies)."""
    stamp = STATIC_CACHE / ".fingerprint"
    fingerprint = _static_fingerprint()
    STATIC_CACHE.mkdir(parents=True, exist_ok=True)
    # make test runs on several processes: one collects while the others wait, so none serves
    # from a folder another is clearing.
    with open(STATIC_CACHE.parent / "test-static.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == fingerprint:
            return STATIC_CACHE
        subprocess.run(  # noqa: S603 (our interpreter, our manage.py)
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v0"],
            cwd=BASE_DIR,
            env={**env, "DJANGO_STATIC_ROOT": str(STATIC_CACHE)},
            check=True,
            timeout=300,
        )
        stamp.write_text(fingerprint)
    return STATIC_CACHE


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (name) state ppid ...": the name may hold spaces, so split after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


class Stack:
    """nginx + gunicorn via ``python -m smartchunks.frontserver run``, in a throwaway folder."""

    def __init__(
        self,
        *,
        database_url: str,
        extra_env: dict[str, str] | None = None,
        workers: int = 2,
    ):
        self.database_url = database_url
        self.extra_env = dict(extra_env or {})
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.run_dir: Path | None = None
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        from django.conf import settings

        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST_", "SMARTCHUNKS_"))
        }
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "PORT": str(self.port),
                "BIND_ADDRESS": "127.0.0.1",
                "WEB_CONCURRENCY": str(self.workers),
                "SMARTCHUNKS_FRONT_DIR": str(self.run_dir),
                "DJANGO_MEDIA_ROOT": str(self.run_dir / "media"),
                # The test process's page cache (tests/conftest.py): its writes make the
                # stack's cached pages stale, as they would on one machine.
                "SMARTCHUNKS_PAGE_CACHE_DIR": str(settings.PAGE_CACHE_DIR),
                # easy-thumbnails warns in every worker that it has no SVG support.
                "PYTHONWARNINGS": "ignore:Could not import VIL",
            }
        )
        env["DJANGO_STATIC_ROOT"] = str(collected_static_root(env))
        env.update(self.extra_env)
        return env

    def __enter__(self) -> Stack:
        # /tmp itself, not pytest's tmp_path: nginx's workers must be able to enter it.
        self.run_dir = Path(tempfile.mkdtemp(prefix="smartchunks-stack-"))
        self.run_dir.chmod(0o755)
        try:
            env = self.environment()
            with self.log_path.open("wb") as log:
                self.process = subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "smartchunks.frontserver", "run"],
                    cwd=BASE_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # If the test process is killed outright, the kernel sends the front
                    # server SIGTERM and it stops nginx and gunicorn: nothing left running.
                    preexec_fn=_die_with_parent,  # noqa: PLW1509 - fork from the main thread
                )
            self._wait_until_serving()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    @property
    def log_path(self) -> Path:
        return self.run_dir / "stack.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def error_log(self) -> str:
        try:
            return (self.run_dir / "logs" / "error.log").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if "Serving on http://" in self.log():
                return
            if self.process.poll() is not None:
                raise StackError(f"The stack exited at start-up:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        raise StackError(f"The stack did not serve within {STARTUP_TIMEOUT} s:\n{self.log()}")

    def gunicorn_master_pid(self) -> int:
        return int((self.run_dir / "gunicorn.pid").read_text())

    def worker_pids(self) -> set[int]:
        return _children(self.gunicorn_master_pid())

    def static_root(self) -> Path:
        return STATIC_CACHE

    def terminate(self, *, wait: bool = True) -> int | None:
        """SIGTERM, as a process manager would send; with ``wait``, the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        if not wait:
            return None
        return self.process.wait(timeout=STOP_TIMEOUT)

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                try:
                    self.terminate()
                except subprocess.TimeoutExpired:
                    self.process.kill()  # its children get SIGTERM (PR_SET_PDEATHSIG)
                    self.process.wait()
            if exc_type is not None and self.run_dir and self.log_path.exists():
                print(f"--- front server output ---\n{self.log()[-4000:]}")
                print(f"--- nginx error log ---\n{self.error_log()[-2000:]}")
        finally:
            if self.run_dir:
                shutil.rmtree(self.run_dir, ignore_errors=True)


@contextmanager
def running_stack(
    *, database_url: str | None = None, extra_env: dict[str, str] | None = None, workers: int = 2
) -> Iterator[str]:
    """The stack's base URL (``http://127.0.0.1:PORT``) while it runs."""
    with Stack(
        database_url=database_url or current_database_url(), extra_env=extra_env, workers=workers
    ) as stack:
        yield stack.url


def manifest_name(static_root: Path, name: str) -> str:
    """The hashed name collectstatic gave ``name`` (e.g. css/site.css)."""
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    return manifest["paths"][name]
