from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from articles.models import Article, FaqEntry, Section, Source, Tag, TldrBullet

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
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


def article_page_queryset(base):
    """Everything the article page shows, in a fixed number of queries."""
    return base.select_related("author", "section").prefetch_related(
        Prefetch("tldr_bullets", queryset=TldrBullet.objects.order_by("position", "id")),
        Prefetch("faq_entries", queryset=FaqEntry.objects.order_by("position", "id")),
        Prefetch("sources", queryset=Source.objects.order_by("position", "id")),
        "tags",
    )


def can_see_unpublished(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("articles.change_article")


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        base = Article.objects.all()
        if not can_see_unpublished(self.request.user):
            base = Article.objects.published()
        return article_page_queryset(base)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_published:
            # A staff member looking at a draft: never cached, never indexed.
            response.private = True
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response
