from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles.views import PublishedArticleListMixin
from authors.models import Author


class AuthorView(PublishedArticleListMixin, ListView):
    """The author's profile and their published articles: the "All articles →" target."""

    template_name = "authors/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)
