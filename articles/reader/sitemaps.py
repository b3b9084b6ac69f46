"""sitemap.xml (an index of paginated sitemaps) and the Google News sitemap.

Only what a reader can open is listed: published articles, and the home, author,
section and tag pages that have at least one published article.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from articles.models import Article, Section, Tag
from authors.models import Author

SITEMAP_PAGE_SIZE = 5000
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000


def _last_change():
    """When a published article last changed in a way readers see."""
    return Greatest("published_at", Coalesce("public_updated_at", "published_at"))


class ArticleSitemap(Sitemap):
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return (
            Article.objects.published()
            .annotate(last_change=_last_change())
            .only("slug", "published_at", "public_updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, article):
        return article.last_change


class _WithPublishedArticles(Sitemap):
    """Author, section and tag pages that list at least one published article."""

    limit = SITEMAP_PAGE_SIZE
    model = None
    relation = ""

    def items(self):
        published = Article.objects.published()
        return (
            self.model.objects.filter(**{f"{self.relation}__in": published})
            .annotate(last_published=Max(f"{self.relation}__published_at"))
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, obj):
        return obj.last_published


class AuthorSitemap(_WithPublishedArticles):
    model = Author
    relation = "articles"


class SectionSitemap(_WithPublishedArticles):
    model = Section
    relation = "articles"


class TagSitemap(_WithPublishedArticles):
    model = Tag
    relation = "articles"


class HomeSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return ["articles:home"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return Article.objects.published().aggregate(latest=Max("published_at"))["latest"]


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def news_articles():
    """Google News: articles published in the last two days, newest first, at most 1,000."""
    since = timezone.now() - NEWS_WINDOW
    return list(
        Article.objects.published()
        .filter(published_at__gte=since)
        .only("title", "slug", "published_at")
        .order_by("-published_at", "-id")[:NEWS_LIMIT]
    )


@require_GET
def news_sitemap(request):
    return TemplateResponse(
        request,
        "sitemaps/news.xml",
        {
            "articles": news_articles(),
            "publication_name": settings.SITE_NAME,
            "publication_language": settings.SITE_LANGUAGE,
        },
        content_type="application/xml; charset=utf-8",
    )


@require_GET
def robots_txt(request):
    absolute = request.build_absolute_uri
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /ckeditor/",
        "Disallow: /search/",
        "",
        f"Sitemap: {absolute(reverse('sitemap-index'))}",
        f"Sitemap: {absolute(reverse('news-sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
