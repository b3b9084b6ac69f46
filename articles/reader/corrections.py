"""/corrections/: every correction of a published article, newest first.

The publication's public record of its mistakes, as readers of news sites expect one.  Only
corrections of articles ``Article.objects.published()`` returns are listed: a correction
of an article taken down, scheduled or never published is not public, nor is one still
staged (those are no rows yet, articles/workflow/corrections.py).
"""

from django.views.generic import ListView

from articles.models import Article, Correction
from articles.reader.paging import CappedPaginator

CORRECTIONS_PER_PAGE = 20


def public_corrections():
    """Corrections of published articles, newest first, with what their listing shows of
    the article (one query a page, the article joined in)."""
    return (
        Correction.objects.filter(article__in=Article.objects.published())
        .select_related("article")
        .only("text", "published_at", "article__title", "article__slug")
        .order_by("-published_at", "-id")
    )


class CorrectionsView(ListView):
    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = CORRECTIONS_PER_PAGE
    # Pages beyond the hundredth answer 404, as every listing's do (paging.py).
    paginator_class = CappedPaginator

    def get_queryset(self):
        return public_corrections()
