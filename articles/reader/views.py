from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from articles.models import Article, Section, SlugRedirect, Tag
from articles.reader import article_page as reading
from articles.reader import search
from articles.reader.privacy import keep_private
from articles.workflow import permissions
from authors.models import Author

ARTICLES_PER_PAGE = 10


class PublishedArticleListMixin:
    """Listing pages: published articles only, newest first, ten a page.

    Django's paginator answers ``?page=abc`` and ``?page=999`` with a 404.
    """

    model = Article
    paginate_by = ARTICLES_PER_PAGE
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


def article_page_queryset(base):
    """Everything the article page shows, in a fixed number of queries."""
    return base.select_related("author", "section").prefetch_related(
        "tldr_bullets", "faq_entries", "sources", "tags"
    )


def _old_slug_redirect(request, slug):
    """A published article's former URL answers 301; anything else stays a plain 404."""
    redirect = SlugRedirect.objects.filter(old_slug=slug).select_related("article").first()
    if redirect is None:
        return None
    if permissions.can_view(request.user, redirect.article):
        return HttpResponsePermanentRedirect(redirect.article.get_absolute_url())
    return None


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        base = Article.objects.published()
        user = self.request.user
        if permissions.is_newsroom(user):
            # Staff see unpublished articles only where they may edit (writers: their own).
            base = Article.objects.filter(
                Q(pk__in=base.values("pk")) | permissions.previewable_q(user)
            )
        return article_page_queryset(base)

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            redirect = _old_slug_redirect(request, kwargs.get("slug", ""))
            if redirect is None:
                raise
            return redirect

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(reading.article_page_context(self.object, self.request))
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_published:
            keep_private(response)  # a staff member looking at a draft
        return response


class SearchView(ListView):
    """Full-text search over published articles, best match first, with highlighted snippets."""

    template_name = "articles/search.html"
    context_object_name = "results"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        self.query = search.normalise_query(self.request.GET.get("q"))
        if not self.query:
            return Article.objects.none()
        return search.search_articles(self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query,
            query_was_shortened=len(self.request.GET.get("q", "")) > search.MAX_QUERY_LENGTH,
            **kwargs,
        )
