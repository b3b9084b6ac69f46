"""A realistic corpus for `make bench`, bulk-created into its own database.

``ensure_corpus(size)`` returns the URL of ``smartchunks_bench_<size>`` on the same PostgreSQL
server as the developer's database (DATABASE_URL, or the local cluster of `make db`), so the
demo data is never touched.  A database that already holds a finished corpus of that size is
reused (a comment on the database marks it finished); a half-made one is dropped and made again.

Every article is published, with 4 TL;DR bullets, 4 FAQ entries, 1 source, 1–3 of 200 tags,
1 of 10 sections and 1 of 50 authors, and a ~600-word body drawn from a vocabulary with a
Zipf-like spread (so some words are in nearly every article, others in a few); publication
times are 15 minutes apart going back from now.  Rows are inserted with ``bulk_create`` in
batches and the search vectors are computed in SQL, a batch at a time, by the same expression
the workflow uses; then VACUUM ANALYZE, as a production database would have been.

Django must be set up with DATABASE_URL pointing at the bench database (``run_bench.py``
does this) before ``generate`` is called.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

BATCH = 1000
SECTIONS = 10
AUTHORS = 50
TAGS = 200
BULLETS = 4
FAQS = 4
BODY_WORDS = 600
MINUTES_APART = 15
# The word readers search for in the bench: in nearly every article (the costly case).
COMMON_WORD = "energy"

# Explainer vocabulary, most frequent first; word k is drawn with weight 1/(k+1).
_WORDS = (
    "energy the of and to in a is that for it as with was on be by this are or from at "
    "power grid battery price market water carbon climate city housing rent interest "
    "rate inflation bank loan chip data model network cloud privacy vote court law tax "
    "budget school health vaccine hospital insurance pension wage worker union strike "
    "port ship freight rail train bus road traffic bridge tunnel airport flight fuel oil "
    "gas coal solar wind nuclear hydrogen lithium copper steel cement concrete timber "
    "forest river flood drought heat storm coast island farm crop wheat rice coffee "
    "cocoa sugar meat fish ocean satellite rocket orbit telescope planet asteroid virus "
    "gene protein cell brain sleep memory language school exam teacher student library "
    "museum theatre music film series stream podcast newspaper radio signal cable fibre "
    "antenna phone app software code bug update password account login search engine "
    "advert subscription currency euro dollar yen pound bond stock share dividend "
    "pension fund startup merger tariff treaty border election parliament minister mayor "
    "council permit zoning tower garden park tree bird insect bee pollen allergy mask "
    "filter pump valve engine motor brake tyre charger plug socket meter tariff bill "
    "subsidy grant rebate audit report census survey poll sample average median percent "
    "growth recession supply demand shortage surplus warehouse container crane harbour "
    "canal lock dam reservoir pipe sewer waste recycling plastic glass paper cardboard "
    "compost landfill emission offset credit permit standard label warranty repair "
    "recall safety crash helmet camera sensor radar lidar drone robot algorithm chatbot "
    "translation archive zeppelin"
)
VOCABULARY = _WORDS.split()


def bench_database_url(base_url: str, size: int) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/smartchunks_bench_{size}"))


def _server(base_url: str):
    """A connection to the server's maintenance database, in autocommit mode."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(base_url)
    return psycopg.connect(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    )


def _marker(size: int) -> str:
    return f"smartchunks bench corpus: {size} articles, complete"


def prepare_database(base_url: str, size: int) -> tuple[str, bool]:
    """(URL of the bench database, whether it already holds a finished corpus)."""
    from psycopg import sql

    name = f"smartchunks_bench_{size}"
    with _server(base_url) as server:
        row = server.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None and row[0] == _marker(size):
            return bench_database_url(base_url, size), True
        if row is not None:
            print(f"{name} holds an unfinished corpus: dropping it.", flush=True)
            server.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return bench_database_url(base_url, size), False


def mark_finished(base_url: str, size: int) -> None:
    from psycopg import sql

    name = sql.Identifier(f"smartchunks_bench_{size}")
    with _server(base_url) as server:
        server.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(name, sql.Literal(_marker(size)))
        )


class Writer:
    """Sentences and paragraphs from the vocabulary, reproducible from one seed."""

    def __init__(self, seed: int = 9):
        self.random = random.Random(seed)
        weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def words(self, count: int) -> list[str]:
        return self.random.choices(VOCABULARY, cum_weights=self.cumulative, k=count)

    def sentence(self, count: int) -> str:
        words = self.words(count)
        return " ".join(words).capitalize() + "."

    def topic(self) -> str:
        # Skip the function words at the head of the vocabulary for headline nouns.
        return self.random.choice(VOCABULARY[20:])

    def body(self) -> str:
        paragraphs = []
        remaining = BODY_WORDS
        while remaining > 0:
            sentences = [self.sentence(self.random.randint(10, 20)) for _ in range(6)]
            text = " ".join(sentences)
            remaining -= len(text.split())
            paragraphs.append(f"<p>{text}</p>")
            if len(paragraphs) % 2 == 0:
                paragraphs.append(f"<h2>Why {self.topic()} matters</h2>")
        return "".join(paragraphs)


def _taxonomy(writer: Writer):
    from articles.models import Section, Tag
    from authors.models import Author

    sections = Section.objects.bulk_create(
        Section(name=f"Section {n + 1}", slug=f"section-{n + 1}", description="Explainers.")
        for n in range(SECTIONS)
    )
    authors = Author.objects.bulk_create(
        Author(name=f"Writer {n + 1}", slug=f"writer-{n + 1}", job_title="Reporter")
        for n in range(AUTHORS)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"{writer.topic().title()} {n + 1}", slug=f"topic-{n + 1}") for n in range(TAGS)
    )
    return sections, authors, tags


def _batch(writer: Writer, start: int, stop: int, now, sections, authors, tags):
    from articles.models import Article, FaqEntry, Source, TldrBullet
    from articles.workflow.search_index import refresh_search_vectors

    rnd = writer.random
    articles = []
    for index in range(start, stop):
        topic = writer.topic()
        published = now - timedelta(minutes=MINUTES_APART * index + rnd.randint(0, 5))
        articles.append(
            Article(
                title=f"How {topic} works: {' '.join(writer.words(4))}"[:200],
                slug=f"explainer-{index + 1}",
                standfirst=writer.sentence(18)[:300],
                body=writer.body(),
                meta_description=writer.sentence(14)[:160],
                author=authors[index % len(authors)],
                section=sections[index % len(sections)],
                status=Article.Status.PUBLISHED,
                published_at=published,
                public_updated_at=published + timedelta(hours=2) if index % 7 == 0 else None,
            )
        )
    Article.objects.bulk_create(articles)
    TldrBullet.objects.bulk_create(
        TldrBullet(article=a, text=writer.sentence(14)[:300], position=p)
        for a in articles
        for p in range(BULLETS)
    )
    FaqEntry.objects.bulk_create(
        FaqEntry(
            article=a,
            question=f"What about {writer.topic()}?",
            answer=f"<p>{writer.sentence(30)}</p>",
            position=p,
        )
        for a in articles
        for p in range(FAQS)
    )
    Source.objects.bulk_create(
        Source(article=a, name="The Record", url=f"https://example.org/{a.slug}", position=0)
        for a in articles
    )
    through = Article.tags.through
    links = []
    for a in articles:
        for tag in rnd.sample(tags, rnd.randint(1, 3)):
            links.append(through(article_id=a.pk, tag_id=tag.pk))
    through.objects.bulk_create(links)
    refresh_search_vectors(Article.objects.filter(pk__in=[a.pk for a in articles]))


def generate(size: int) -> float:
    """Fill the (empty, migrated) database with ``size`` articles; returns seconds taken."""
    from django.db import connection, transaction
    from django.utils import timezone

    from smartchunks.progress import Progress

    writer = Writer()
    started = time.monotonic()
    now = timezone.now()
    with transaction.atomic():
        sections, authors, tags = _taxonomy(writer)
    # Progress on stderr: a bar on a terminal, a line every few seconds in CI logs.
    with Progress("bench corpus: articles", size) as progress:
        for start in range(0, size, BATCH):
            stop = min(size, start + BATCH)
            with transaction.atomic():
                _batch(writer, start, stop, now, sections, authors, tags)
            progress.advance(stop - start)
    print("  VACUUM ANALYZE ...", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.monotonic() - started
