"""The one reader module that reads unpublished articles: the newsroom's previews and share
links.  Everything else in the reader reads through ``Article.objects.published()``
(checked by tests/reader/test_reads_only_published.py).

Previews render the real article page, so they look exactly as the article will.  They
answer anyone else exactly like an unknown URL (404), send ``X-Robots-Tag: noindex`` and
are never stored by a shared cache.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from articles.models import Article
from articles.reader.article_page import ArticlePageView, article_page_queryset
from articles.reader.privacy import keep_private
from articles.workflow import permissions, sharing


def articles_visible_to(user):
    """Published articles, and for the newsroom also the unpublished ones it may preview
    (writers: their own; editors: all)."""
    published = Article.objects.published()
    if not permissions.is_newsroom(user):
        return published
    return Article.objects.filter(
        Q(pk__in=published.values("pk")) | permissions.previewable_q(user)
    )


class StaffPreviewView(ArticlePageView):
    """/preview/articles/<id>/: any state, for staff who may edit (or wrote) the article."""

    always_private = True

    def get_object(self, queryset=None):
        article = get_object_or_404(
            article_page_queryset(Article.objects.all()), pk=self.kwargs["pk"]
        )
        if not permissions.can_preview(self.request.user, article):
            raise Http404
        return article

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


class SharedPreviewView(ArticlePageView):
    """/preview/share/<token>/: the article for someone without an account, while the link lasts."""

    always_private = True

    def get(self, request, *args, **kwargs):
        link = sharing.share_link_for_token(kwargs["token"])
        if link is None:
            raise Http404
        if not link.is_active:
            response = TemplateResponse(
                request, "articles/share_unavailable.html", {"link": link}, status=410
            )
            return keep_private(response)
        self.share_link = link
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return article_page_queryset(Article.objects.all()).get(pk=self.share_link.article_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(share_link=self.share_link, **kwargs)
