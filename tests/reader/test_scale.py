"""Public pages whose work does not grow with the archive (issue 9, "Scale").

At 100,000 articles the sitemap index loaded every article to take a maximum, search
ranked every match, listings counted every row and ``OFFSET`` reached page 10,000.  Each
test here checks the bound itself (rows the database hands back, the SQL, the plan, the
pages that exist), so it fails on the unbounded code with a handful of articles (the
plans of listing queries with 2,000: PostgreSQL needs a table worth planning for).
"""

import re
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.reader import search, sitemaps
from articles.reader.paging import CappedPaginator
from tests.factories import make_article, make_author, make_section, make_tag, searchable
from tests.helpers.html import parse_xml, soup_of

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def uncached(settings):
    """What a page costs to render as the archive grows (SMARTCHUNKS_PAGE_CACHE=off)."""
    settings.PAGE_CACHE_ENABLED = False


@contextmanager
def rows_fetched():
    """The number of rows each query of the block returned to Python."""
    counts: list[int] = []

    def count_rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        counts.append(max(context["cursor"].rowcount, 0))
        return result

    with connection.execute_wrapper(count_rows):
        yield counts


def articles(count, **fields):
    now = timezone.now()
    return [
        make_article(
            title=f"Story {n}",
            published_at=now - timedelta(hours=n),
            tldr=0,
            faq=0,
            sources=0,
            **fields,
        )
        for n in range(1, count + 1)
    ]


def test_sitemap_index_reads_the_same_rows_for_3_articles_as_for_30(client):
    author, section = make_author(), make_section()
    articles(3, author=author, section=section)
    client.get("/sitemap.xml")
    with rows_fetched() as few:
        assert client.get("/sitemap.xml").status_code == 200

    articles(27, author=author, section=section)
    with rows_fetched() as many:
        index = client.get("/sitemap.xml")
    assert index.status_code == 200
    # Django's default lastmod loaded every published article into Python for a maximum.
    assert sum(many) == sum(few), (few, many)


def test_sitemap_index_lastmod_is_the_latest_change_of_any_article(client):
    now, section = timezone.now(), make_section()
    make_article(
        section=section,
        published_at=now - timedelta(days=3),
        public_updated_at=now - timedelta(hours=5),
    )
    make_article(section=section, published_at=now - timedelta(days=1))
    index = parse_xml(client.get("/sitemap.xml"))
    newest = now - timedelta(hours=5)
    entries = {
        entry.findtext(f"{SITEMAP_NS}loc"): entry.findtext(f"{SITEMAP_NS}lastmod")
        for entry in index.iter(f"{SITEMAP_NS}sitemap")
    }
    articles_entry = next(lastmod for loc, lastmod in entries.items() if "sitemap-articles" in loc)
    assert datetime.fromisoformat(articles_entry) == newest


def test_article_sitemap_pages_are_id_ranges_without_offset(client, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    stories = articles(5)
    make_article(status="draft")  # an id inside the ranges that no page lists
    with CaptureQueriesContext(connection) as queries:
        third = client.get("/sitemap-articles.xml?p=3")
    assert third.status_code == 200
    assert not [q["sql"] for q in queries if "OFFSET" in q["sql"]]
    locs = [node.findtext(f"{SM}loc") for node in parse_xml(third).findall(f"{SM}url")]
    # ids first+4 and first+5: the fifth story and the draft, which is not listed.
    assert locs == [f"http://testserver{stories[4].get_absolute_url()}"]
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404


def test_sitemap_sections_hold_at_most_10000_urls():
    for sitemap in sitemaps.SITEMAPS.values():
        assert getattr(sitemap, "limit", 0) <= 10_000


def test_author_and_section_sitemap_lastmod_is_their_latest_article(client):
    author, section = make_author(), make_section()
    now = timezone.now()
    make_article(author=author, section=section, published_at=now - timedelta(days=4))
    make_article(author=author, section=section, published_at=now - timedelta(days=2))
    make_article(author=author, section=section, status="draft")
    for name, page in (("authors", author), ("sections", section)):
        root = parse_xml(client.get(f"/sitemap-{name}.xml"))
        dated = {n.findtext(f"{SM}loc"): n.findtext(f"{SM}lastmod") for n in root}
        expected = timezone.localtime(now - timedelta(days=2)).date().isoformat()
        assert dated[f"http://testserver{page.get_absolute_url()}"] == expected


def test_listing_counts_and_pages_stop_at_the_cap(client, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "max_pages", 2)
    articles(25)
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/?page=2")
    assert second.status_code == 200
    count_sql = next(q["sql"] for q in queries if "COUNT(" in q["sql"])
    assert "LIMIT 21" in count_sql  # two pages of ten, and one row to know there are more
    assert client.get("/?page=3").status_code == 404  # would be OFFSET 20, and so on
    pagination = soup_of(second).select_one(".pagination__current").get_text()
    assert pagination == "Page 2"  # not "of 2": there are more than it counted
    assert soup_of(second).select_one('a[rel="next"]') is None


def test_listing_within_the_cap_still_says_of_how_many(client):
    articles(12)
    page = soup_of(client.get("/?page=2"))
    assert page.select_one(".pagination__current").get_text() == "Page 2 of 2"


def test_listing_and_feed_queries_never_read_bodies_or_search_vectors(client):
    author, section, tag = make_author(), make_section(), make_tag()
    articles(3, author=author, section=section, tags=[tag])
    for url in ("/", author.get_absolute_url(), section.get_absolute_url(), "/feeds/rss/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        for query in queries:
            assert '"articles_article"."body"' not in query["sql"], url
            assert '"articles_article"."search_vector"' not in query["sql"], url


def _archive(size: int):
    """``size`` published articles over 10 authors, 8 sections and 20 tags, vacuumed and
    analysed: PostgreSQL plans for the table it sees, and a handful of rows, never vacuumed,
    gives it no reason to prefer one index to another."""
    authors = [make_author() for _ in range(10)]
    sections = [make_section() for _ in range(8)]
    tags = [make_tag() for _ in range(20)]
    now = timezone.now()
    stories = Article.objects.bulk_create(
        Article(
            title=f"Story {n}",
            slug=f"story-{n}",
            author=authors[n % len(authors)],
            section=sections[n % len(sections)],
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(size)
    )
    links = Article.tags.through
    links.objects.bulk_create(
        links(article_id=story.pk, tag_id=tags[n % len(tags)].pk) for n, story in enumerate(stories)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE articles_article")
        cursor.execute("VACUUM ANALYZE articles_article_tags")
    return {"home": "/", "author": authors[0], "section": sections[0], "tag": tags[0]}


def _article_reads(sql: str) -> list[str]:
    """How the plan of ``sql`` reads the articles table ("Index Only Scan using
    article_public_idx", …), with sequential and bitmap scans off: the plans a big table
    gets (on 2,000 rows reading them all would be cheapest)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    node = r"(?:Seq Scan|Bitmap Heap Scan|Index Only Scan|Index Scan)(?: Backward)?(?: using \S+)?"
    return re.findall(f"({node}) on articles_article\\b", plan)


def _paged_subquery(sql: str) -> str:
    """The parenthesised SELECT of ``sql`` that holds its LIMIT and OFFSET."""
    starts = []
    for position, character in enumerate(sql):
        if character == "(":
            starts.append(position)
        elif character == ")":
            inner = sql[starts.pop() + 1 : position]
            if inner.startswith("SELECT") and "OFFSET" in _top_level(inner):
                return inner
    raise AssertionError(f"No subquery picks the page: {sql}")


@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside the test's transaction
def test_listing_counts_and_page_ids_are_read_off_indexes_alone(client):
    """A count or an OFFSET that opened each article's row to check its status and expiry
    made section and tag pages 2-5x slower at 100,000 articles than at 1,000 (the rows of one
    section or tag are spread over the table).  The listing indexes, and the article id
    index that tag pages reach articles by, carry status, published_at and expires_at."""
    listings = _archive(2000)
    for name, listing in listings.items():
        url = listing if isinstance(listing, str) else listing.get_absolute_url()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{url}?page=2").status_code == 200
        count = next(q["sql"] for q in queries if "COUNT(" in q["sql"])
        page = next(q["sql"] for q in queries if '"articles_article"."title"' in q["sql"])
        # Ten ids are picked in a subquery; only their ten rows are read in full.
        assert "OFFSET" not in _top_level(page) and "LIMIT" not in _top_level(page), name
        for sql in (count, _paged_subquery(page)):
            reads = _article_reads(sql)
            assert reads, (name, sql)
            assert all(read.startswith("Index Only Scan") for read in reads), (name, reads)
            if name in ("section", "author"):  # newest first within one, without a sort
                assert reads == [f"Index Only Scan using article_{name}_pub_idx"], reads


def test_search_ranks_only_the_newest_matches(client, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 2)
    now = timezone.now()
    # The best match (its headline) is the oldest: outside the two newest candidates.
    searchable(make_article(title="Turbines", published_at=now - timedelta(days=3)))
    searchable(make_article(body="<p>Turbines here.</p>", published_at=now - timedelta(days=2)))
    searchable(make_article(body="<p>Turbines again.</p>", published_at=now - timedelta(days=1)))
    response = client.get("/search/", {"q": "turbines"})
    titles = [a.get_text() for a in soup_of(response).select(".search-results .card__title a")]
    assert len(titles) == 2
    assert "Turbines" not in titles


def test_search_count_is_capped_and_says_so(client, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "max_pages", 1)
    monkeypatch.setattr(search, "CANDIDATES", 11)
    for n in range(12):
        searchable(make_article(title=f"Kelp farming {n}", tldr=0, faq=0, sources=0))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "kelp"})
    heading = soup_of(response).select_one("#results-heading").get_text()
    assert heading.startswith("10+ results")
    count_sql = next(q["sql"] for q in queries if "COUNT(" in q["sql"])
    assert "ts_headline" not in count_sql and "ts_rank" not in count_sql
    assert client.get("/search/", {"q": "kelp", "page": 2}).status_code == 404


def _top_level(sql: str) -> str:
    """``sql`` with every parenthesised part (subqueries, function arguments) removed."""
    while True:
        shorter = re.sub(r"\([^()]*\)", "", sql)
        if shorter == sql:
            return sql
        sql = shorter


def test_search_makes_snippets_for_the_page_rows_only(client):
    for n in range(12):
        searchable(make_article(title=f"Tides {n}", body="<p>Tidal power.</p>", tldr=0, faq=0))
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/search/", {"q": "tidal", "page": 2})
    assert second.status_code == 200
    assert len(soup_of(second).select(".search-results .search-snippet mark")) >= 2
    headlines = next(q["sql"] for q in queries if "ts_headline" in q["sql"])
    # The page's rows are chosen in a subquery (its LIMIT/OFFSET); a top-level OFFSET would
    # make PostgreSQL write a headline for every row it skips.
    assert "OFFSET" in headlines
    assert "OFFSET" not in _top_level(headlines) and "LIMIT" not in _top_level(headlines)
