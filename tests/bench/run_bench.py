"""Load-test the public pages on the real stack with wrk: `make bench [SIZE=1000]`.

1. The corpus: ``smartchunks_bench_<SIZE>`` on the same PostgreSQL server as the developer's
   database (tests/bench/corpus.py), created and filled when missing, reused when it already
   holds SIZE articles.  The demo data is never touched.
2. The stack, as `make run` starts it (``python -m smartchunks.frontserver run``: nginx in
   front, gunicorn with BENCH_WORKERS sync workers behind it; tests/helpers/stack.py), twice on
   free 127.0.0.1 ports: with the default settings ("cached") and with
   ``SMARTCHUNKS_PAGE_CACHE=off`` ("uncached").  Where no page cache exists both are uncached.
3. The reference: the article page's bytes, saved once, served (a) by the same nginx +
   gunicorn set-up from memory, before Django (``SMARTCHUNKS_BENCH_STATIC_COPY``, see
   smartchunks/wsgi.py) and (b) by nginx alone from ``/static/``.
4. wrk (2 threads, BENCH_CONNECTIONS connections) on every page of both stacks and on both
   copies, in BENCH_ROUNDS interleaved rounds of BENCH_SECONDS each; the medians are printed
   and written as a markdown table to var/bench/<SIZE>-<UTC time>.md.

Environment: SIZE (articles, default 1000), BENCH_SECONDS (3), BENCH_ROUNDS (3),
BENCH_CONNECTIONS (8), BENCH_WORKERS (2).  Load goes to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

from smartchunks import localdb  # noqa: E402
from tests.bench import corpus  # noqa: E402

SIZE = int(os.environ.get("SIZE") or 1000)
SECONDS = int(os.environ.get("BENCH_SECONDS") or 3)
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or 3)
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS") or 8)
WORKERS = int(os.environ.get("BENCH_WORKERS") or 2)
WARMUP_SECONDS = 1
# A slow page must show up as a slow row, not as wrk's 2-second timeouts.
WRK_TIMEOUT = "10s"
OUT_DIR = BASE_DIR / "var" / "bench"
STATIC_DIR = OUT_DIR / "static"
COPY_NAME = "bench/article.html"
COPY_URL = "/_bench/static-copy/"  # answered before Django (smartchunks/wsgi.py)


class BenchError(RuntimeError):
    pass


@dataclass
class Target:
    name: str
    mode: str  # "cached", "uncached", "gunicorn", "nginx"
    url: str
    # Answered by the same gunicorn once it is idle again (see settle()).
    settle_url: str
    samples: list[dict] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(sample[key] for sample in self.samples)

    @property
    def errors(self) -> int:
        return sum(sample["errors"] for sample in self.samples)


def find_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        raise BenchError(
            "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`."
        )
    return found


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (127.0.0.1 only)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def parse_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(wrk: str, url: str, seconds: int) -> dict:
    command = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", WRK_TIMEOUT]
    output = subprocess.run(  # noqa: S603
        [*command, "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": parse_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
        "p99": parse_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
        "errors": errors,
    }


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # The stored frame made in page_paths() names hashed static files: read from the copy
    # collected for the stacks (bench_static_root), which a fresh clone has no other of.
    os.environ["DJANGO_STATIC_ROOT"] = str(STATIC_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartchunks.settings")
    import django

    django.setup()


def ensure_corpus() -> tuple[str, float | None]:
    """The bench database's URL and, when it was generated now, the seconds it took."""
    base_url = os.environ.get("DATABASE_URL") or localdb.saved_url()
    if not base_url:
        raise BenchError("No database: run `make db` (or set DATABASE_URL) first.")
    url, finished = corpus.prepare_database(base_url, SIZE)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    if finished:
        print(f"Reusing the corpus of {SIZE:,} articles in smartchunks_bench_{SIZE}.")
        return url, None
    print(f"Generating {SIZE:,} articles into smartchunks_bench_{SIZE} ...", flush=True)
    seconds = corpus.generate(SIZE)
    corpus.mark_finished(base_url, SIZE)
    print(f"Generated in {seconds:.0f} s ({SIZE / seconds:,.0f} articles a second).")
    return url, seconds


def page_paths() -> dict[str, str]:
    """The pages measured: a mid-corpus article and its author, section and first tag."""
    from articles.models import Article
    from articles.workflow import prerender

    article = (
        Article.objects.published()
        .select_related("author", "section")
        .order_by("-published_at", "-id")[SIZE // 2]
    )
    # The corpus is bulk-made, past save_edit: give the measured article the stored page parts
    # every article saved through the newsroom has, so "uncached" measures the real path.
    prerender.store_parts(article.pk)
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "author": article.author.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "tag": article.tags.order_by("pk").first().get_absolute_url(),
        f"search ({corpus.COMMON_WORD})": f"/search/?q={corpus.COMMON_WORD}",
        "RSS": "/feeds/rss/",
        "sitemap.xml": "/sitemap.xml",
        "home, last page": deepest_home_page(),
    }


def deepest_home_page() -> str:
    """The last home page a visitor or crawler can reach (listings stop at MAX_PAGES)."""
    from articles.models import Article
    from articles.reader.paging import MAX_PAGES
    from articles.reader.views import ARTICLES_PER_PAGE

    pages = -(-Article.objects.published().count() // ARTICLES_PER_PAGE)
    return f"/?page={max(1, min(pages, MAX_PAGES))}"


def last_article_sitemap(base: str) -> str:
    _, index = fetch(base + "/sitemap.xml")
    article_pages = re.findall(rb"/sitemap-articles\.xml(?:\?p=(\d+))?<", index)
    last = max((int(p) for p in article_pages if p), default=1)
    return f"/sitemap-articles.xml?p={last}"


def bench_static_root() -> Path:
    """The collected static files (as the tests' stack uses them) plus room for the copy."""
    from tests.helpers.stack import collected_static_root

    collected = collected_static_root(dict(os.environ))
    shutil.copytree(collected, STATIC_DIR, dirs_exist_ok=True)
    (STATIC_DIR / COPY_NAME).parent.mkdir(parents=True, exist_ok=True)
    return STATIC_DIR


def machine() -> str:
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, AttributeError):
        memory = "RAM unknown"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; PostgreSQL {postgres}; commit {commit or '?'}"
    )


def table(targets: list[Target]) -> str:
    by_mode = {t.mode: t for t in targets if t.mode in ("gunicorn", "nginx")}
    gunicorn_copy = by_mode["gunicorn"].median("rps")
    nginx_copy = by_mode["nginx"].median("rps")
    lines = [
        "| page | mode | req/s | p50 ms | p99 ms | errors | × copy via gunicorn | × copy via nginx |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]

    def ratio(rps: float, reference: float) -> str:
        return f"{rps / reference:.3f}" if reference else "–"

    for t in targets:
        rps = t.median("rps")
        lines.append(
            f"| {t.name} | {t.mode} | {rps:,.0f} | {t.median('p50'):.2f} | "
            f"{t.median('p99'):.2f} | {t.errors} | {ratio(rps, gunicorn_copy)} | "
            f"{ratio(rps, nginx_copy)} |"
        )
    return "\n".join(lines)


def settle(target: Target) -> None:
    """Wait until gunicorn has worked off what wrk left queued when it stopped.

    nginx gives up the requests in flight when wrk closes its connections, but gunicorn's
    workers still answer each one they have accepted; the next page measured on the same
    stack would pay for them.  One request per worker, answered, means the queue is empty.
    """
    for _ in range(WORKERS):
        fetch(target.settle_url)


def measure(wrk: str, targets: list[Target]) -> None:
    for target in targets:
        status, _ = fetch(target.url)
        if status != 200:
            raise BenchError(f"{target.url} answered {status}, not 200")
        run_wrk(wrk, target.url, WARMUP_SECONDS)
        settle(target)
    for round_number in range(1, ROUNDS + 1):
        print(f"Round {round_number} of {ROUNDS}", flush=True)
        for target in targets:
            sample = run_wrk(wrk, target.url, SECONDS)
            settle(target)
            target.samples.append(sample)
            note = f"  {sample['errors']} errors!" if sample["errors"] else ""
            print(
                f"  {target.name:<22} {target.mode:<8} {sample['rps']:9,.0f} req/s  "
                f"p50 {sample['p50']:8.2f} ms  p99 {sample['p99']:8.2f} ms{note}",
                flush=True,
            )


def main() -> int:
    from tests.helpers.stack import Stack, StackError

    try:
        wrk = find_wrk()
        database_url, generated_in = ensure_corpus()
        static_root = bench_static_root()
        paths = page_paths()
        about = machine()  # before the run: the commit measured, not one made meanwhile
        copy_file = static_root / COPY_NAME
        copy_file.write_bytes(b"")  # filled from the running site below, before it is read
        common = {
            "DJANGO_STATIC_ROOT": str(static_root),
            "SMARTCHUNKS_BENCH_STATIC_COPY": str(copy_file),
        }
        stacks = {
            "cached": Stack(database_url=database_url, extra_env=common, workers=WORKERS),
            "uncached": Stack(
                database_url=database_url,
                extra_env={**common, "SMARTCHUNKS_PAGE_CACHE": "off"},
                workers=WORKERS,
            ),
        }
        print(f"Starting nginx + gunicorn ({WORKERS} workers) twice: cached and uncached.")
        with stacks["cached"] as cached, stacks["uncached"] as uncached:
            status, html = fetch(uncached.url + paths["article"])
            if status != 200:
                raise BenchError(f"the article page answered {status}")
            copy_file.write_bytes(html)
            paths["article sitemap, last"] = last_article_sitemap(uncached.url)
            targets = [
                Target(name, mode, stack.url + path, stack.url + COPY_URL)
                for name, path in paths.items()
                for mode, stack in (("cached", cached), ("uncached", uncached))
            ]
            copy = cached.url + COPY_URL
            targets += [
                Target("article, static copy", "gunicorn", copy, copy),
                Target("article, static copy", "nginx", f"{cached.url}/static/{COPY_NAME}", copy),
            ]
            print(
                f"wrk: 2 threads, {CONNECTIONS} connections, {ROUNDS} interleaved rounds of "
                f"{SECONDS} s a page (after a {WARMUP_SECONDS} s warm-up)",
                flush=True,
            )
            measure(wrk, targets)
    except (BenchError, StackError, subprocess.CalledProcessError) as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    generated = (
        f"generated in {generated_in:.0f} s ({SIZE / generated_in:,.0f} articles/s)"
        if generated_in
        else "reused"
    )
    report = "\n".join(
        [
            f"# make bench: {SIZE:,} articles, {stamp}",
            "",
            f"Machine: {about}.",
            f"Corpus: smartchunks_bench_{SIZE} ({generated}). Stack: nginx + gunicorn, "
            f"{WORKERS} sync workers (python -m smartchunks.frontserver run). wrk: 2 threads, "
            f"{CONNECTIONS} connections, medians of {ROUNDS} interleaved rounds of {SECONDS} s.",
            "cached: default settings; uncached: SMARTCHUNKS_PAGE_CACHE=off. The static copy is "
            "the article page's bytes, served from memory by the same set-up before Django "
            "(gunicorn) and from /static/ by nginx alone.",
            "",
            table(targets),
            "",
        ]
    )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"{SIZE}-{stamp}.md"
    out.write_text(report)
    print("\n" + table(targets))
    print(f"\nWritten to {out.relative_to(BASE_DIR)}")
    return 1 if any(t.errors for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
