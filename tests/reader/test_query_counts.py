"""Public pages run a small, fixed number of SQL queries, however much they show.

Each page is loaded with one article, then with many articles with tags, FAQ entries and
different authors; the count must be the same both times (no query per row).
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from articles.models import Article, SitePage
from articles.reader.article_page import ArticlePageView, article_page_queryset
from articles.workflow import page_generation, prerender
from smartchunks import page_cache
from tests.factories import (
    make_article,
    make_author,
    make_complete_article,
    make_section,
    make_tag,
    searchable,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def every_request_a_cache_miss(settings, monkeypatch):
    """The cost of rendering a page on a page-cache miss; a cache hit costs none
    (tests/smartchunks/test_page_cache.py).  The cache stays on but never finds or keeps a
    page: what a miss renders with is kept per generation (the section menu and footer
    links, articles/reader/navigation.py, read once after each write), as in production."""
    settings.PAGE_CACHE_ENABLED = True
    page_generation.current_or_renewed()
    monkeypatch.setattr(page_cache, "find", lambda record, key: None)
    monkeypatch.setattr(page_cache, "keep", lambda record, key, page: None)


# Page -> queries an anonymous reader's request costs.
EXPECTED = {
    # count + one page of articles (with author and section joined in); the front page's
    # lead story is the first of them, plus its TL;DR; each section's newest article ids,
    # then those articles (articles/reader/front_page.py): constant in sections and articles
    "home": 5,
    # the article's row with the page frame stored at save; its neighbours (previous, next
    # and related together)
    "article": 2,
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
    # the article with author and section; its TL;DR bullets, FAQ entries, sources and
    # corrections (a correction must reach answer engines with the text it corrects)
    "markdown": 5,
    # the newest published articles' headline, slug and standfirst (a bounded list)
    "llms.txt": 1,
    # the site page itself (the footer's links are kept per generation)
    "site page": 1,
}


@pytest.fixture
def first_article():
    SitePage.objects.create(title="About", slug="about", body="<p>Us.</p>", published=True)
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
        "markdown": f"/articles/{article.slug}.md",
        "llms.txt": "/llms.txt",
        "site page": "/pages/about/",
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


def article_with(*, bullets, faq, sources, tags, section):
    article = make_article(
        tldr=bullets,
        faq=faq,
        sources=sources,
        tags=[make_tag() for _ in range(tags)],
        section=section,
    )
    assert (article.tldr_bullets.count(), article.faq_entries.count()) == (bullets, faq)
    assert (article.sources.count(), article.tags.count()) == (sources, tags)
    return article


# An article with few and with many of each part: its page must cost the same either way.
FEW_AND_MANY_PARTS = pytest.mark.parametrize(
    "few, many",
    [
        ({"bullets": 3}, {"bullets": 5}),
        ({"faq": 1}, {"faq": 8}),
        ({"sources": 1}, {"sources": 6}),
        ({"tags": 0}, {"tags": 6}),
    ],
    ids=["tldr", "faq", "sources", "tags"],
)


@FEW_AND_MANY_PARTS
def test_article_page_costs_two_queries_however_many_parts_it_has(
    client, django_assert_num_queries, few, many
):
    section = make_section()
    for _ in range(3):  # previous, next and related articles to find
        make_article(section=section, tags=[make_tag()])
    plain = {"bullets": 3, "faq": 1, "sources": 1, "tags": 1, "section": section}
    small = article_with(**{**plain, **few})
    large = article_with(**{**plain, **many})
    for article in (small, large):
        client.get(article.get_absolute_url())
        with django_assert_num_queries(2):
            page = client.get(article.get_absolute_url())
        assert page.status_code == 200
        # Every part is on the page, not just counted.
        assert page.content.count(b"<li>Bullet ") == article.tldr_bullets.count()
        assert page.content.count(b'class="faq__entry"') == article.faq_entries.count()
        assert page.content.count(b' id="source-') == article.sources.count()
        assert page.content.count(b'property="article:tag"') == article.tags.count()


@FEW_AND_MANY_PARTS
def test_the_markdown_version_costs_five_queries_however_many_parts_it_has(
    client, django_assert_num_queries, few, many
):
    plain = {"bullets": 3, "faq": 1, "sources": 1, "tags": 1, "section": make_section()}
    for article in (article_with(**{**plain, **few}), article_with(**{**plain, **many})):
        with django_assert_num_queries(EXPECTED["markdown"]):
            response = client.get(f"/articles/{article.slug}.md")
        assert response.status_code == 200
        # Every part is in the Markdown, not just counted.
        markdown = response.content.decode()
        assert markdown.count("\n- Bullet ") == article.tldr_bullets.count()
        assert markdown.count("\n### Question ") == article.faq_entries.count()
        assert markdown.count("](https://example.com/") == article.sources.count()


def test_llms_txt_costs_one_query_however_many_articles_are_published(
    client, django_assert_num_queries
):
    make_article()
    with django_assert_num_queries(1):
        one = client.get("/llms.txt").content.decode()
    for _ in range(12):
        make_article(section=make_section(), tags=[make_tag()])
    with django_assert_num_queries(1):
        many = client.get("/llms.txt").content.decode()
    assert (one.count(".md):"), many.count(".md):")) == (1, 13)


def test_corrections_cost_the_article_page_no_query(client, django_assert_num_queries):
    """They are in the frame stored at save, like the TL;DR, FAQ and sources."""
    section = make_section()
    for _ in range(3):
        make_article(section=section, tags=[make_tag()])
    article = make_article(section=section, tags=[make_tag()])
    for n in range(4):
        article.corrections.create(text=f"An earlier version said {n}. It is {n + 1}.")
    prerender.store_parts(article.pk)  # as the save that publishes them does
    client.get(article.get_absolute_url())
    with django_assert_num_queries(2):
        page = client.get(article.get_absolute_url())
    assert page.content.count(b'<time class="corrections__date"') == 4


def test_an_article_whose_stored_parts_are_gone_still_shows_them_all(client):
    """The live fallback (parts never stored, e.g. rows loaded in bulk): more queries, same page."""
    article = make_article(tldr=4, faq=3, sources=2)
    stored = client.get(article.get_absolute_url()).content
    article.rendered.delete()
    assert client.get(article.get_absolute_url()).content == stored


def test_the_orm_path_with_a_stored_frame_costs_three_queries(
    client, django_assert_num_queries, settings
):
    """The path the newsroom takes (and any request the two-query path declines): the
    article with its author, section and stored parts; its tags; its neighbours."""

    article = make_article(tldr=4, faq=3, sources=2, tags=[make_tag(), make_tag()])
    request = RequestFactory().get(article.get_absolute_url())
    request.user = AnonymousUser()

    class OrmPath(ArticlePageView):
        def get_queryset(self):
            return article_page_queryset(Article.objects.published())

    view = OrmPath.as_view()
    page_for_readers = client.get(article.get_absolute_url()).content
    with django_assert_num_queries(3):
        response = view(request, slug=article.slug)
        response.render()
    assert response.content == page_for_readers


@pytest.mark.parametrize("page", list(EXPECTED))
def test_every_public_page_answers_head_as_it_answers_get(client, first_article, page):
    """Crawlers and monitors ask HEAD first (robots.txt, sitemaps): the same answer, whether
    or not the page is cached yet."""
    url = urls_for(first_article)[page]
    client.get(url)  # the renditions made, then a cache as fresh as after a publish
    page_cache.clear()
    head = client.head(url)
    get = client.get(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for name in ("Content-Type", "ETag", "Cache-Control"):
        assert head.get(name) == get.get(name), name
