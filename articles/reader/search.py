"""Reader search: PostgreSQL full-text search over published articles, with snippets."""

import html
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, FaqEntry, TldrBullet
from articles.reader.paging import MAX_PAGES
from articles.workflow.search_index import SEARCH_CONFIG, joined, without_citation_markers_sql

MAX_QUERY_LENGTH = 200
# Ranked at most: the newest this many matches (one more than the pages show, so that the
# count can say "1000+").  A word in nearly every article otherwise made PostgreSQL rank, and
# unpack from TOAST, every search vector in the table: 810 ms at 100,000 articles.
CANDIDATES = MAX_PAGES * 10 + 1
# Highlight marks that cannot occur in cleaned article text; swapped for <mark> only after
# everything else in the snippet has been HTML-escaped.
_START, _STOP = "\x02", "\x03"
# Where one block of text ends and the next begins (a heading, paragraph or list item of the
# body, the standfirst, a TL;DR bullet, an FAQ question), so that a snippet never runs a
# heading into the sentence after it.  Another character no cleaned text holds; PostgreSQL's
# parser takes it for a blank, so it changes no match, and ``snippet_html`` shows it as a
# break.
_BLOCK_END = "\x1e"
# The body's block elements (and images, which stand between blocks); any other tag is
# inline, part of the words around it ("<strong>crane</strong>." is "crane."), and goes.
_BLOCK_TAG = (
    r"</?(?:p|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|figure|figcaption|div|section|table|tr|td"
    r"|th|pre|br|hr|img|picture)(?:\s[^>]*)?/?>"
)
_ANY_TAG = "<[^>]+>"
FRAGMENT_DELIMITER = " … "
# Text that already ends a sentence needs no mark where its block ends (closing quotes and
# brackets aside); a heading or a list item without a full stop is followed by a dash.
_SENTENCE_END = tuple(".!?…:;")
_CLOSERS = "\"'”’)]" + _START + _STOP
_BLOCK_BREAK = re.compile(rf"[\s{_BLOCK_END}]*{_BLOCK_END}[\s{_BLOCK_END}]*")
_SPACES = re.compile(r"[ \t\r\n]+")  # not str.split(): Python counts \x1e as a space
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def normalise_query(raw: str | None) -> str:
    """The query as searched: control characters removed, spaces collapsed, length capped.

    PostgreSQL refuses NUL in text, and a page-long query is a mistake or an attack, so both
    are dealt with here rather than surfacing as a server error.
    """
    text = _CONTROL_CHARACTERS.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def _search_query(query: str) -> SearchQuery:
    return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)


def search_articles(query: str):
    """Published articles matching ``query`` (web-search syntax), best first.

    Only the newest ``CANDIDATES`` matches are ranked: news readers want recent stories, and
    the work per search stays the same however large the archive grows.
    ``websearch_to_tsquery`` never raises on user input: punctuation-only or stop-word-only
    queries simply match nothing.  Snippets are added to one page of it by ``with_snippets``.
    """
    search_query = _search_query(query)
    candidates = (
        Article.objects.published()
        .filter(search_vector=search_query)
        .order_by("-published_at", "-id")
        .values("pk")[:CANDIDATES]
    )
    return (
        Article.objects.published()
        .filter(pk__in=candidates)
        .annotate(rank=SearchRank(F("search_vector"), search_query))
        .order_by("-rank", "-published_at", "-id")
    )


def with_snippets(page, query: str):
    """One page of ``search_articles`` (a slice of it), with highlighted snippets.

    The page's ids are picked in a subquery, so the costly headlines are made for its ten
    rows only: made in the same query as the ranking, PostgreSQL also made them for every
    row an ``OFFSET`` skipped (2 s for page 100 at 100,000 articles).
    """
    search_query = _search_query(query)
    snippet_source = Concat(
        "standfirst",
        Value(_BLOCK_END),
        joined(TldrBullet, "text", delimiter=_BLOCK_END),
        Value(_BLOCK_END),
        _block_text(F("body")),
        Value(_BLOCK_END),
        joined(FaqEntry, "question", delimiter=_BLOCK_END),
        output_field=TextField(),
    )
    return (
        Article.objects.published()
        .filter(pk__in=page.values("pk"))
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            raw_snippet=SearchHeadline(
                snippet_source,
                search_query,
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=FRAGMENT_DELIMITER,
            ),
        )
        .select_related("author", "section")
        .defer("body", "search_vector")
        .order_by("-rank", "-published_at", "-id")
    )


def _replace_sql(expression, pattern, replacement, flags):
    return Func(
        expression,
        Value(pattern),
        Value(replacement),
        Value(flags),
        function="regexp_replace",
        output_field=TextField(),
    )


def _block_text(html_expression):
    """The text of HTML with ``_BLOCK_END`` where each block element ends (SQL)."""
    blocks_ended = _replace_sql(
        without_citation_markers_sql(html_expression), _BLOCK_TAG, _BLOCK_END, "gi"
    )
    return _replace_sql(blocks_ended, _ANY_TAG, "", "g")


def _break_blocks(text: str) -> str:
    """The snippet with a visible break where a block ends: a space after a full sentence,
    a dash after a heading or a list item; nothing at either end of a fragment."""
    fragments = []
    for fragment in text.split(FRAGMENT_DELIMITER):
        fragment = fragment.strip(f" \t\r\n{_BLOCK_END}")

        def mark(match, fragment=fragment):
            before = fragment[: match.start()].rstrip(_CLOSERS)
            return " " if before.endswith(_SENTENCE_END) else " — "

        fragments.append(_SPACES.sub(" ", _BLOCK_BREAK.sub(mark, fragment)))
    return FRAGMENT_DELIMITER.join(fragments)


def snippet_html(raw_snippet: str | None) -> SafeString:
    """The headline as safe HTML: all text escaped, only our highlight marks become <mark>,
    and blocks kept apart (``_break_blocks``).

    The body is stored as HTML, so its text still holds entities (``&amp;``); they are
    decoded first so that readers see ``&`` rather than ``&amp;``.
    """
    text = _break_blocks(html.unescape(raw_snippet or ""))
    escaped = escape(text)
    return mark_safe(  # noqa: S308 -- every character of the text was escaped just above
        escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
    )
