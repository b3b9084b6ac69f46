"""Answer-ready articles: each published article as Markdown, and /llms.txt.

``/articles/<slug>.md`` is the article's text as clean Markdown (headline, standfirst, who
and when, corrections, TL;DR, body, FAQ, sources, canonical link), for answer engines, AI assistants and
anyone who wants the words without the page.  The article page announces it with
``<link rel="alternate" type="text/markdown">`` (templates/articles/article_head.html).

``/llms.txt`` (https://llmstxt.org/) introduces the publication and lists its newest
articles, each linking to its Markdown with its standfirst as the one-line summary.

Both read ``Article.objects.published()`` only: an unpublished, scheduled or expired article
is a 404 here as on its page, and a staged edit of a live article is not shown until it is
published.  Both are in the page cache's CACHED_VIEWS, so they are stored and made fresh by
the same publication generation as the pages (smartchunks/page_cache.py).

Indexing: the Markdown is an alternate of the page, not a page of its own, so it carries an
HTTP ``Link: <page>; rel="canonical"`` header; search engines fold it into the article page.
It is not ``noindex``: answer engines honour that header too, and keeping them away from the
very version made for them would defeat it.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.reader.markdown_text import escape_inline, link_destination, plain, rich_text
from smartchunks.quick_urls import quick_reverse

MARKDOWN_CONTENT_TYPE = "text/markdown; charset=utf-8"
# llms.txt is Markdown too, but by its name a text file: served as text, which every browser
# shows rather than downloads, as other sites serve theirs.
LLMS_TXT_CONTENT_TYPE = "text/plain; charset=utf-8"

# /llms.txt lists this many of the newest articles.  The file is meant to be read whole by a
# language model, inside its context window: 200 entries are about 40 KB (some 10,000
# tokens).  Listing all 100,000 articles would be some 20 MB, which no assistant reads and
# which would cost a scan of the whole table per uncached request.  The complete list is in
# the sitemap, linked from the file; every article's Markdown is at its URL plus ".md".
LLMS_TXT_ARTICLES = 200


def markdown_url(slug: str) -> str:
    return quick_reverse("articles:detail-markdown", slug=slug)


# --- The article as Markdown --------------------------------------------------------------


def _when(moment) -> str:
    """A date and time as ISO 8601 in the site's time zone, to the minute."""
    return timezone.localtime(moment).isoformat(timespec="minutes")


def _facts(article, absolute) -> list[str]:
    author = article.author
    facts = [f"- Author: [{plain(author.name)}]({absolute(author.get_absolute_url())})"]
    if article.section_id:
        section = article.section
        facts.append(f"- Section: [{plain(section.name)}]({absolute(section.get_absolute_url())})")
    facts.append(f"- Published: {_when(article.published_at)}")
    if article.show_updated:
        facts.append(f"- Updated: {_when(article.public_updated_at)}")
    facts.append(f"- Canonical: {absolute(article.get_absolute_url())}")
    return facts


def _corrections(article) -> list[str]:
    """The corrections, as the page prints them under the byline: each dated."""
    lines = [
        f"- {_when(correction.published_at)}: {plain(correction.text)}"
        for correction in article.corrections.all()
    ]
    return ["## Corrections", "\n".join(lines)] if lines else []


def _faq(article, absolute) -> list[str]:
    blocks = []
    for entry in article.faq_entries.all():
        blocks.append(f"### {plain(entry.question)}")
        answer = rich_text(entry.answer, absolute=absolute)
        if answer:
            blocks.append(answer)
    return ["## FAQ", *blocks] if blocks else []


def _source(number: int, source) -> str:
    # Numbered as on the page, so that a citation's "[2]" in the text finds its source.
    line = f"{number}. [{plain(source.name)}]({link_destination(source.url)})"
    return f"{line} — {plain(source.note)}" if source.note else line


def article_markdown(article, *, absolute) -> str:
    """The article (with author, section, TL;DR bullets, FAQ entries, sources and corrections
    loaded) as
    one Markdown document; ``absolute`` makes the site's paths absolute URLs."""
    blocks = [f"# {plain(article.title)}"]
    if article.standfirst:
        blocks.append(plain(article.standfirst))
    blocks.append("\n".join(_facts(article, absolute)))
    blocks += _corrections(article)
    bullets = [f"- {plain(bullet.text)}" for bullet in article.tldr_bullets.all()]
    if bullets:
        blocks += ["## TL;DR", "\n".join(bullets)]
    body = rich_text(article.body, absolute=absolute)
    if body:
        blocks += ["---", body]  # a rule: the body is not part of the TL;DR section above it
    blocks += _faq(article, absolute)
    sources = [_source(number, source) for number, source in enumerate(article.sources.all(), 1)]
    if sources:
        blocks += ["## Sources", "\n".join(sources)]
    return "\n\n".join(blocks) + "\n"


@require_safe
def article_markdown_view(request, slug):
    """/articles/<slug>.md: a published article as Markdown (five queries: the article with
    author and section, its TL;DR bullets, FAQ entries, sources and corrections)."""
    article = (
        Article.objects.published()
        .filter(slug=slug)
        .select_related("author", "section")
        .defer("search_vector")
        .prefetch_related("tldr_bullets", "faq_entries", "sources", "corrections")
        .first()
    )
    if article is None:
        moved = Article.objects.published().filter(slug_redirects__old_slug=slug)
        new_slug = moved.values_list("slug", flat=True).first()
        if new_slug is None:
            raise Http404("No published article here.")
        return HttpResponsePermanentRedirect(markdown_url(new_slug))
    canonical = request.build_absolute_uri(article.get_absolute_url())

    def absolute(location: str) -> str:
        # Against the page's address, not this file's: a relative link in the body means
        # what it means on the page.
        return urljoin(canonical, location)

    response = HttpResponse(
        article_markdown(article, absolute=absolute), content_type=MARKDOWN_CONTENT_TYPE
    )
    response["Link"] = f'<{canonical}>; rel="canonical"'
    return response


# --- /llms.txt ------------------------------------------------------------------------------


def _site_links(absolute) -> list[str]:
    links = [
        ("Home page", "articles:home", "the newest articles"),
        ("RSS feed", "articles:feed-rss", "the newest articles, with their TL;DR"),
        ("Atom feed", "articles:feed-atom", "the same, as Atom"),
        ("Sitemap", "sitemap-index", "every published article's page"),
        ("News sitemap", "news-sitemap", "the articles of the last two days"),
    ]
    return [f"- [{name}]({absolute(quick_reverse(url))}): {note}" for name, url, note in links]


def llms_txt(rows, *, absolute) -> str:
    """The llms.txt document for ``rows`` of (headline, slug, standfirst), newest first."""
    articles = [
        f"- [{escape_inline(' '.join(title.split()))}]({absolute(markdown_url(slug))})"
        + (f": {escape_inline(' '.join(standfirst.split()))}" if standfirst.strip() else "")
        for title, slug, standfirst in rows
    ]
    blocks = [
        f"# {plain(settings.SITE_NAME)}",
        f"> {plain(settings.SITE_DESCRIPTION)}",
        (
            "Each article is an explainer with a TL;DR, an FAQ and its sources. Its text is "
            "also Markdown at its address with `.md` in place of the final slash (the page "
            f"stays the canonical address). The newest {LLMS_TXT_ARTICLES} are listed here, "
            "newest first; the sitemap lists them all."
        ),
        "## Articles",
        "\n".join(articles) if articles else "No articles are published yet.",
        # "Optional" is the llmstxt.org name for links a reader with little room may skip.
        "## Optional",
        "\n".join(_site_links(absolute)),
    ]
    return "\n\n".join(blocks) + "\n"


@require_safe
def llms_txt_view(request):
    """/llms.txt: one query (the newest published articles' headline, slug and standfirst),
    whatever the number of articles."""
    rows = (
        Article.objects.published()
        .order_by("-published_at", "-id")
        .values_list("title", "slug", "standfirst")[:LLMS_TXT_ARTICLES]
    )
    return HttpResponse(
        llms_txt(rows, absolute=request.build_absolute_uri), content_type=LLMS_TXT_CONTENT_TYPE
    )
