"""A project-local PostgreSQL cluster for development and tests.

``python -m smartchunks.localdb start|stop|status|url``

When ``DATABASE_URL`` is unset, ``make run`` and ``make test`` use a cluster created once
from the machine's PostgreSQL server binaries.  ``start`` writes the connection URL to
``var/localdb.url``; settings read that file, so ``manage.py`` works with no environment.

Two machine facts shape the layout:

* PostgreSQL refuses to run as root, so as root the server runs as the unprivileged
  ``postgres`` OS user.  That user may be unable to enter the checkout (e.g. under
  ``/root``), so the cluster then lives in ``/var/lib/smartchunks/<checkout-hash>``.
* A unix socket path longer than 107 bytes makes the server refuse to start, so the
  socket goes to a short folder in ``/tmp`` named after the same hash.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
URL_FILE = VAR_DIR / "localdb.url"
DB_NAME = "smartchunks"
SERVER_USER = "postgres"
# Where Debian-style packages put the server binaries, newest version first.
SERVER_BINARY_GLOBS = ["/usr/lib/postgresql/*/bin"]


class LocalDatabaseError(RuntimeError):
    """Raised with one line that tells the person what to do."""


def _checkout_hash() -> str:
    return hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:10]


def _is_root() -> bool:
    return os.geteuid() == 0


def find_bindir() -> Path:
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    versions = sorted(
        (found for pattern in SERVER_BINARY_GLOBS for found in glob.glob(pattern)),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(p) for p in versions]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise LocalDatabaseError(
        "No PostgreSQL server binaries found (initdb, pg_ctl): install them "
        "(Debian: apt-get install postgresql) or set DATABASE_URL to an existing server."
    )


def _as_server_user(cmd: list[str]) -> list[str]:
    if not _is_root():
        return cmd
    return ["runuser", "-u", SERVER_USER, "--", *cmd]


def _server_user_can_reach(path: Path) -> bool:
    if not _is_root():
        return True
    probe = subprocess.run(
        ["runuser", "-u", SERVER_USER, "--", "test", "-x", str(path)], check=False
    )
    return probe.returncode == 0


def cluster_dir() -> Path:
    """Where the cluster's data lives: var/ when the server user can reach it."""
    local = VAR_DIR / "pg"
    VAR_DIR.mkdir(exist_ok=True)
    if _server_user_can_reach(VAR_DIR):
        return local
    return Path("/var/lib/smartchunks") / _checkout_hash()


def socket_dir() -> Path:
    return (
        Path("/tmp") / f"smartchunks-pg-{_checkout_hash()}"
    )  # short: socket paths are capped at 107 bytes


def _prepare_dir(path: Path, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if _is_root():
        user = pwd.getpwnam(SERVER_USER)
        os.chown(path, user.pw_uid, user.pw_gid)
    path.chmod(mode)


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_as_server_user(cmd), capture_output=True, text=True, **kwargs)


def _url(sock: Path, db_name: str) -> str:
    return f"postgres://postgres@{quote(str(sock), safe='')}/{db_name}"


def _is_ready(bindir: Path, sock: Path) -> bool:
    probe = subprocess.run(
        [str(bindir / "pg_isready"), "-q", "-h", str(sock), "-U", "postgres"],
        check=False,
    )
    return probe.returncode == 0


def connection_url() -> str:
    return _url(socket_dir(), DB_NAME)


def is_ready(bindir: Path) -> bool:
    return _is_ready(bindir, socket_dir())


@dataclass(frozen=True)
class Cluster:
    """One PostgreSQL cluster: its data folder, the folder of its unix socket, its database.

    The checkout's own cluster is ``default_cluster()``; tests that must stop a server under
    a running site build a throwaway one in a folder of their own, so the cluster the
    developer and the test suite use is never touched.
    """

    data: Path
    socket: Path
    db_name: str = DB_NAME

    @property
    def url(self) -> str:
        return _url(self.socket, self.db_name)

    def is_ready(self) -> bool:
        return _is_ready(find_bindir(), self.socket)

    def start(self) -> str:
        """Create the cluster if needed, start it, make sure its database exists."""
        bindir = find_bindir()
        if not (self.data / "PG_VERSION").exists():
            _init_cluster(bindir, self.data)
        _prepare_dir(self.socket, 0o755)
        if not _is_ready(bindir, self.socket):
            _start_server(bindir, self.data, self.socket)
        _ensure_database(bindir, self.socket, self.db_name)
        return self.url

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``mode="immediate"`` is a crash as far as clients can tell."""
        if (self.data / "postmaster.pid").exists():
            _run(
                [str(find_bindir() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
                check=False,
            )


def default_cluster() -> Cluster:
    return Cluster(cluster_dir(), socket_dir())


def _init_cluster(bindir: Path, data: Path) -> None:
    _prepare_dir(data, 0o700)
    result = _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=False,
    )
    if result.returncode != 0:
        raise LocalDatabaseError(f"initdb failed: {result.stderr.strip().splitlines()[-1:]}")


def _clear_stale_pid(data: Path) -> None:
    """A SIGKILLed postmaster leaves postmaster.pid behind; drop it once its pid is gone."""
    pid_file = data / "postmaster.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        pid_file.unlink(missing_ok=True)
    except PermissionError:
        pass


def start() -> str:
    find_bindir()  # first: without server binaries, its error says what to install
    url = default_cluster().start()
    URL_FILE.write_text(url + "\n")
    return url


def _start_server(bindir: Path, data: Path, sock: Path) -> None:
    options = f"-k {sock} -c listen_addresses='' -c max_connections=100"
    log = data / "server.log"  # inside the data folder: the server user can always write there
    last_error = ""
    # After a SIGKILL the old postmaster's children can linger for a moment, so retry.
    for _attempt in range(15):
        _clear_stale_pid(data)
        result = _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                "20",
                "start",
            ],
            check=False,
        )
        if result.returncode == 0 or _is_ready(bindir, sock):
            return
        last_error = (result.stderr or result.stdout).strip()
        time.sleep(1)
    raise LocalDatabaseError(f"PostgreSQL did not start (see {log}): {last_error}")


def _ensure_database(bindir: Path, sock: Path, db_name: str) -> None:
    psql = [
        str(bindir / "psql"),
        "-h",
        str(sock),
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-tAc",
    ]
    exists = subprocess.run(
        [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{db_name}'"],
        capture_output=True,
        text=True,
        check=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run([*psql, f'CREATE DATABASE "{db_name}"'], check=True, capture_output=True)


def stop() -> None:
    default_cluster().stop()


def saved_url() -> str | None:
    """The URL written by the last ``start``; settings use it when DATABASE_URL is unset."""
    try:
        return URL_FILE.read_text().strip() or None
    except FileNotFoundError:
        return None


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    try:
        if command == "start":
            print(f"Local PostgreSQL ready at {start()}")
        elif command == "stop":
            stop()
            print("Local PostgreSQL stopped.")
        elif command == "url":
            print(connection_url())
        elif command == "status":
            ready = is_ready(find_bindir())
            print(f"Local PostgreSQL is {'running' if ready else 'stopped'} ({cluster_dir()})")
        else:
            print("usage: python -m smartchunks.localdb start|stop|status|url", file=sys.stderr)
            return 2
    except LocalDatabaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
