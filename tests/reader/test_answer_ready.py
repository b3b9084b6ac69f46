"""Answer-ready articles: /articles/<slug>.md and /llms.txt (articles/reader/answer_ready.py).

The Markdown must say what the page says (its text, compared with the page's own HTML),
convert the body's markup cleanly, leak neither raw HTML nor the site's chrome, and exist
only for what ``published()`` returns.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from articles.models import Article, FaqEntry, TldrBullet
from articles.reader import answer_ready
from articles.workflow import services
from tests.factories import (
    image_upload,
    make_article,
    make_complete_article,
    make_role_user,
    make_section,
)

pytestmark = pytest.mark.django_db

RICH_BODY = (
    "<p>Cranes lift <strong>forty tonnes</strong> at a time, and <em>quickly</em>.</p>"
    "<h2>How a crane works</h2>"
    '<p>Read the <a href="/articles/harbour-history/">history of the harbour</a> or '
    '<a href="https://example.org/ports" title="Ports">the port authority</a>.</p>'
    "<ul><li>A boom</li><li>A trolley</li></ul>"
    "<ol><li>Lift the box</li><li>Move it ashore</li></ol>"
    "<h3>Safety</h3>"
    "<blockquote><p>Nobody stands under the load.</p></blockquote>"
    "<p>A 3 &lt; 4 comparison, a snake_case name and a *starred* word stay text.</p>"
    '<p>See <a href="cranes-at-night/">the night shift</a> and '
    '<a href="mailto:desk@example.org">write to us</a>.</p>'
)
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)
# Markup that would be HTML if the Markdown were rendered: a tag not escaped with "\".
RAW_TAG = re.compile(r"(?<!\\)</?[a-zA-Z!?]")


def _rich_article(client):
    """The model article with a body using every kind of markup the editor offers, an
    image uploaded through the editor, several TL;DR bullets, FAQ entries and sources."""
    editor = make_role_user("Editor")
    client.force_login(editor)
    upload = client.post("/ckeditor/upload/", {"upload": image_upload("crane.png")})
    client.logout()
    image = f'<p><img src="{upload.json()["url"]}" alt="A crane at dusk"></p>'
    article = make_complete_article(
        title="Harbour cranes explained",
        slug="harbour-cranes",
        standfirst="Why the big cranes at the port move so fast.",
        body=RICH_BODY + image,
        tldr=0,
        faq=0,
    )
    for position, text in enumerate(
        ["Cranes lift boxes.", "They run all night.", "Wind stops them."]
    ):
        TldrBullet.objects.create(article=article, text=text, position=position)
    FaqEntry.objects.create(
        article=article,
        question="How heavy is a box?",
        answer="<p>Up to <strong>thirty</strong> tonnes.</p>",
        position=0,
    )
    FaqEntry.objects.create(
        article=article, question="Who drives them?", answer="<p>Trained operators.</p>", position=1
    )
    article.sources.create(name="Port Weekly", url="https://portweekly.example/cranes", position=1)
    from articles.workflow import prerender

    prerender.store_parts(article.pk)
    return article


def _markdown(client, article):
    response = client.get(answer_ready.markdown_url(article.slug))
    assert response.status_code == 200
    return response, response.content.decode()


def _words(text: str) -> str:
    return " ".join(text.split())


def _text_of(markdown: str) -> str:
    """What a reader of the rendered Markdown reads: markup dropped, escapes undone."""
    text = re.sub(r"(?<!\\)\]\([^)]*\)", "", markdown)  # link and image destinations
    text = re.sub(r"(?<!\\)!?\[", "", text)
    text = re.sub(r"(?<!\\)[*_]+", "", text)  # emphasis
    return _words(re.sub(r"\\(.)", r"\1", text))


def test_the_markdown_says_what_the_page_says(client):
    article = _rich_article(client)
    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    _, markdown = _markdown(client, article)
    flat = _text_of(markdown)

    assert markdown.startswith("# Harbour cranes explained\n\nWhy the big cranes at the port")
    bullets = [li.get_text() for li in page.select(".tldr li")]
    assert len(bullets) == 3
    for bullet in bullets:
        assert f"- {bullet}" in markdown
    questions = page.select(".faq__question")
    assert len(questions) == 2
    for question in questions:
        assert f"### {question.get_text()}\n" in markdown
    for answer in page.select(".faq__answer"):
        assert _words(answer.get_text()) in flat
    paragraphs = page.select(
        ".article-body p, .article-body li, .article-body h2, .article-body h3"
    )
    assert len(paragraphs) >= 8
    for block in paragraphs:
        assert _words(block.get_text()) in flat, block
    for link in page.select(".sources a"):
        assert f"]({link['href']})" in markdown
    assert (
        "https://fortune.com/story" in markdown and "https://portweekly.example/cranes" in markdown
    )
    assert "\n1. [Fortune](https://fortune.com/story) — original report\n" in markdown
    assert "\n2. [Port Weekly](https://portweekly.example/cranes)" in markdown
    # Who and when, and where the page is.
    assert f"- Author: [{article.author.name}](http://testserver/authors/" in markdown
    published = timezone.localtime(article.published_at).isoformat(timespec="minutes")
    assert f"- Published: {published}" in markdown
    assert "- Canonical: http://testserver/articles/harbour-cranes/" in markdown
    assert "Updated:" not in markdown  # never edited after it went live
    assert "3 < 4 comparison, a snake_case name and a *starred* word" in flat


def test_the_body_markup_converts_to_clean_markdown(client):
    article = _rich_article(client)
    _, markdown = _markdown(client, article)
    assert "Cranes lift **forty tonnes** at a time, and *quickly*." in markdown
    assert "\n## How a crane works\n" in markdown and "\n### Safety\n" in markdown
    assert "[history of the harbour](http://testserver/articles/harbour-history/)" in markdown
    assert '[the port authority](https://example.org/ports "Ports")' in markdown
    # A relative link means what it means on the page, not next to the .md file.
    assert (
        "[the night shift](http://testserver/articles/harbour-cranes/cranes-at-night/)" in markdown
    )
    assert "[write to us](mailto:desk@example.org)" in markdown
    assert "\n- A boom\n- A trolley\n" in markdown
    assert "\n1. Lift the box\n2. Move it ashore\n" in markdown
    assert "\n> Nobody stands under the load.\n" in markdown
    assert re.search(r"!\[A crane at dusk\]\(http://testserver/media/uploads/\S+\.png\)", markdown)
    assert "3 \\< 4 comparison, a snake\\_case name and a \\*starred\\* word" in markdown
    assert "### How heavy is a box?\n\nUp to **thirty** tonnes." in markdown


def test_no_html_and_no_site_chrome_leaks_into_the_markdown(client):
    article = _rich_article(client)
    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    _, markdown = _markdown(client, article)
    assert not RAW_TAG.search(markdown), RAW_TAG.search(markdown)
    assert "&lt;" not in markdown and "&amp;" not in markdown
    chrome = [page.select_one(".site-header"), page.select_one(".site-footer")]
    for menu in page.select(".section-menu"):  # section names: the article names its own
        menu.decompose()
    chrome_texts = {
        text.strip() for part in chrome for text in part.stripped_strings if len(text.strip()) > 3
    }
    assert chrome_texts, "the page has a header and footer to compare with"
    assert [text for text in chrome_texts if text in markdown] == []
    for other in ("Skip to content", "Related", "Previous", "min read", "Share"):
        assert other not in markdown


def test_the_markdown_is_served_as_markdown_with_the_pages_headers(client):
    article = _rich_article(client)
    page = client.get(article.get_absolute_url())
    response, _ = _markdown(client, article)
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Link"] == '<http://testserver/articles/harbour-cranes/>; rel="canonical"'
    assert "X-Robots-Tag" not in response
    assert response["Cache-Control"] == page["Cache-Control"]
    for name in SECURITY_HEADERS:
        assert page.has_header(name), name
        assert response[name] == page[name], name


def test_the_page_advertises_its_markdown_version(client):
    article = make_article(slug="advertised")
    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    links = page.find_all("link", rel="alternate", type="text/markdown")
    assert [link["href"] for link in links] == ["http://testserver/articles/advertised.md"]
    assert client.get("/articles/advertised.md").status_code == 200


def test_head_answers_like_get_without_a_body(client):
    article = make_article()
    head = client.head(answer_ready.markdown_url(article.slug))
    assert head.status_code == 200
    assert head["Content-Type"] == "text/markdown; charset=utf-8"
    assert head.content == b""
    assert client.head("/llms.txt").status_code == 200
    assert client.post(answer_ready.markdown_url(article.slug)).status_code == 405


def test_only_a_published_article_has_a_markdown_version(client):
    editor = make_role_user("Editor")
    unknown = client.get("/articles/no-such-article.md")
    assert unknown.status_code == 404
    draft = make_article(status=Article.Status.DRAFT, slug="a-draft")
    scheduled = make_article(status=Article.Status.DRAFT, slug="scheduled")
    services.schedule(scheduled, by=editor, at=timezone.now() + timedelta(days=1))
    expired = make_article(slug="expired", expires_at=timezone.now() - timedelta(minutes=1))
    withdrawn = make_article(slug="withdrawn")
    services.unpublish(withdrawn, by=editor)
    for article in (draft, scheduled, expired, withdrawn):
        response = client.get(f"/articles/{article.slug}.md")
        assert response.status_code == 404, article.slug
        assert response.content == unknown.content.replace(
            b"no-such-article", article.slug.encode()
        )
    # Not to the newsroom either: the Markdown is a reader's view (previews are the page's).
    client.force_login(editor)
    assert client.get("/articles/a-draft.md").status_code == 404


def test_a_renamed_article_s_old_markdown_address_redirects(client):
    editor = make_role_user("Editor")
    article = make_article(slug="old-name")
    article.slug = "new-name"
    article.save()
    services.note_slug_change(article, "old-name")
    response = client.get("/articles/old-name.md")
    assert response.status_code == 301
    assert response["Location"] == "/articles/new-name.md"
    services.unpublish(article, by=editor)
    assert client.get("/articles/old-name.md").status_code == 404


def test_an_update_after_publication_is_dated(client):
    article = make_article(slug="updated-one")
    article.public_updated_at = article.published_at + timedelta(hours=2)
    article.save()
    _, markdown = _markdown(client, article)
    updated = timezone.localtime(article.public_updated_at).isoformat(timespec="minutes")
    assert f"- Updated: {updated}" in markdown


# --- /llms.txt -----------------------------------------------------------------------------


def test_llms_txt_lists_the_published_articles_newest_first(client, settings):
    section = make_section()
    older = make_article(
        title="Older [piece]", slug="older", standfirst="The first one.", section=section
    )
    newer = make_article(
        title="Newer piece",
        slug="newer",
        standfirst="The second one.",
        published_at=timezone.now() - timedelta(minutes=5),
    )
    make_article(title="Draft piece", status=Article.Status.DRAFT)
    make_article(title="Gone piece", expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get("/llms.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    lines = text.splitlines()
    assert lines[0] == f"# {settings.SITE_NAME}"
    assert lines[2].startswith("> ") and len(lines[2]) > 10
    articles = text.split("## Articles\n\n")[1].split("\n\n")[0].splitlines()
    assert articles == [
        "- [Newer piece](http://testserver/articles/newer.md): The second one.",
        "- [Older \\[piece\\]](http://testserver/articles/older.md): The first one.",
    ]
    assert "Draft piece" not in text and "Gone piece" not in text
    for link in ("/feeds/rss/", "/feeds/atom/", "/sitemap.xml", "/news-sitemap.xml"):
        assert f"(http://testserver{link})" in text
    for url in re.findall(r"\]\((http://testserver/[^)]+)\)", text):
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url
    assert older.title and newer.title


def test_llms_txt_lists_only_the_newest_articles(client, monkeypatch):
    monkeypatch.setattr(answer_ready, "LLMS_TXT_ARTICLES", 2)
    for age in range(3, 0, -1):
        make_article(title=f"Piece {age}", published_at=timezone.now() - timedelta(hours=age))
    text = client.get("/llms.txt").content.decode()
    assert "[Piece 1]" in text and "[Piece 2]" in text
    assert "[Piece 3]" not in text
    assert "The newest 2 are listed here, newest first; the sitemap lists them all." in text


@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside the test's transaction
def test_llms_txt_reads_only_the_newest_rows_off_the_public_index(client, monkeypatch, settings):
    """At 100,000 articles: the newest few, walked newest first on article_public_idx with
    no sort of the whole table, and never a body or search vector."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reader.test_scale import _archive, _article_reads, rows_fetched

    settings.PAGE_CACHE_ENABLED = False
    monkeypatch.setattr(answer_ready, "LLMS_TXT_ARTICLES", 50)
    _archive(2000)
    with CaptureQueriesContext(connection) as queries, rows_fetched() as rows:
        text = client.get("/llms.txt").content.decode()
    assert text.count(".md)") == 50
    assert rows == [50]
    (sql,) = [query["sql"] for query in queries]
    assert '"articles_article"."body"' not in sql and "search_vector" not in sql
    assert _article_reads(sql) == ["Index Scan using article_public_idx"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan, plan


def test_a_citation_reads_as_the_number_of_its_source(client):
    """On the page a marker is a superscript link to the numbered source; in Markdown it is
    "[2]", and the Sources are numbered the same way."""
    article = make_complete_article(
        slug="cited",
        body='<p>Boxes got heavier.<sup class="cite"><a href="#source-2">2</a></sup> Cranes too.</p>',
    )  # its first source is Fortune
    article.sources.create(name="Port Weekly", url="https://portweekly.example/b", position=1)
    _, markdown = _markdown(client, article)
    assert "Boxes got heavier.\\[2\\] Cranes too." in markdown
    assert "\n2. [Port Weekly](https://portweekly.example/b)" in markdown
    assert "sup" not in markdown and "#source-2" not in markdown
