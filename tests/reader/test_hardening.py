"""Defence in depth on reader pages: rows that skipped save(), tags named for unreleased stories."""

import pytest
from bs4 import BeautifulSoup

from articles.models import Article, FaqEntry
from authors.models import Author
from tests.factories import make_article, make_tag

HOSTILE = '<p>Fine</p><script>alert(1)</script><img src="x.png" onerror="alert(2)"><a href="javascript:alert(3)">x</a>'


def _rich_text_regions(html: str) -> list:
    soup = BeautifulSoup(html, "html.parser")
    regions = soup.select(".article-body, .faq__answer, .author-bio")
    assert regions, "no rich-text region on the page"
    return regions


def _assert_cleaned(html: str) -> None:
    for region in _rich_text_regions(html):
        assert region.find("script") is None
        assert all(not name.startswith("on") for tag in region.find_all(True) for name in tag.attrs)
        assert all("javascript:" not in a.get("href", "") for a in region.find_all("a"))


@pytest.mark.django_db
def test_rich_text_that_skipped_save_is_cleaned_when_the_page_renders(client):
    article = make_article(title="Imported by fixture")
    # .update() writes straight to the database, as loaddata or a SQL restore would.
    Article.objects.filter(pk=article.pk).update(body=HOSTILE)
    FaqEntry.objects.filter(article=article).update(answer=HOSTILE)
    Author.objects.filter(pk=article.author_id).update(bio=HOSTILE)

    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count("<p>Fine</p>") == 3  # body, FAQ answer and author bio all kept their text
    _assert_cleaned(html)
    author_html = client.get(article.author.get_absolute_url()).content.decode()
    assert "<p>Fine</p>" in author_html
    _assert_cleaned(author_html)


@pytest.mark.django_db
def test_a_tag_used_only_by_unpublished_work_answers_like_an_unknown_url(client):
    secret = make_tag(name="Project Orion", slug="project-orion")
    make_article(status=Article.Status.DRAFT, tags=[secret])
    unknown = client.get("/tags/no-such-tag/")
    for url in ("/tags/project-orion/", "/tags/project-orion/rss/", "/tags/project-orion/atom/"):
        response = client.get(url)
        assert response.status_code == 404 == unknown.status_code, url
        assert "Project Orion" not in response.content.decode()


@pytest.mark.django_db
def test_the_tag_page_appears_once_a_tagged_story_is_live(client):
    tag = make_tag(name="Project Orion", slug="project-orion")
    make_article(title="Orion, explained", tags=[tag])
    response = client.get("/tags/project-orion/")
    assert response.status_code == 200
    assert "Orion, explained" in response.content.decode()
    assert client.get("/tags/project-orion/rss/").status_code == 200
