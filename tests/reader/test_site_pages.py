"""Site pages (About, Editorial standards, ...): edited in the admin by editors and admins,
public only while published, in the sitemap, linked from every page's footer, and never
stale in the page cache."""

import pytest

from articles.models import SitePage
from tests.factories import make_article, make_section, make_tag
from tests.helpers.html import parse_xml, rendered_form_data, soup_of

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def make_page(**fields):
    defaults = {
        "title": "About Smart Chunks",
        "slug": "about",
        "body": "<p>Short explainers with their sources.</p>",
        "published": True,
    }
    return SitePage.objects.create(**{**defaults, **fields})


def _footer(response):
    """The footer's site pages (the Corrections link after them is always there)."""
    links = [
        (link.get_text(strip=True), link["href"])
        for link in soup_of(response).select("footer .site-footer__pages a")
    ]
    assert links[-1:] == [("Corrections", "/corrections/")]
    return links[:-1]


def test_a_published_page_is_shown_and_an_unpublished_one_is_a_404(client):
    make_page(description="Who we are.")
    make_page(title="Staff handbook", slug="handbook", published=False)
    response = client.get("/pages/about/")
    assert response.status_code == 200
    page = soup_of(response)
    assert page.h1.get_text(strip=True) == "About Smart Chunks"
    assert page.select_one("main .rich-text").get_text(strip=True) == (
        "Short explainers with their sources."
    )
    assert page.select_one('meta[name="description"]')["content"] == "Who we are."
    assert page.title.get_text() == "About Smart Chunks — Smart Chunks"
    assert client.get("/pages/handbook/").status_code == 404
    assert "Staff handbook" not in response.content.decode()


def test_the_body_is_cleaned_like_an_article_body():
    page = make_page(body='<p onclick="steal()">Hi<script>alert(1)</script></p>')
    page.refresh_from_db()
    assert page.body == "<p>Hi</p>"


def test_the_footer_of_every_page_links_the_published_footer_pages_in_order(client):
    make_page(title="Editorial standards", slug="editorial-standards", footer_position=2)
    make_page(title="About", slug="about", footer_position=1)
    make_page(title="Jobs", slug="jobs", show_in_footer=False)
    make_page(title="Draft policy", slug="draft-policy", published=False)
    tag = make_tag()
    article = make_article(section=make_section(), tags=[tag])
    expected = [("About", "/pages/about/"), ("Editorial standards", "/pages/editorial-standards/")]
    for url in (
        "/",
        article.get_absolute_url(),
        article.author.get_absolute_url(),
        article.section.get_absolute_url(),
        tag.get_absolute_url(),
        "/search/?q=x",
        "/pages/jobs/",
        "/pages/about/",
        "/articles/missing/",
    ):
        assert _footer(client.get(url)) == expected, url


def test_the_sitemap_lists_published_site_pages_only(client):
    page = make_page()
    make_page(title="Draft", slug="draft-page", published=False)
    index = parse_xml(client.get("/sitemap.xml"))
    locations = [node.findtext(f"{SM}loc") for node in index.findall(f"{SM}sitemap")]
    assert "http://testserver/sitemap-pages.xml" in locations
    urls = {
        node.findtext(f"{SM}loc"): node.findtext(f"{SM}lastmod")
        for node in parse_xml(client.get("/sitemap-pages.xml")).findall(f"{SM}url")
    }
    assert set(urls) == {"http://testserver/pages/about/"}
    assert urls["http://testserver/pages/about/"] == page.updated_at.date().isoformat()


def test_an_editor_adds_and_edits_a_site_page_in_the_admin(editor_client):
    assert "/admin/articles/sitepage/" in editor_client.get("/admin/").content.decode()
    added = editor_client.post(
        "/admin/articles/sitepage/add/",
        {
            "title": "Corrections policy",
            "slug": "corrections",
            "description": "How we fix mistakes.",
            "body": "<p>We say so.</p>",
            "published": "on",
            "show_in_footer": "on",
            "footer_position": "3",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    page = SitePage.objects.get(slug="corrections")
    change_url = f"/admin/articles/sitepage/{page.pk}/change/"
    form = rendered_form_data(editor_client.get(change_url).content)
    form["body"] = "<p>We say so, on the article, dated.</p>"
    assert editor_client.post(change_url, form).status_code == 302
    page.refresh_from_db()
    assert page.body == "<p>We say so, on the article, dated.</p>"


def test_an_admin_may_edit_site_pages_and_a_writer_may_not(admin_client, writer):
    page = make_page()
    assert admin_client.get(f"/admin/articles/sitepage/{page.pk}/change/").status_code == 200
    admin_client.force_login(writer)
    assert admin_client.get("/admin/articles/sitepage/").status_code == 403
    assert admin_client.get(f"/admin/articles/sitepage/{page.pk}/change/").status_code == 403


def test_an_edit_makes_the_cached_page_and_every_footer_fresh(client):
    page = make_page(title="About us", slug="about")
    article = make_article()
    for url in ("/pages/about/", article.get_absolute_url()):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"

    page.title = "About Smart Chunks"
    page.body = "<p>New words.</p>"
    page.save()
    fresh = client.get("/pages/about/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "New words." in fresh.content.decode()
    elsewhere = client.get(article.get_absolute_url())
    assert ("About Smart Chunks", "/pages/about/") in _footer(elsewhere)

    page.published = False
    page.save()
    assert client.get("/pages/about/").status_code == 404
    assert _footer(client.get(article.get_absolute_url())) == []


def test_a_deleted_page_leaves_the_cache_and_the_footer(client):
    page = make_page()
    client.get("/pages/about/")
    assert client.get("/pages/about/")["X-Page-Cache"] == "hit"
    page.delete()
    assert client.get("/pages/about/").status_code == 404
    assert _footer(client.get("/")) == []
