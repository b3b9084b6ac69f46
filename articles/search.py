"""PostgreSQL full-text search over articles.

The stored ``search_vector`` is rebuilt after every save, once the inlines are saved too,
weighted headline (A) > TL;DR (B) > standfirst (C) > body and FAQ (D).
"""

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce

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
    from django.db.models import Func

    return Func(
        expression,
        Value("<[^>]+>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def _strip_tags(field_name):
    from django.db.models import F

    return _strip_tags_expr(F(field_name))
