"""sitemap.xml (an index of paginated sitemaps) and the Google News sitemap.

Only what a reader can open is listed: published articles and site pages, and the home,
author, section and tag pages that have at least one published article.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from articles.models import Article, Section, SitePage, Tag
from articles.reader.corrections import public_corrections
from authors.models import Author

# At most 10,000 URLs a sitemap page (the protocol allows 50,000); Django renders about
# 2,000 a second on these machines, so a page answers in about a second at worst.
SITEMAP_PAGE_SIZE = 2000
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000


def _last_change():
    """When a published article last changed in a way readers see."""
    return Greatest("published_at", Coalesce("public_updated_at", "published_at"))


def _latest(published, field):
    """The latest value of ``field`` among ``published`` articles: one row off an index."""
    return (
        published.filter(**{f"{field}__isnull": False})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )


@dataclass
class _IdRangePage:
    object_list: object


class IdRangePaginator:
    """Sitemap pages by ranges of ids: page n holds the rows whose id is in
    ``[first + (n - 1) · size, first + n · size)``, so at most ``size`` of them.

    Each page is one range scan of the primary key however deep it is (Django's paginator
    used ``OFFSET``, which reads and discards every row before the page), and an article
    stays on the same page for good.  A page may list fewer (ids of drafts, deleted rows).
    """

    def __init__(self, queryset, per_page: int):
        self.queryset = queryset
        self.per_page = per_page

    @cached_property
    def _bounds(self):
        bounds = self.queryset.aggregate(first=Min("pk"), last=Max("pk"))
        return bounds["first"], bounds["last"]

    @property
    def num_pages(self) -> int:
        first, last = self._bounds
        return 1 if first is None else (last - first) // self.per_page + 1

    def page(self, number) -> _IdRangePage:
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results")
        first, _ = self._bounds
        if first is None:
            return _IdRangePage(self.queryset.none())
        start = first + (number - 1) * self.per_page
        rows = self.queryset.filter(pk__gte=start, pk__lt=start + self.per_page).order_by("pk")
        return _IdRangePage(rows)


class ArticleSitemap(Sitemap):
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return (
            Article.objects.published()
            .annotate(last_change=_last_change())
            .only("slug", "published_at", "public_updated_at")
        )

    @cached_property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)

    def lastmod(self, article):
        return article.last_change

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: every published article, loaded
        # into Python to take a maximum (1.8 s at 100,000).  The latest of the two
        # columns' maxima is the same value, two index lookups.
        published = Article.objects.published()
        latest = [_latest(published, "published_at"), _latest(published, "public_updated_at")]
        return max((value for value in latest if value), default=None)


class _WithPublishedArticles(Sitemap):
    """Author and section pages that list at least one published article, with the time
    of their latest one: one index lookup per author or section ((author_id, published_at)
    and (section_id, published_at)), not a grouping of every published article."""

    limit = SITEMAP_PAGE_SIZE
    model = None
    relation = ""

    def items(self):
        latest = (
            Article.objects.published()
            .filter(**{self.relation: OuterRef("pk")})
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return (
            self.model.objects.annotate(last_published=Subquery(latest))
            .filter(last_published__isnull=False)
            .only("slug")
            .order_by("slug")
        )

    def lastmod(self, obj):
        return obj.last_published


class AuthorSitemap(_WithPublishedArticles):
    model = Author
    relation = "author"


class SectionSitemap(_WithPublishedArticles):
    model = Section
    relation = "section"


class TagSitemap(Sitemap):
    """Tag pages with at least one published article.

    No lastmod: a tag's latest article would mean reading all of the tag's articles, per
    tag; crawlers learn of new articles from the article sitemap.
    """

    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return Tag.objects.public().only("slug").order_by("slug")

    def get_latest_lastmod(self):
        # The list of public tags changes only when an article goes live.
        return _latest(Article.objects.published(), "published_at")


class HomeSitemap(Sitemap):
    changefreq = "hourly"
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return ["articles:home"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        return Article.objects.published().aggregate(latest=Max("published_at"))["latest"]


class CorrectionsSitemap(Sitemap):
    """/corrections/, once a published article has a correction, with the newest one's time."""

    limit = SITEMAP_PAGE_SIZE

    def items(self):
        newest = public_corrections().values_list("published_at", flat=True).first()
        return [] if newest is None else [newest]

    def location(self, newest):
        return reverse("articles:corrections")

    def lastmod(self, newest):
        return newest

    def get_latest_lastmod(self):
        # With no correction yet, a time no later than the articles' keeps the index's
        # Last-Modified header (Django drops it when any sitemap answers None).
        newest = self.items()
        return newest[0] if newest else _latest(Article.objects.published(), "published_at")


class SitePageSitemap(Sitemap):
    """About, Editorial standards and the other published site pages."""

    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return SitePage.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, page):
        return page.updated_at

    def get_latest_lastmod(self):
        # Django's index drops its Last-Modified when any sitemap has none, so with no
        # published page this stands back behind the home page's time: never later than
        # the index's true latest change.
        latest = SitePage.objects.published().aggregate(latest=Max("updated_at"))["latest"]
        return latest or HomeSitemap().lastmod("articles:home")


SITEMAPS = {
    "home": HomeSitemap,
    "corrections": CorrectionsSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "pages": SitePageSitemap,
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


@require_safe
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


@require_safe
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
