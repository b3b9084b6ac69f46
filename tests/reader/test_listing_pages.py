"""Home, section and tag pages: published articles only, newest first, ten a page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_section, make_tag
from tests.helpers.html import reading_order, soup_of

PER_PAGE = 10


def _titles(response):
    return [link.get_text(strip=True) for link in soup_of(response).select("main h2 a")]


def _newest_first(count, **fields):
    """``count`` published articles titled "Story 1" (newest) to "Story <count>" (oldest)."""
    author = fields.pop("author", None) or make_author()
    now = timezone.now()
    return [
        make_article(
            title=f"Story {n}",
            author=author,
            published_at=now - timedelta(hours=n),
            tldr=0,
            faq=0,
            sources=0,
            **fields,
        )
        for n in range(1, count + 1)
    ]


def _hidden_articles(**fields):
    now = timezone.now()
    make_article(title="Hidden draft", status=Article.Status.DRAFT, **fields)
    make_article(title="Hidden scheduled", published_at=now + timedelta(days=1), **fields)
    make_article(title="Hidden unpublished", status=Article.Status.UNPUBLISHED, **fields)
    make_article(
        title="Hidden expired",
        published_at=now - timedelta(days=2),
        expires_at=now - timedelta(days=1),
        **fields,
    )


def _assert_nothing_hidden(response):
    assert "Hidden" not in response.content.decode()


@pytest.mark.django_db
def test_home_lists_published_articles_newest_first(client):
    _newest_first(3)
    _hidden_articles()
    response = client.get("/")
    assert response.status_code == 200
    assert _titles(response) == ["Story 1", "Story 2", "Story 3"]
    _assert_nothing_hidden(response)


@pytest.mark.django_db
def test_home_card_links_to_the_article(client):
    article = make_article(title="Linked story")
    link = soup_of(client.get("/")).find("a", string="Linked story")
    assert link["href"] == article.get_absolute_url()


@pytest.mark.django_db
def test_home_with_nothing_published_says_so(client):
    make_article(status=Article.Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    assert _titles(response) == []
    assert "Nothing published yet" in reading_order(response.content)


@pytest.mark.django_db
def test_home_second_page_has_the_older_articles(client):
    _newest_first(PER_PAGE + 2)
    first = client.get("/")
    assert _titles(first) == [f"Story {n}" for n in range(1, PER_PAGE + 1)]
    assert soup_of(first).find("a", href="?page=2") is not None
    second = client.get("/?page=2")
    assert second.status_code == 200
    assert _titles(second) == [f"Story {PER_PAGE + 1}", f"Story {PER_PAGE + 2}"]
    assert "Page 2 of 2" in reading_order(second.content)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "999", "0", "-1"])
def test_home_bad_page_number_is_404_styled_like_the_site(client, page):
    # Current decision: a page that does not exist is "not found", not silently page 1.
    _newest_first(PER_PAGE + 2)
    response = client.get(f"/?page={page}")
    assert response.status_code == 404
    assert soup_of(response).find("header") is not None
    assert "Page not found" in reading_order(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("listing", ["home", "author", "section", "tag"])
def test_second_page_goes_on_where_the_first_stopped(client, listing):
    author, section, tag = make_author(), make_section(), make_tag()
    at = timezone.now() - timedelta(hours=1)
    tied = [
        make_article(
            title=f"Tied {n}",
            author=author,
            section=section,
            tags=[tag],
            published_at=at,
            tldr=0,
            faq=0,
            sources=0,
        )
        for n in range(PER_PAGE + 2)
    ]
    _hidden_articles(author=author, section=section, tags=[tag])
    url = {"home": "/", "author": author, "section": section, "tag": tag}[listing]
    url = url if isinstance(url, str) else url.get_absolute_url()
    first, second = client.get(url), client.get(f"{url}?page=2")
    # Published at the same moment: the newer id first, on both pages, none twice.
    newest_first = [article.title for article in sorted(tied, key=lambda a: -a.pk)]
    assert _titles(first) + _titles(second) == newest_first
    _assert_nothing_hidden(second)


@pytest.mark.django_db
def test_section_page_lists_only_its_published_articles(client):
    science = make_section(name="Science", slug="science", description="Research explained.")
    _newest_first(2, section=science)
    make_article(title="Elsewhere", section=make_section())
    _hidden_articles(section=science)
    response = client.get(science.get_absolute_url())
    assert response.status_code == 200
    assert _titles(response) == ["Story 1", "Story 2"]
    text = reading_order(response.content)
    assert "Science" in text
    assert "Research explained." in text
    _assert_nothing_hidden(response)


@pytest.mark.django_db
def test_section_page_paginates(client):
    section = make_section()
    _newest_first(PER_PAGE + 1, section=section)
    response = client.get(f"{section.get_absolute_url()}?page=2")
    assert _titles(response) == [f"Story {PER_PAGE + 1}"]
    assert client.get(f"{section.get_absolute_url()}?page=abc").status_code == 404


@pytest.mark.django_db
def test_tag_page_lists_only_its_published_articles(client):
    tag = make_tag(name="Energy", slug="energy")
    for article in _newest_first(2):
        article.tags.add(tag)
    make_article(title="Untagged")
    _hidden_articles(tags=[tag])
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    assert _titles(response) == ["Story 1", "Story 2"]
    assert "Energy" in reading_order(response.content)
    _assert_nothing_hidden(response)


@pytest.mark.django_db
def test_article_page_links_to_its_section_and_tags(client):
    section = make_section(name="Science", slug="science")
    tag = make_tag(name="Energy", slug="energy")
    article = make_article(section=section, tags=[tag])
    page = soup_of(client.get(article.get_absolute_url()))
    assert page.find("a", href=section.get_absolute_url()) is not None
    assert page.find("a", href=tag.get_absolute_url()) is not None


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/sections/no-such-section/", "/tags/no-such-tag/"])
def test_unknown_section_or_tag_is_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert soup_of(response).find("header") is not None


@pytest.mark.django_db
def test_empty_section_page_says_so(client):
    section = make_section(name="Quiet")
    response = client.get(section.get_absolute_url())
    assert response.status_code == 200
    assert "No articles in Quiet yet." in reading_order(response.content)
