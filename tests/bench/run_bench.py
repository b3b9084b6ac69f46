"""Load-test the public pages with real gunicorn and wrk: `make bench`.

Starts the site on a free 127.0.0.1 port against the database the settings find (the local
PostgreSQL after `make prepare`, or DATABASE_URL), warms it up, then measures home, an
article, an author page and search (when the site has it) with wrk.  It does this twice:
with persistent database connections (the default) and with DJANGO_CONN_MAX_AGE=0, and
prints the ratio, because reconnecting on every request is the easiest way to lose most of
the site's speed.

Environment: BENCH_SECONDS (per page, default 6), BENCH_CONNECTIONS (default 8),
BENCH_WORKERS (gunicorn workers, default 2).  Load goes to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
WARMUP_SECONDS = 2
SEARCH_QUERY = "database"


class BenchError(RuntimeError):
    pass


@dataclass
class Result:
    page: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk (apt-get install -y wrk)...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)  # noqa: S607
        found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk is not installed: apt-get install wrk")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (127.0.0.1 only)
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


class Site:
    """gunicorn serving the project, started and stopped by this script only."""

    def __init__(self, conn_max_age: str | None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        # easy-thumbnails warns in every worker that it has no SVG support; numbers only here.
        env.setdefault("PYTHONWARNINGS", "ignore:Could not import VIL")
        if conn_max_age is not None:
            env["DJANGO_CONN_MAX_AGE"] = conn_max_age
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(GUNICORN),
                "smartchunks.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )

    def __enter__(self) -> Site:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError("gunicorn exited at start-up; see its output above")
            try:
                if fetch(self.base + "/")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError("gunicorn did not answer within 30 s")

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def discover_pages(base: str) -> dict[str, str]:
    """Paths to measure, found by reading the site as a visitor would."""
    _, home = fetch(base + "/")
    article = re.search(r'href="(/articles/[^"/]+/)"', home)
    if not article:
        raise BenchError("no published article on the home page: run `make prepare` first")
    _, article_html = fetch(base + article.group(1))
    author = re.search(r'href="(/authors/[^"/]+/)"', article_html)
    if not author:
        raise BenchError(f"no author link on {article.group(1)}")
    pages = {"home": "/", "article": article.group(1), "author": author.group(1)}
    search = f"/search/?q={SEARCH_QUERY}"
    if fetch(base + search)[0] == 200:
        pages["search"] = search
    return pages


def parse_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(wrk: str, url: str, seconds: int, latency: bool) -> str:
    cmd = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    if latency:
        cmd.append("--latency")
    return subprocess.run(  # noqa: S603
        [*cmd, url], capture_output=True, text=True, check=True
    ).stdout


def measure(wrk: str, base: str, page: str, path: str) -> Result:
    run_wrk(wrk, base + path, WARMUP_SECONDS, latency=False)
    output = run_wrk(wrk, base + path, SECONDS, latency=True)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = parse_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = parse_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    return Result(page, rps, p50, p99, errors)


def bench(wrk: str, label: str, conn_max_age: str | None) -> list[Result]:
    print(f"\n== {label} ==", flush=True)
    with Site(conn_max_age) as site:
        pages = discover_pages(site.base)
        results = []
        for page, path in pages.items():
            result = measure(wrk, site.base, page, path)
            results.append(result)
            note = f"  ({result.errors} errors!)" if result.errors else ""
            print(
                f"{page:<8} {path:<50} {result.requests_per_second:8.1f} req/s  "
                f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms{note}",
                flush=True,
            )
    return results


def main() -> int:
    try:
        wrk = ensure_wrk()
        print(
            f"wrk: 2 threads, {CONNECTIONS} connections, {SECONDS} s a page after a "
            f"{WARMUP_SECONDS} s warm-up; gunicorn: {WORKERS} workers; {os.cpu_count()} CPUs"
        )
        persistent = bench(wrk, "persistent connections (default CONN_MAX_AGE)", None)
        reconnect = bench(wrk, "a new database connection per request (CONN_MAX_AGE=0)", "0")
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    print("\n== persistent vs per-request connections (requests/s ratio) ==")
    for fast, slow in zip(persistent, reconnect, strict=True):
        ratio = fast.requests_per_second / slow.requests_per_second
        print(
            f"{fast.page:<8} {fast.requests_per_second:8.1f} vs "
            f"{slow.requests_per_second:8.1f} req/s  = {ratio:4.1f}x"
        )
    failed = [r for r in persistent + reconnect if r.errors]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
