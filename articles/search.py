"""PostgreSQL full-text search over articles.

The stored ``search_vector`` is rebuilt after every save, once the inlines are saved too,
weighted headline (A) > TL;DR (B) > standfirst (C) > body and FAQ (D).
"""

import html
import re

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import F, Func, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, FaqEntry, TldrBullet

SEARCH_CONFIG = "english"


def _joined(model, field):
    return Coalesce(
        Subquery(
            model.objects.filter(article=OuterRef("pk"))
            .values("article")
            .annotate(joined=StringAgg(field, delimiter=" "))
            .values("joined")[:1],
            output_field=TextField(),
        ),
        Value(""),
        output_field=TextField(),
    )


def refresh_search_vector(article_id: int) -> None:
    """Recompute one article's vector in a single UPDATE (HTML tags are not words)."""
    Article.objects.filter(pk=article_id).update(
        search_vector=(
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector(_joined(TldrBullet, "text"), weight="B", config=SEARCH_CONFIG)
            + SearchVector("standfirst", weight="C", config=SEARCH_CONFIG)
            + SearchVector(_strip_tags("body"), weight="D", config=SEARCH_CONFIG)
            + SearchVector(_joined(FaqEntry, "question"), weight="D", config=SEARCH_CONFIG)
            + SearchVector(
                _strip_tags_expr(_joined(FaqEntry, "answer")), weight="D", config=SEARCH_CONFIG
            )
        )
    )


def _strip_tags_expr(expression):
    return Func(
        expression,
        Value("<[^>]+>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def _strip_tags(field_name):
    return _strip_tags_expr(F(field_name))


# --- Reader search -------------------------------------------------------------------

MAX_QUERY_LENGTH = 200
# Highlight marks that cannot occur in cleaned article text; swapped for <mark> only after
# everything else in the snippet has been HTML-escaped.
_START, _STOP = "\x02", "\x03"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def normalise_query(raw: str | None) -> str:
    """The query as searched: control characters removed, spaces collapsed, length capped.

    PostgreSQL refuses NUL in text, and a page-long query is a mistake or an attack, so both
    are dealt with here rather than surfacing as a server error.
    """
    text = _CONTROL_CHARACTERS.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def search_articles(query: str):
    """Published articles matching ``query`` (web-search syntax), best first, with snippets.

    ``websearch_to_tsquery`` never raises on user input: punctuation-only or stop-word-only
    queries simply match nothing.
    """
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    snippet_source = Concat(
        "standfirst",
        Value(" "),
        _joined(TldrBullet, "text"),
        Value(" "),
        _strip_tags("body"),
        Value(" "),
        _joined(FaqEntry, "question"),
        output_field=TextField(),
    )
    return (
        Article.objects.published()
        .filter(search_vector=search_query)
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
                fragment_delimiter=" … ",
            ),
        )
        .select_related("author", "section")
        .order_by("-rank", "-published_at", "-id")
    )


def snippet_html(raw_snippet: str | None) -> SafeString:
    """The headline as safe HTML: all text escaped, only our highlight marks become <mark>.

    The body is stored as HTML, so its text still holds entities (``&amp;``); they are
    decoded first so that readers see ``&`` rather than ``&amp;``.
    """
    text = html.unescape(raw_snippet or "")
    escaped = escape(text)
    return mark_safe(  # noqa: S308 -- every character of the text was escaped just above
        escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
    )
