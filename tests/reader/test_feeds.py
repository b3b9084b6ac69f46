"""RSS 2.0 and Atom feeds for the site, authors, sections and tags."""

from xml.dom import minidom

import pytest
from django.utils.html import escape

from articles.models import Article
from tests.factories import make_article, make_author, make_section, make_tag
from tests.helpers.html import parse_xml, soup_of

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def world():
    author = make_author(name="Ada Writer")
    section = make_section(name="Economy")
    tag = make_tag(name="Chips")
    shown = make_article(title="Shown <&> here", author=author, section=section, tags=[tag])
    other = make_article(title="Other author piece")
    draft = make_article(
        title="Secret draft", author=author, section=section, tags=[tag], status="draft"
    )
    return {
        "author": author,
        "section": section,
        "tag": tag,
        "shown": shown,
        "other": other,
        "draft": draft,
    }


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse_xml(response).find("channel")
    return channel, channel.findall("item")


def test_site_rss_lists_published_articles_with_tldr_summary_and_author(client, world):
    channel, items = rss_items(client, "/feeds/rss/")
    titles = [item.findtext("title") for item in items]
    assert set(titles) == {"Shown <&> here", "Other author piece"}
    shown = next(item for item in items if item.findtext("title") == "Shown <&> here")
    assert shown.findtext("link") == f"http://testserver{world['shown'].get_absolute_url()}"
    assert shown.findtext(f"{DC}creator") == "Ada Writer"
    summary = shown.findtext("description")
    bullets = [escape(bullet.text) for bullet in world["shown"].tldr_bullets.all()]
    assert summary == "<ul>" + "".join(f"<li>{b}</li>" for b in bullets) + "</ul>"
    assert {c.text for c in shown.findall("category")} == {"Economy", "Chips"}
    assert shown.findtext("pubDate")


def test_site_atom_has_summary_author_and_updated(client, world):
    response = client.get("/feeds/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    entries = parse_xml(response).findall(f"{ATOM}entry")
    entry = next(e for e in entries if e.findtext(f"{ATOM}title") == "Shown <&> here")
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Ada Writer"
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}uri") == (
        f"http://testserver{world['author'].get_absolute_url()}"
    )
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "Bullet 1 of Shown" in summary.text
    assert entry.findtext(f"{ATOM}updated")
    assert entry.findtext(f"{ATOM}published")


@pytest.mark.parametrize("kind", ["author", "section", "tag"])
def test_narrow_feeds_hold_only_their_published_articles(client, world, kind):
    slug = world[kind].slug
    plural = {"author": "authors", "section": "sections", "tag": "tags"}[kind]
    _channel, items = rss_items(client, f"/{plural}/{slug}/rss/")
    assert [item.findtext("title") for item in items] == ["Shown <&> here"]
    atom = parse_xml(client.get(f"/{plural}/{slug}/atom/"))
    assert [e.findtext(f"{ATOM}title") for e in atom.findall(f"{ATOM}entry")] == ["Shown <&> here"]


@pytest.mark.parametrize("url", ["/authors/nobody/rss/", "/sections/none/atom/", "/tags/x/rss/"])
def test_feed_for_unknown_object_is_404(client, url):
    assert client.get(url).status_code == 404


def test_no_feed_ever_mentions_an_unpublished_article(client, world):
    scheduled = make_article(title="Scheduled later", author=world["author"])
    Article.objects.filter(pk=scheduled.pk).update(
        published_at=scheduled.published_at.replace(year=scheduled.published_at.year + 1)
    )
    urls = ["/feeds/rss/", "/feeds/atom/"]
    for plural, obj in (("authors", "author"), ("sections", "section"), ("tags", "tag")):
        urls += [f"/{plural}/{world[obj].slug}/rss/", f"/{plural}/{world[obj].slug}/atom/"]
    for url in urls:
        body = client.get(url).content.decode()
        assert "Secret draft" not in body, url
        assert "Scheduled later" not in body, url


def test_pages_advertise_their_feeds(client, world):
    soup = soup_of(client.get(world["section"].get_absolute_url()))
    alternates = {(link["type"], link["href"]) for link in soup.find_all("link", rel="alternate")}
    slug = world["section"].slug
    assert ("application/rss+xml", "/feeds/rss/") in alternates
    assert ("application/atom+xml", "/feeds/atom/") in alternates
    assert ("application/rss+xml", f"/sections/{slug}/rss/") in alternates
    assert ("application/atom+xml", f"/sections/{slug}/atom/") in alternates
    author_soup = soup_of(client.get(world["author"].get_absolute_url()))
    hrefs = {link["href"] for link in author_soup.find_all("link", rel="alternate")}
    assert f"/authors/{world['author'].slug}/rss/" in hrefs


def test_feeds_and_news_sitemap_survive_a_control_character_in_a_headline(client):
    # Pasted from a word processor: a vertical tab inside the headline and a TL;DR bullet.
    article = make_article(title="Chips\x0bexplained", section=make_section())
    article.tldr_bullets.update(text="Form\x0cfeed")
    urls = ["/feeds/rss/", "/feeds/atom/", "/news-sitemap.xml"]
    urls += [f"/sections/{article.section.slug}/rss/", f"/authors/{article.author.slug}/atom/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        minidom.parseString(response.content)  # noqa: S318 -- our own output: well-formed?
        assert b"Chipsexplained" in response.content, url
