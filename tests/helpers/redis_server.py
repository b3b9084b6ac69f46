"""A real Redis server (Debian's /usr/bin/redis-server) on a free loopback port, for tests.

    with RedisServer() as redis_server:
        settings_env = {"REDIS_URL": redis_server.url}
        redis_server.pause()    # a network blip: nothing answers, the data stays
        redis_server.resume()
        redis_server.stop()     # Redis down: connections are refused
        redis_server.start()    # back, empty (a restart loses the data: no persistence)

It keeps nothing on disk and runs in its own temporary folder; on exit (even after a
failure) it is resumed if paused and stopped by its own pid.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from smartchunks.frontserver import _die_with_parent

REDIS_SERVER = "/usr/bin/redis-server"
STARTUP_TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder: Path | None = None
        self.process: subprocess.Popen | None = None
        self.paused = False

    def client(self) -> redis.Redis:
        """A plain client, to look at what the site stored (short timeouts)."""
        return redis.Redis(
            host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2
        )

    def start(self) -> None:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="smartchunks-redis-"))
        self.process = subprocess.Popen(  # noqa: S603 (Debian's redis-server)
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],  # fmt: skip
            stdout=(self.folder / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
            # Stopped by the kernel if the test process is killed outright: never left running.
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - forked from the main thread
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        try:
            return (self.folder / "redis.log").read_text(errors="replace")
        except (OSError, TypeError):
            return ""

    def pause(self) -> None:
        """Unreachable with its data kept, like a network blip: connections are accepted by
        the kernel but nothing answers, so every client waits for its socket timeout."""
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        """Down: connections are refused at once.  Its data is lost (no persistence)."""
        if self.process is None or self.process.poll() is not None:
            return
        if self.paused:
            self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> RedisServer:
        try:
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.stop()
        finally:
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
