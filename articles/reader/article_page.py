"""The article page: what it loads, the view that renders it, and the reading aids around
the article (reading time, breadcrumbs, related and previous/next, structured data).

Every neighbour comes from ``Article.objects.published()``: a draft never appears as
"related" or "next", even on a page a staff member is previewing.  Which article the page
shows is decided by the views that subclass ``ArticlePageView``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import strip_tags
from django.views.generic import DetailView

from articles.models import Article
from articles.reader import jsonld
from articles.reader.privacy import keep_private
from smartchunks.media import renditions

WORDS_PER_MINUTE = 220
RELATED_LIMIT = 3
_WORD = re.compile(r"\w+")


def reading_minutes(article: Article) -> int:
    """Minutes to read everything on the page, at least 1.

    Uses the prefetched TL;DR and FAQ (article_page_queryset), so it costs no query.
    """
    parts = [article.title, article.standfirst, strip_tags(article.body or "")]
    parts += [bullet.text for bullet in article.tldr_bullets.all()]
    for entry in article.faq_entries.all():
        parts += [entry.question, strip_tags(entry.answer or "")]
    words = sum(len(_WORD.findall(part or "")) for part in parts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


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
    """Published articles sharing the most tags, then the same section, newest first."""
    tag_ids = [tag.pk for tag in article.tags.all()]
    shares = Q(tags__in=tag_ids) if tag_ids else Q(pk__in=[])
    if article.section_id:
        shares |= Q(section_id=article.section_id)
    candidates = Article.objects.published().filter(shares).exclude(pk=article.pk).values("pk")
    return list(
        Article.objects.published()
        .filter(pk__in=candidates)
        .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
        .select_related("author", "section")
        .order_by("-shared_tags", "-published_at", "-id")[:limit]
    )


def previous_and_next(article: Article) -> tuple[Article | None, Article | None]:
    """The published articles just before and after this one in its section."""
    if not article.section_id or article.published_at is None:
        return None, None
    in_section = Article.objects.published().filter(section_id=article.section_id)
    at = article.published_at
    older = (
        in_section.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=article.pk))
        .order_by("-published_at", "-pk")
        .only("title", "slug")
        .first()
    )
    newer = (
        in_section.filter(Q(published_at__gt=at) | Q(published_at=at, pk__gt=article.pk))
        .order_by("published_at", "pk")
        .only("title", "slug")
        .first()
    )
    return older, newer


def article_page_context(article: Article, request) -> dict:
    """Everything the article page adds around the article itself (ArticleDetailView)."""
    crumbs = breadcrumbs(article)
    hero = renditions.responsive_image(article.hero_image, "hero")
    older, newer = previous_and_next(article)
    return {
        "breadcrumbs": crumbs,
        "hero": hero,
        "hero_sizes": renditions.HERO_SIZES,
        "reading_minutes": reading_minutes(article),
        "related_articles": related_articles(article),
        "previous_article": older,
        "next_article": newer,
        "structured_data": jsonld.article_graph(
            article, absolute=request.build_absolute_uri, crumbs=crumbs, hero=hero
        ),
    }


def article_page_queryset(base):
    """Everything the article page shows, in a fixed number of queries."""
    return base.select_related("author", "section").prefetch_related(
        "tldr_bullets", "faq_entries", "sources", "tags"
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
