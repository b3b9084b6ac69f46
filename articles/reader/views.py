"""The reader's pages: home, author, section, tag, article and search; and the site icon."""

from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.views.generic import ListView

from articles.models import Article, Section, Tag
from articles.reader import preview, search
from articles.reader.article_page import ArticlePageView, article_page_queryset
from articles.reader.paging import CappedPaginator, ListingPaginator
from authors.models import Author

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
    template_name = "articles/home.html"


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
