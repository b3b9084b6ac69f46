"""Nothing unpublished ever leaks: crawl the public site as an anonymous reader.

A draft, an in-review, a scheduled and an unpublished article carry a unique marker in every
field, inline and image file name.  The crawler starts at the home page and follows what
it finds (links, <link rel=alternate> feeds and Markdown versions, robots.txt Sitemap: lines,
sitemap <loc>s, Markdown links, the search form), so new public surfaces are crawled without
changing this test; /llms.txt, a well-known address nothing links to, is a starting point.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles.models import Article, Correction, FaqEntry, SitePage, Source, TldrBullet
from articles.workflow import services, staging
from smartchunks.media import share_cards
from tests.factories import (
    image_upload,
    make_article,
    make_author,
    make_section,
    make_tag,
)

MAX_PAGES = 400
NO_MATCH = "zqxnomatchmark"
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/ckeditor/")
PUBLIC_CORRECTION = "An earlier version of this article gave the wrong year. It is 2026."
HIDDEN = {
    "draft": "zqxdraftmarker",
    "review": "zqxreviewmarker",
    "scheduled": "zqxschedmarker",
    "unpublished": "zqxunpubmarker",
}


def _body_image_url(uploader: Client, marker: str) -> str:
    """An image uploaded through the body editor, as the admin would."""
    response = uploader.post("/ckeditor/upload/", {"upload": image_upload(f"body-{marker}.png")})
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert marker not in url, "uploaded file names must be unguessable"
    return url


def _hidden_article(marker, *, status, section, tag, author, uploader, published_at=None):
    image_url = _body_image_url(uploader, marker)
    article = make_article(
        title=f"Headline {marker}",
        slug=f"slug-{marker}",
        standfirst=f"Standfirst {marker}",
        body=(
            f"<h2>Heading {marker}</h2><p>Body {marker}</p>"
            f'<p><img src="{image_url}" alt="Figure {marker}"></p>'
        ),
        meta_description=f"Meta {marker}",
        hero_image=image_upload(f"hero-{marker}.png"),
        hero_alt=f"Alt {marker}",
        hero_credit=f"Credit {marker}",
        author=author,
        section=section,
        status=status,
        published_at=published_at,
        tldr=0,
        faq=0,
        sources=0,
        tags=[tag],
    )
    for position in range(3):
        TldrBullet.objects.create(
            article=article, text=f"Bullet {position} {marker}", position=position
        )
    FaqEntry.objects.create(
        article=article, question=f"Question {marker}?", answer=f"<p>Answer {marker}</p>"
    )
    Source.objects.create(
        article=article,
        name=f"Outlet {marker}",
        url=f"https://example.com/{marker}",
        note=f"Note {marker}",
    )
    Correction.objects.create(
        article=article, text=f"An earlier version said {marker}. It is right now."
    )
    assert marker not in article.hero_image.name, "uploaded file names must be unguessable"
    return article


@pytest.fixture
def site(db, editor):
    section = make_section(name="Science", slug="science")
    shared_tag = make_tag(name="Energy", slug="energy")
    author = make_author(name="Pat Public", slug="pat-public")
    hidden_tag = make_tag(name=f"Tag {HIDDEN['draft']}", slug=f"tag-{HIDDEN['draft']}")
    public = make_article(
        title="Public headline",
        slug="public-article",
        section=section,
        author=author,
        tags=[shared_tag],
    )
    # A public correction puts /corrections/ in the sitemap, where the crawl finds it.
    Correction.objects.create(article=public, text=PUBLIC_CORRECTION)
    uploader = Client()
    uploader.force_login(editor)
    hidden = {
        "draft": _hidden_article(
            HIDDEN["draft"],
            status=Article.Status.DRAFT,
            section=section,
            tag=hidden_tag,
            author=author,
            uploader=uploader,
        ),
        "review": _hidden_article(
            HIDDEN["review"],
            status=Article.Status.IN_REVIEW,
            section=section,
            tag=shared_tag,
            author=author,
            uploader=uploader,
        ),
        "scheduled": _hidden_article(
            HIDDEN["scheduled"],
            status=Article.Status.DRAFT,
            section=section,
            tag=shared_tag,
            author=author,
            uploader=uploader,
        ),
        "unpublished": _hidden_article(
            HIDDEN["unpublished"],
            status=Article.Status.DRAFT,
            section=section,
            tag=shared_tag,
            author=author,
            uploader=uploader,
        ),
    }
    # The header's section menu and the footer's site pages: a section with only a draft
    # in it, and an unpublished site page, must not show.
    draft_desk = make_section(name=f"Desk {HIDDEN['draft']}", slug=f"desk-{HIDDEN['draft']}")
    make_article(section=draft_desk, status=Article.Status.DRAFT, author=author)
    SitePage.objects.create(title="About", slug="about", body="<p>Who we are.</p>", published=True)
    marker = HIDDEN["unpublished"]
    SitePage.objects.create(
        title=f"Page {marker}", slug=f"page-{marker}", body=f"<p>{marker}</p>", published=False
    )
    services.schedule(hidden["scheduled"], by=editor, at=timezone.now() + timedelta(days=2))
    unpublished = hidden["unpublished"]
    services.publish(unpublished, by=editor)
    # Its old URL becomes a redirect while it is live; once unpublished it must say nothing.
    old_slug = unpublished.slug
    unpublished.slug = f"renamed-{HIDDEN['unpublished']}"
    unpublished.save()
    services.note_slug_change(unpublished, old_slug)
    services.unpublish(unpublished, by=editor)
    for article in (public, *hidden.values()):
        from articles.workflow.search_index import refresh_search_vector

        refresh_search_vector(article.pk)
    return {"public": public, "hidden": hidden, "old_slug": old_slug}


def _same_origin_path(url: str, base: str) -> str | None:
    absolute = urljoin(base, url.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.hostname not in ("testserver", None):
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _discover(path: str, response, body: str) -> list[str]:
    """Every same-origin URL a reader's browser, a feed reader or a search engine would find."""
    found = []
    content_type = response.get("Content-Type", "")
    if path.startswith("/robots.txt"):
        found += re.findall(r"(?im)^\s*sitemap:\s*(\S+)", body)
    elif "html" in content_type:
        soup = BeautifulSoup(body, "html.parser")
        found += [a["href"] for a in soup.find_all("a", href=True)]
        found += [
            link["href"]
            for link in soup.find_all("link", href=True)
            if "alternate" in link.get("rel", [])
        ]
    elif "markdown" in content_type or "text/plain" in content_type:  # .md, /llms.txt
        found += re.findall(r"\]\(<?([^)\s>]+)", body)
    elif "xml" in content_type:
        found += re.findall(r"<loc>\s*([^<\s]+)\s*</loc>", body)
        found += re.findall(r"<link>\s*([^<\s]+)\s*</link>", body)
        found += re.findall(r'<link[^>]*href="([^"]+)"', body)
    return found


def _search_urls(home_html: str) -> list[str]:
    """One search per marker, through the search form the home page offers (if any)."""
    soup = BeautifulSoup(home_html, "html.parser")
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "get":
            continue
        field = form.find("input", attrs={"type": "search"}) or form.find(
            "input", attrs={"name": True, "type": lambda t: t in (None, "text", "search")}
        )
        if field is None or not field.get("name"):
            continue
        action = form.get("action") or "/"
        return [f"{action}?{urlencode({field['name']: marker})}" for marker in HIDDEN.values()]
    return []


def crawl(client: Client) -> dict[str, tuple[int, str, str]]:
    """path -> (status, headers as text, body as text) for everything reachable."""
    seen: dict[str, tuple[int, str, str]] = {}
    queue = deque(["/", "/robots.txt", "/llms.txt"])
    searched = False
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        assert len(seen) < MAX_PAGES, "the crawl found more pages than expected"
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        seen[path] = (response.status_code, headers, text)
        if response.status_code in (301, 302) and response.get("Location"):
            found = [response["Location"]]
        else:
            found = _discover(path, response, text)
        if path == "/" and not searched:
            searched = True
            found += _search_urls(text)
        for url in found:
            next_path = _same_origin_path(url, f"http://testserver{path}")
            if next_path and next_path not in seen:
                queue.append(next_path)
    return seen


@pytest.mark.django_db
def test_no_marker_of_an_unpublished_article_is_reachable_by_an_anonymous_reader(site):
    client = Client()
    pages = crawl(client)
    # The crawl really walked the site: the public article and its listings were reached.
    assert site["public"].get_absolute_url() in pages
    assert "/sections/science/" in pages
    assert "/authors/pat-public/" in pages
    assert "/llms.txt" in pages
    assert "/articles/public-article.md" in pages  # advertised by the page and llms.txt
    assert "/pages/about/" in pages
    assert PUBLIC_CORRECTION in pages["/corrections/"][2]
    leaks = []
    for path, (status, headers, body) in pages.items():
        for marker in HIDDEN.values():
            if marker not in body.lower() and marker not in headers.lower():
                continue
            if marker in path and _only_echoes_the_query(client, path, marker, status, body):
                continue
            leaks.append(f"{marker} in {path}")
    assert leaks == []


def _only_echoes_the_query(client, path, marker, status, body) -> bool:
    """A search page repeats what the reader typed; that is not a leak if the page for a
    term that matches nothing is otherwise identical."""
    control = client.get(path.replace(marker, NO_MATCH))
    return control.status_code == status and control.content.decode() == body.replace(
        marker, NO_MATCH
    )


def _answer(client, path):
    """Status, body and cache headers, with the page's own address (which a 404 page may
    echo, e.g. in its canonical link) replaced by a placeholder."""
    response = client.get(path)
    body = response.content.decode().replace(path, "<requested path>")
    return response.status_code, body, response.get("Cache-Control"), response.get("X-Robots-Tag")


@pytest.mark.django_db
def test_unpublished_articles_answer_like_an_unknown_url(site):
    client = Client()
    unknown_slug = _answer(client, "/articles/no-such-article-here/")
    unknown_id = _answer(client, "/articles/987654321/")
    unknown_preview = _answer(client, "/preview/articles/987654321/")
    unknown_markdown = _answer(client, "/articles/no-such-article-here.md")
    assert unknown_slug[0] == 404
    assert unknown_markdown[0] == 404
    for article in site["hidden"].values():
        assert _answer(client, f"/articles/{article.slug}/") == unknown_slug
        assert _answer(client, f"/articles/{article.slug}.md") == unknown_markdown
        assert _answer(client, f"/articles/{article.pk}/") == unknown_id
        assert _answer(client, f"/preview/articles/{article.pk}/") == unknown_preview
    assert _answer(client, f"/articles/{site['old_slug']}/") == unknown_slug
    assert _answer(client, f"/articles/{site['old_slug']}.md") == unknown_markdown


# Staged changes to a live article (articles/workflow/staging.py) are unpublished work too.
STAGED_MARKERS = {
    "headline": "zqxstagedheadline",
    "body": "zqxstagedbody",
    "tldr": "zqxstagedtldr",
    "faq": "zqxstagedfaq",
    "correction": "zqxstagedcorrection",
}


def _marker_pages(client, pages, markers) -> dict[str, list[str]]:
    """Marker name -> the paths showing it (a search page that only repeats the query aside)."""
    found: dict[str, list[str]] = {}
    for path, (status, headers, body) in pages.items():
        for name, marker in markers.items():
            if marker not in body.lower() and marker not in headers.lower():
                continue
            if marker in path and _only_echoes_the_query(client, path, marker, status, body):
                continue
            found.setdefault(name, []).append(path)
    return found


@pytest.mark.django_db
def test_staged_changes_to_a_live_article_reach_readers_only_once_published(site, editor):
    live = site["public"]
    staging.save_changes(
        live,
        {
            "title": f"Headline {STAGED_MARKERS['headline']}",
            "body": f"<p>Body {STAGED_MARKERS['body']}</p>",
            "tldr": [{"text": f"Bullet {n} {STAGED_MARKERS['tldr']}"} for n in range(3)],
            "faq": [
                {
                    "question": f"Question {STAGED_MARKERS['faq']}?",
                    "answer": f"<p>Answer {STAGED_MARKERS['faq']}</p>",
                }
            ],
            "corrections": [
                {"text": PUBLIC_CORRECTION},
                {"text": f"An earlier version said {STAGED_MARKERS['correction']}. Fixed."},
            ],
        },
        by=editor,
    )
    client = Client()
    # Searching for each marker is what a curious reader would try.
    searches = [f"/search/?q={marker}" for marker in STAGED_MARKERS.values()]
    pages = crawl(client)
    pages.update({path: _fetched(client, path) for path in searches})
    assert live.get_absolute_url() in pages, "the crawl reached the live article"
    assert _marker_pages(client, pages, STAGED_MARKERS) == {}

    staging.publish_changes(live, by=editor)
    pages = crawl(client)
    pages.update({path: _fetched(client, path) for path in searches})
    shown = _marker_pages(client, pages, STAGED_MARKERS)
    # Published, every change is on the article's page and in its Markdown version, and its
    # headline and body in search.
    assert all(live.get_absolute_url() in paths for paths in shown.values())
    assert all(f"/articles/{live.slug}.md" in paths for paths in shown.values())
    assert "/llms.txt" in shown["headline"]
    assert set(shown) == set(STAGED_MARKERS)
    assert f"/search/?q={STAGED_MARKERS['body']}" in shown["headline"]
    assert "/corrections/" in shown["correction"]


def _fetched(client, path) -> tuple[int, str, str]:
    response = client.get(path)
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return response.status_code, headers, response.content.decode()


@pytest.mark.django_db
def test_the_share_card_of_an_unpublished_article_is_never_linked_nor_served(site):
    """Cards are drawn for every article, drafts too (so one is ready when it is published):
    a hidden article's card is on no public page and answers like an unknown name."""
    call_command("prerender_articles", verbosity=0)  # draws every card, as `make run` does
    client = Client()
    pages = crawl(client)
    public_card = share_cards.source_name(site["public"].pk) + "."
    assert any(public_card in body for _status, _headers, body in pages.values())
    unknown = client.get("/media/cards/321/article-987654321.0123456789abcdef0123.jpg")
    assert unknown.status_code == 404
    for state, article in site["hidden"].items():
        (card,) = share_cards.cards_of(article.pk)
        linked = [path for path, page in pages.items() if card in page[2]]
        assert linked == [], state
        answer = client.get(default_storage.url(card))
        assert (answer.status_code, answer.content) == (404, unknown.content), state
