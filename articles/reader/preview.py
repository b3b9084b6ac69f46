"""Previews of unpublished articles: for staff who may edit them, and through share links.

Both render the real article page, so a preview looks exactly as the article will.  Both
answer anyone else exactly like an unknown URL (404), send ``X-Robots-Tag: noindex`` and
are never stored by a shared cache.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from articles.models import Article
from articles.reader.privacy import keep_private
from articles.reader.views import ArticleDetailView, article_page_queryset
from articles.workflow import permissions, sharing


class StaffPreviewView(ArticleDetailView):
    """/preview/articles/<id>/: any state, for staff who may edit (or wrote) the article."""

    def get_object(self, queryset=None):
        article = get_object_or_404(
            article_page_queryset(Article.objects.all()), pk=self.kwargs["pk"]
        )
        if not permissions.can_preview(self.request.user, article):
            raise Http404
        return article

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)

    def render_to_response(self, context, **kwargs):
        return keep_private(super().render_to_response(context, **kwargs))


class SharedPreviewView(ArticleDetailView):
    """/preview/share/<token>/: the article for someone without an account, while the link lasts."""

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

    def render_to_response(self, context, **kwargs):
        return keep_private(super().render_to_response(context, **kwargs))
