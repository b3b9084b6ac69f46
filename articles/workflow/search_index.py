"""The stored full-text search vector of each article, rebuilt by the workflow after every save.

Weighted headline (A) > TL;DR (B) > standfirst (C) > body and FAQ (D); HTML tags are not
words.  The reader's search (articles/reader/search.py) queries it with the same config.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db.models import F, Func, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from articles.models import Article, FaqEntry, TldrBullet

SEARCH_CONFIG = "english"


def joined(model, field, *, delimiter=" "):
    """One article's ``field`` of all its TL;DR bullets or FAQ entries, as one text (SQL)."""
    return Coalesce(
        Subquery(
            model.objects.filter(article=OuterRef("pk"))
            .values("article")
            .annotate(joined=StringAgg(field, delimiter=delimiter))
            .values("joined")[:1],
            output_field=TextField(),
        ),
        Value(""),
        output_field=TextField(),
    )


def refresh_search_vector(article_id: int) -> None:
    """Recompute one article's vector in a single UPDATE (HTML tags are not words)."""
    refresh_search_vectors(Article.objects.filter(pk=article_id))


def refresh_search_vectors(articles) -> int:
    """Recompute the vectors of a queryset of articles in one UPDATE (bulk-loaded corpora)."""
    return articles.update(
        search_vector=(
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector(joined(TldrBullet, "text"), weight="B", config=SEARCH_CONFIG)
            + SearchVector("standfirst", weight="C", config=SEARCH_CONFIG)
            + SearchVector(strip_tags_sql(F("body")), weight="D", config=SEARCH_CONFIG)
            + SearchVector(joined(FaqEntry, "question"), weight="D", config=SEARCH_CONFIG)
            + SearchVector(
                strip_tags_sql(joined(FaqEntry, "answer")), weight="D", config=SEARCH_CONFIG
            )
        )
    )


# A citation marker (smartchunks/media/citation_markers.py: the cleaner keeps only the exact
# form) is a number pointing at a source, not words of the text: "in 2024.3 Prices" is noise.
CITATION_MARKER_SQL = r'<sup class="cite">.*?</sup>'


def without_citation_markers_sql(expression):
    """An HTML expression with its citation markers taken out (SQL)."""
    return Func(
        expression,
        Value(CITATION_MARKER_SQL),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def strip_tags_sql(expression):
    """The text of an HTML expression with its tags replaced by spaces (SQL); citation
    markers go whole."""
    return Func(
        without_citation_markers_sql(expression),
        Value("<[^>]+>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
