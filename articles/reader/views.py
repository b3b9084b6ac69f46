"""The reader's pages: home, author, section, tag, article, site pages and search; and the
site icon."""

from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.views.generic import DetailView, ListView

from articles.models import Article, Section, SitePage, Tag
from articles.reader import front_page, preview, search
from articles.reader.article_page import ArticlePageView, article_page_queryset
from articles.reader.paging import CappedPaginator, ListingPaginator
from authors.models import Author
from smartchunks.media import renditions

ARTICLES_PER_PAGE = 10


class PublishedArticleListMixin:
    """Listing pages: published articles only, newest first, ten a page.

    Django's paginator answers ``?page=abc`` and ``?page=999`` with a 404, and so does any
    page beyond the first hundred (articles/reader/paging.py).
    """

    model = Article
    paginate_by = ARTICLES_PER_PAGE
    paginator_class = ListingPaginator
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()


class HomeView(PublishedArticleListMixin, ListView):
    """The front page: the lead story and each section's latest above the latest articles;
    page 2 and on are the plain list, so the archive stays walkable page by page."""

    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            newest = list(context["articles"])[:1]  # the page's rows, read once (cached)
            context["lead"] = front_page.lead_story(newest[0] if newest else None)
            context["sections_latest"] = front_page.latest_by_section()
            context["hero_sizes"] = renditions.HERO_SIZES
        return context


class AuthorView(PublishedArticleListMixin, ListView):
    """The author's profile and their published articles: the "All articles →" target."""

    template_name = "authors/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SectionView(PublishedArticleListMixin, ListView):
    template_name = "articles/section.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(PublishedArticleListMixin, ListView):
    template_name = "articles/tag.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag.objects.public(), slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class SitePageView(DetailView):
    """/pages/<slug>/: About, Editorial standards and the like; a 404 until published."""

    template_name = "articles/site_page.html"
    context_object_name = "site_page"

    def get_queryset(self):
        return SitePage.objects.published()


class ArticleDetailView(ArticlePageView):
    """/articles/<slug>/: the article for readers once it is live.

    The newsroom also sees, privately, the unpublished articles it may preview; which ones
    is decided in articles/reader/preview.py, the one reader module that reads unpublished
    work.  A published article's former URL answers 301; anything else is a plain 404.
    """

    def get_queryset(self):
        return article_page_queryset(preview.articles_visible_to(self.request.user))

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:  # readers: the two-query path, when stored
            response = self.respond_from_stored_frame(kwargs.get("slug", ""))
            if response is not None:
                return response
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            slug = kwargs.get("slug", "")
            moved = preview.articles_visible_to(request.user).filter(slug_redirects__old_slug=slug)
            article = moved.only("slug").first()
            if article is None:
                raise
            return HttpResponsePermanentRedirect(article.get_absolute_url())


class SearchView(ListView):
    """Full-text search over published articles, best match first, with highlighted snippets."""

    template_name = "articles/search.html"
    context_object_name = "results"
    paginate_by = ARTICLES_PER_PAGE
    paginator_class = CappedPaginator

    def get_queryset(self):
        self.query = search.normalise_query(self.request.GET.get("q"))
        if not self.query:
            return Article.objects.published().none()
        return search.search_articles(self.query)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, results, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = search.with_snippets(results, self.query) if self.query else results
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query,
            query_was_shortened=len(self.request.GET.get("q", "")) > search.MAX_QUERY_LENGTH,
            **kwargs,
        )


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links to (a feed, a bare image, an old
    bookmark): they get the site's icon, not a 404.  A temporary redirect, because the icon's
    static address carries a hash of its content and changes when the icon does."""
    return HttpResponseRedirect(static("img/favicon.svg"))
