"""Public pages run a small, fixed number of SQL queries, however much they show.

Each page is loaded with one article, then with many articles with tags, FAQ entries and
different authors; the count must be the same both times (no query per row).
"""

import pytest

from tests.factories import make_author, make_complete_article, make_tag, searchable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    """The cost of rendering a page (SMARTCHUNKS_PAGE_CACHE=off); a cache hit costs none
    (tests/smartchunks/test_page_cache.py)."""
    settings.PAGE_CACHE_ENABLED = False


# Page -> queries an anonymous reader's request costs.
EXPECTED = {
    # count + one page of articles (with author and section joined in)
    "home": 2,
    # article with author/section, then TL;DR, FAQ, sources, tags; previous, next, related
    "article": 8,
    # the author/section/tag itself, count, one page of articles
    "author": 3,
    "section": 3,
    "tag": 3,
    # count + ranked page of results with snippets
    "search": 2,
    # articles, then TL;DR bullets and tags prefetched
    "feed": 3,
    # the author/section/tag, articles, TL;DR bullets, tags
    "narrow feed": 4,
    "news sitemap": 1,
    "sitemap section": 2,
    "robots": 0,
}


@pytest.fixture
def first_article():
    return searchable(make_complete_article(title="Harbour cranes explained"))


def add_more(first, count=6):
    tags = [make_tag(), make_tag()]
    for i in range(count):
        article = make_complete_article(
            title=f"Harbour story {i}",
            author=first.author if i % 2 else make_author(),
            section=first.section,
            tags=[*first.tags.all(), *tags],
        )
        article.faq_entries.create(question="Another?", answer="<p>Yes.</p>", position=5)
        searchable(article)


def urls_for(article):
    author, section, tag = article.author, article.section, article.tags.first()
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "author": author.get_absolute_url(),
        "section": section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "search": "/search/?q=harbour",
        "feed": "/feeds/rss/",
        "narrow feed": f"/tags/{tag.slug}/atom/",
        "news sitemap": "/news-sitemap.xml",
        "sitemap section": "/sitemap-articles.xml",
        "robots": "/robots.txt",
    }


@pytest.mark.parametrize("page", list(EXPECTED))
def test_query_count_is_small_and_does_not_grow_with_content(
    client, django_assert_num_queries, first_article, page
):
    url = urls_for(first_article)[page]
    client.get(url)  # first view makes image renditions; counts are for every view after
    with django_assert_num_queries(EXPECTED[page]):
        assert client.get(url).status_code == 200

    add_more(first_article)
    client.get(url)
    with django_assert_num_queries(EXPECTED[page]):
        assert client.get(url).status_code == 200
