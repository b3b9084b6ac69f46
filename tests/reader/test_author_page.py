"""The author page: the profile, then that author's published articles, paginated."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import image_upload, make_article, make_author
from tests.helpers.html import assert_in_order, reading_order, soup_of


@pytest.fixture
def author(db):
    return make_author(
        name="Maya Example",
        slug="maya-example",
        photo=image_upload("maya.png", size=(120, 120)),
        job_title="Technology editor",
        experience="12+ years in editorial",
        bio="<p>Maya covers <em>software</em>.</p>",
        linkedin_url="https://www.linkedin.com/in/maya",
        x_url="https://x.com/maya",
        website_url="https://maya.example.org/",
    )


def test_author_page_shows_the_profile(client, author):
    response = client.get("/authors/maya-example/")
    assert response.status_code == 200
    assert_in_order(
        reading_order(response.content),
        "[img: Photo of Maya Example]",
        "Maya Example",
        "Technology editor · 12+ years in editorial",
        "Maya covers software.",
        "LinkedIn",
        "X",
        "Website",
    )
    hrefs = {a["href"] for a in soup_of(response).select("main a")}
    assert {
        "https://www.linkedin.com/in/maya",
        "https://x.com/maya",
        "https://maya.example.org/",
    } <= hrefs


def test_author_page_lists_only_their_published_articles(client, author):
    now = timezone.now()
    make_article(title="Maya's story", author=author)
    make_article(title="Maya's draft", author=author, status=Article.Status.DRAFT)
    make_article(title="Maya's scheduled", author=author, published_at=now + timedelta(days=1))
    make_article(title="Someone else's story")
    response = client.get(author.get_absolute_url())
    text = reading_order(response.content)
    assert "Maya's story" in text
    assert "Maya's draft" not in text
    assert "Maya's scheduled" not in text
    assert "Someone else's story" not in text


def test_author_page_paginates_ten_a_page(client, author):
    now = timezone.now()
    for n in range(1, 13):
        make_article(
            title=f"Story {n}",
            author=author,
            published_at=now - timedelta(hours=n),
            tldr=0,
            faq=0,
            sources=0,
        )
    first = [
        a.get_text(strip=True)
        for a in soup_of(client.get(author.get_absolute_url())).select("main h2 a")
    ]
    assert first == [f"Story {n}" for n in range(1, 11)]
    second = client.get(f"{author.get_absolute_url()}?page=2")
    assert [a.get_text(strip=True) for a in soup_of(second).select("main h2 a")] == [
        "Story 11",
        "Story 12",
    ]
    assert client.get(f"{author.get_absolute_url()}?page=999").status_code == 404
    assert client.get(f"{author.get_absolute_url()}?page=abc").status_code == 404


def test_author_without_articles_says_so(client, author):
    response = client.get(author.get_absolute_url())
    assert "Maya Example has no published articles yet." in reading_order(response.content)


def test_all_articles_link_on_an_article_leads_to_the_author_page(client, author):
    article = make_article(author=author, title="Maya's story")
    link = soup_of(client.get(article.get_absolute_url())).find("a", string="All articles →")
    page = client.get(link["href"])
    assert page.status_code == 200
    assert "Maya's story" in reading_order(page.content)


@pytest.mark.django_db
def test_unknown_author_is_404_styled_like_the_site(client):
    response = client.get("/authors/nobody/")
    assert response.status_code == 404
    assert soup_of(response).find("header") is not None
