"""Per-request cost of the public pages as the archive grows (issue 9, "Scale").

    .venv/bin/python tests/bench/scale_timings.py 1000 100000

Each size gets an interpreter of its own, on the bench corpus ``smartchunks_bench_<size>``
(tests/bench/corpus.py; made when missing and migrated, as `make bench` does).  The pages are
rendered in-process with Django's test client (``SMARTCHUNKS_PAGE_CACHE=off``, DEBUG off, a
persistent connection): page by page, every size in turn, in ``TIMING_ROUNDS`` rounds, so
that the sizes compared were measured seconds apart on a machine shared with other work.  A
page's figure is the median of ``TIMING_REQUESTS`` requests after ``TIMING_WARMUPS``, the
lowest of its rounds.  The table gives the growth from the first size to the last (to hold
within 2×), the queries one request runs, and the items the page lists.

Environment: TIMING_REQUESTS (30), TIMING_WARMUPS (5), TIMING_ROUNDS (3), DATABASE_URL (else
var/localdb.url).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
REQUESTS = int(os.environ.get("TIMING_REQUESTS") or 30)
WARMUPS = int(os.environ.get("TIMING_WARMUPS") or 5)
ROUNDS = int(os.environ.get("TIMING_ROUNDS") or 3)
# The bench corpus's rarest word (the last of its vocabulary): in about 45% of the articles,
# against nearly all for the common one.
RARE_WORD = "zeppelin"
GROWTH_TARGET = 2.0
# What a page lists: article cards, feed items, sitemap URLs or sitemap index entries.
ITEM = re.compile(rb'class="card__title"|<item>|<url>|<sitemap>')


def _last_page(count: int) -> int:
    from articles.reader.paging import MAX_PAGES
    from articles.reader.views import ARTICLES_PER_PAGE

    return max(1, min(-(-count // ARTICLES_PER_PAGE), MAX_PAGES))


def page_paths(size: int) -> dict[str, str]:
    """The pages measured: listings of a mid-corpus article's author, section and first tag
    (as `make bench` picks them), their deepest reachable pages, search, feeds, sitemaps."""
    from articles.models import Article
    from articles.reader.sitemaps import ArticleSitemap
    from tests.bench.corpus import COMMON_WORD

    published = Article.objects.published()
    newest_first = published.select_related("author", "section").order_by("-published_at", "-id")
    article = newest_first[size // 2]
    section, tag = article.section, article.tags.order_by("pk").first()
    section_url, tag_url = section.get_absolute_url(), tag.get_absolute_url()
    section_pages = _last_page(published.filter(section=section).count())
    return {
        "home": "/",
        "home, last page": f"/?page={_last_page(published.count())}",
        "author": article.author.get_absolute_url(),
        "section": section_url,
        "section, last page": f"{section_url}?page={section_pages}",
        "tag": tag_url,
        "tag, last page": f"{tag_url}?page={_last_page(published.filter(tags=tag).count())}",
        f"search ({COMMON_WORD}, common)": f"/search/?q={COMMON_WORD}",
        f"search ({RARE_WORD}, rare)": f"/search/?q={RARE_WORD}",
        "RSS": "/feeds/rss/",
        "section feed": f"{section_url}rss/",
        "sitemap.xml (index)": "/sitemap.xml",
        "article sitemap, first": "/sitemap-articles.xml",
        "article sitemap, last": f"/sitemap-articles.xml?p={ArticleSitemap().paginator.num_pages}",
        "news sitemap": "/news-sitemap.xml",
    }


def measure_page(client, path: str) -> dict:
    """Median milliseconds of ``path``, the queries of one request and the items listed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    # Counted on a request of its own: capturing queries slows the ones it captures.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return {
        "path": path,
        "ms": statistics.median(timings),
        "queries": len(queries),
        "items": len(ITEM.findall(response.content)),
    }


def serve(size: int) -> None:
    """Open (or make) the corpus of ``size``; print its pages as one JSON line, then measure
    each page named on stdin and answer with a JSON line."""
    os.environ["SIZE"] = str(size)
    os.environ["SMARTCHUNKS_PAGE_CACHE"] = "off"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "*"
    os.environ.pop("DJANGO_DEBUG", None)
    sys.path.insert(0, str(BASE_DIR))
    from tests.bench import run_bench
    from tests.helpers.stack import collected_static_root

    answers = sys.stdout
    sys.stdout = sys.stderr  # progress from making the corpus; answers go to the real stdout
    run_bench.ensure_corpus()
    from django.test import Client, override_settings

    # Templates name static files by their hashed names, as in production.
    with override_settings(STATIC_ROOT=collected_static_root(dict(os.environ))):
        paths = page_paths(size)
        print(json.dumps(paths), file=answers, flush=True)
        client = Client()
        for name in sys.stdin:
            result = measure_page(client, paths[name.rstrip("\n")])
            print(json.dumps(result), file=answers, flush=True)


class Corpus:
    """One size's interpreter (``serve``), asked for one page at a time."""

    def __init__(self, size: int):
        self.size = size
        self.process = subprocess.Popen(  # noqa: S603 -- this very script, with a number
            [sys.executable, __file__, "--serve", str(size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.paths = json.loads(self._answer())

    def _answer(self) -> str:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"Measuring {self.size:,} articles failed (see above).")
        return line

    def measure(self, name: str) -> dict:
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        return json.loads(self._answer())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def measure(sizes: list[int]) -> list[dict[str, dict]]:
    """Per size, per page, the round with the lowest median."""
    corpora = [Corpus(size) for size in sizes]
    try:
        best: list[dict[str, dict]] = [{} for _ in sizes]
        for round_number in range(1, ROUNDS + 1):
            for name in corpora[0].paths:
                for corpus, kept in zip(corpora, best, strict=True):
                    result = corpus.measure(name)
                    if name not in kept or result["ms"] < kept[name]["ms"]:
                        kept[name] = result
            print(f"round {round_number} of {ROUNDS} done", file=sys.stderr, flush=True)
        return best
    finally:
        for corpus in corpora:
            corpus.close()


def _same_or_each(values: list) -> str:
    return str(values[0]) if len(set(values)) == 1 else " / ".join(str(v) for v in values)


def table(sizes: list[int], results: list[dict[str, dict]]) -> str:
    size_heads = " | ".join(f"ms, {size:,}" for size in sizes)
    lines = [
        f"| page | {size_heads} | growth | queries | items |",
        "|---|" + "---:|" * (len(sizes) + 3),
    ]
    for name in results[0]:
        first, last = results[0][name], results[-1][name]
        growth = last["ms"] / first["ms"]
        flag = " **over**" if growth > GROWTH_TARGET else ""
        if flag and first["items"] != last["items"] and first["items"] and last["items"]:
            # A page that lists more at the larger size: a sitemap page not yet full.
            per_item = growth * first["items"] / last["items"]
            flag += f" ({per_item:.2f}× an item)"
        ms = " | ".join(f"{result[name]['ms']:.1f}" for result in results)
        queries = _same_or_each([result[name]["queries"] for result in results])
        items = _same_or_each([result[name]["items"] for result in results])
        lines.append(f"| {name} | {ms} | {growth:.2f}×{flag} | {queries} | {items} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        serve(int(argv[1]))
        return 0
    sizes = [int(arg) for arg in argv] or [1000, 100000]
    results = measure(sizes)
    print(
        f"Median of {REQUESTS} in-process requests after {WARMUPS} warm-ups, the lowest of "
        f"{ROUNDS} rounds, page cache off; growth is {sizes[-1]:,} over {sizes[0]:,} articles."
        "\n"
    )
    print(table(sizes, results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
