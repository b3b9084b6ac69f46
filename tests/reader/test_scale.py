"""Public pages whose work does not grow with the archive (issue 9, "Scale").

At 100,000 articles the sitemap index loaded every article to take a maximum, search
ranked every match, listings counted every row and ``OFFSET`` reached page 10,000.  Each
test here checks the bound itself (rows the database hands back, the SQL, the plan, the
pages that exist), so it fails on the unbounded code with a handful of articles.
"""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.reader import search, sitemaps
from articles.reader.paging import CappedPaginator
from tests.factories import make_article, make_author, make_section, make_tag, searchable
from tests.helpers.html import parse_xml, soup_of

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
    response = client.get("/sitemap-articles.xml")
    index = client.get("/sitemap.xml")
    newest = (now - timedelta(hours=5)).replace(microsecond=0)
    for answer in (index, response):
        last_modified = answer.headers["Last-Modified"]
        assert last_modified == newest.strftime("%a, %d %b %Y %H:%M:%S GMT")


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


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        # The plan a big table gets: on a few test rows a sequential scan is cheapest.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


@pytest.mark.parametrize(
    ("page", "index"),
    [("section", "article_section_pub_idx"), ("author", "article_author_pub_idx")],
)
def test_section_and_author_pages_read_their_newest_articles_off_an_index(client, page, index):
    author, section = make_author(), make_section()
    articles(3, author=author, section=section)
    url = {"section": section, "author": author}[page].get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    listing = next(q["sql"] for q in queries if '"articles_article"."title"' in q["sql"])
    assert index in _plan(listing)


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
