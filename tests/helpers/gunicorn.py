"""Real gunicorn for tests that need the whole stack, on a free 127.0.0.1 port.

Started and stopped by the test that owns it (by its pid only); its output goes to a log file
the test can read, so a test can say "no traceback, no 500" about the server itself.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str
    seconds: float


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, *, cookies: dict[str, str] | None = None, timeout=15) -> Reply:
        headers = {"Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        return Reply(response.status, response.headers, body, time.monotonic() - started)

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], log: Path, *, workers: int = 2) -> Gunicorn:
    """gunicorn serving smartchunks.wsgi with ``env``; returns once it answers /healthz."""
    port = free_port()
    with open(log, "ab") as output:
        process = subprocess.Popen(  # noqa: S603 (the virtualenv's gunicorn, fixed arguments)
            [
                str(GUNICORN),
                "smartchunks.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--no-control-socket",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(process, port, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log_text()}")
        try:
            if server.get("/healthz", timeout=5).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer /healthz within 30 s:\n{server.log_text()}")


def manage(env: dict[str, str], *args: str) -> str:
    """Run a manage.py command in a fresh interpreter, as an operator would; its stdout."""
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without the test run's database and settings choices."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_TEST_DB_NAME", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(overrides)
    return env
