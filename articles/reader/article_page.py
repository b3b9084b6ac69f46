"""The article page: what it loads, the view that renders it, and the reading aids around
the article (reading time, breadcrumbs, related and previous/next, structured data).

Every neighbour comes from ``Article.objects.published()``: a draft never appears as
"related" or "next", even on a page a staff member is previewing.  Which article the page
shows is decided by the views that subclass ``ArticlePageView``.

Four queries, whatever the article holds: the article with its author, section and the parts
rendered when it was saved (articles/workflow/prerender.py); its tags; previous and next
together; related.  The author box, section and tags are read live, so editing them needs
no refresh of anything stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, Value, prefetch_related_objects
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.urls import reverse
from django.views.generic import DetailView

from articles.models import Article
from articles.reader import jsonld
from articles.reader.privacy import keep_private
from articles.workflow import prerender
from smartchunks.media import renditions

RELATED_LIMIT = 3


def page_parts(article: Article) -> prerender.Parts:
    """The TL;DR, body, FAQ and sources as HTML, with the reading time and FAQ data: as
    stored when the article was saved, else rendered now (same output, more queries)."""
    stored = prerender.stored_parts(article)
    if stored is not None:
        return stored
    prefetch_related_objects([article], "tldr_bullets", "faq_entries", "sources")
    return prerender.render_parts(article)


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


def breadcrumbs(article: Article) -> list[Crumb]:
    """Home > Section > Article: the visible trail and the BreadcrumbList share this."""
    crumbs = [Crumb("Home", reverse("articles:home"))]
    if article.section_id:
        crumbs.append(Crumb(article.section.name, article.section.get_absolute_url()))
    crumbs.append(Crumb(article.title, article.get_absolute_url()))
    return crumbs


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """Published articles sharing the most tags, then the same section, newest first.

    One query, two bounded parts: the best ``limit`` of the articles sharing a tag (found
    from its tags' rows, so the work grows with those tags, not with the archive) and the
    newest ``limit`` of its section (an index probe).  Articles sharing a tag outrank those
    that only share the section, so these rows always hold the answer.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    others = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .only("title", "slug", "standfirst", "published_at")
    )
    newest = ("-published_at", "-id")
    parts = []
    if tag_ids:
        sharing = others.filter(tags__in=tag_ids).annotate(shared_tags=Count("tags", distinct=True))
        parts.append(sharing.order_by("-shared_tags", *newest)[:limit])
    if article.section_id:
        in_section = others.filter(section_id=article.section_id).annotate(
            shared_tags=Value(0, output_field=IntegerField())
        )
        parts.append(in_section.order_by(*newest)[:limit])
    if not parts:
        return []
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    best = {}
    for row in sorted(rows, key=lambda a: (-a.shared_tags, -a.published_at.timestamp(), -a.pk)):
        best.setdefault(row.pk, row)
    return list(best.values())[:limit]


def previous_and_next(article: Article) -> tuple[Article | None, Article | None]:
    """The published articles just before and after this one in its section, in one query:
    a row comparison on (published_at, id) walks the (section, published_at, id) index."""
    if not article.section_id or article.published_at is None:
        return None, None
    in_section = Article.objects.published().filter(section_id=article.section_id)
    here = (article.published_at, article.pk)
    position = Tuple(F("published_at"), F("id"))
    older = (
        in_section.filter(TupleLessThan(position, here))
        .annotate(is_newer=Value(False))
        .order_by("-published_at", "-id")
        .only("title", "slug")[:1]
    )
    newer = (
        in_section.filter(TupleGreaterThan(position, here))
        .annotate(is_newer=Value(True))
        .order_by("published_at", "id")
        .only("title", "slug")[:1]
    )
    found = {neighbour.is_newer: neighbour for neighbour in older.union(newer, all=True)}
    return found.get(False), found.get(True)


def article_page_context(article: Article, request) -> dict:
    """Everything the article page adds around the article itself (ArticleDetailView)."""
    crumbs = breadcrumbs(article)
    hero = renditions.responsive_image(article.hero_image, "hero")
    older, newer = previous_and_next(article)
    parts = page_parts(article)
    return {
        "article_content": parts.html,
        "breadcrumbs": crumbs,
        "hero": hero,
        "hero_sizes": renditions.HERO_SIZES,
        "reading_minutes": parts.reading_minutes,
        "related_articles": related_articles(article),
        "previous_article": older,
        "next_article": newer,
        "structured_data": jsonld.article_graph(
            article, absolute=request.build_absolute_uri, crumbs=crumbs, hero=hero, faq=parts.faq
        ),
    }


def article_page_queryset(base):
    """Everything the article page shows, in a fixed number of queries: the article with its
    author, section and stored parts, then its tags (body and search vector stay in the
    database: the stored parts already hold the body as shown)."""
    return (
        base.select_related("author", "section", "rendered")
        .defer("body", "search_vector")
        .prefetch_related("tags")
    )


class ArticlePageView(DetailView):
    """Renders one article with everything around it; private when it is not live."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(article_page_context(self.object, self.request))
        return context

    # Previews are private even when the article is live: the URL is not the article's.
    always_private = False

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.always_private or not self.object.is_published:
            keep_private(response)  # someone allowed to see unpublished work
        return response
