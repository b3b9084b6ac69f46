"""sitemap.xml (index + paginated sections), the Google News sitemap and robots.txt."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.reader import sitemaps
from tests.factories import make_article, make_author, make_section, make_tag
from tests.helpers.html import parse_xml

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def locs(root, tag="url"):
    return [node.findtext(f"{SM}loc") for node in root.findall(f"{SM}{tag}")]


def all_sitemap_urls(client):
    index = parse_xml(client.get("/sitemap.xml"))
    urls = []
    for loc in locs(index, "sitemap"):
        page = client.get(loc.replace("http://testserver", ""))
        assert page.status_code == 200
        urls += [
            (node.findtext(f"{SM}loc"), node.findtext(f"{SM}lastmod"))
            for node in parse_xml(page).findall(f"{SM}url")
        ]
    return dict(urls)


def test_sitemap_lists_public_pages_with_lastmod_and_nothing_unpublished(client):
    author = make_author()
    section = make_section()
    tag = make_tag()
    public = make_article(
        author=author,
        section=section,
        tags=[tag],
        published_at=timezone.now() - timedelta(days=3),
        public_updated_at=timezone.now() - timedelta(days=1),
    )
    draft_only_section = make_section()
    draft = make_article(section=draft_only_section, status="draft")

    urls = all_sitemap_urls(client)
    base = "http://testserver"
    assert f"{base}/" in urls
    assert f"{base}{public.get_absolute_url()}" in urls
    assert urls[f"{base}{public.get_absolute_url()}"] == (
        timezone.localtime(public.public_updated_at).date().isoformat()
    )
    for page in (author, section, tag):
        assert f"{base}{page.get_absolute_url()}" in urls
    assert f"{base}{draft.get_absolute_url()}" not in urls
    assert f"{base}{draft_only_section.get_absolute_url()}" not in urls
    assert f"{base}{draft.author.get_absolute_url()}" not in urls


def test_sitemap_is_paginated(client, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    for _ in range(5):
        make_article()
    index = parse_xml(client.get("/sitemap.xml"))
    article_pages = [loc for loc in locs(index, "sitemap") if "sitemap-articles" in loc]
    assert len(article_pages) == 3
    third = parse_xml(client.get("/sitemap-articles.xml?p=3"))
    assert len(locs(third)) == 1


def test_news_sitemap_holds_only_the_last_two_days(client):
    now = timezone.now()
    fresh = make_article(title='Fresh & "new" <story>', published_at=now - timedelta(hours=47))
    stale = make_article(published_at=now - timedelta(hours=49))
    make_article(title="Scheduled", published_at=now + timedelta(hours=1))
    make_article(title="Draft", status="draft")

    response = client.get("/news-sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    root = parse_xml(response)
    urls = root.findall(f"{SM}url")
    assert [u.findtext(f"{SM}loc") for u in urls] == [
        f"http://testserver{fresh.get_absolute_url()}"
    ]
    news = urls[0].find(f"{NEWS}news")
    publication = news.find(f"{NEWS}publication")
    assert publication.findtext(f"{NEWS}name") == "Smart Chunks"
    assert publication.findtext(f"{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}title") == 'Fresh & "new" <story>'
    assert news.findtext(f"{NEWS}publication_date").startswith(
        timezone.localtime(fresh.published_at).isoformat()[:19]
    )
    assert stale.get_absolute_url() not in response.content.decode()


def test_news_sitemap_stops_at_one_thousand(client):
    author = make_author()
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Item {i}",
            slug=f"item-{i}",
            author=author,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i + 1),
        )
        for i in range(1005)
    )
    root = parse_xml(client.get("/news-sitemap.xml"))
    loc_list = locs(root)
    assert len(loc_list) == 1000
    assert loc_list[0].endswith("/articles/item-0/")
    assert loc_list[-1].endswith("/articles/item-999/")


def test_robots_txt_names_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
