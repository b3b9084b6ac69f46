"""The article's workflow screens beside its form: revisions (compare, restore) and share
links.  Each screen asks the rulebook who may see it and who may act on it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles.models import Article, ShareLink
from articles.workflow import permissions, revisions, services, sharing, transitions
from articles.workflow.comparison import compare_versions


def _refusal(step: str):
    """The rulebook's role refusal for one step on an article, as a check on (user, article):
    the sentence to show, or None when the person may take the step."""

    def check(user, article):
        reasons = transitions.refusals(user, article, step, judge_content=False)
        return " ".join(r.message for r in reasons if r.kind in ("role", "state")) or None

    return check


class ArticlePagesMixin:
    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "<int:pk>/revisions/", wrap(self.revisions_view), name="articles_article_revisions"
            ),
            path(
                "<int:pk>/revisions/<int:version_id>/restore/",
                wrap(require_POST(self.restore_view)),
                name="articles_article_restore",
            ),
            path("<int:pk>/share/", wrap(self.share_view), name="articles_article_share"),
            *super().get_urls(),
        ]

    def _article_for(self, request, pk, refusal=None) -> Article:
        """The article, for someone the check ``refusal`` lets through (else a 403 that says
        why).  Whoever may not even preview it gets the same 404 as for an id that does not
        exist, so ids of others' drafts stay unknown."""
        article = Article.objects.filter(pk=pk).first()
        if article is None or not permissions.can_preview(request.user, article):
            raise Http404("No article with that id that you may see.")
        reason = refusal(request.user, article) if refusal else None
        if reason:
            raise PermissionDenied(reason)
        return article

    def _page(self, request, article, template, title, **context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": title,
            **context,
        }
        return TemplateResponse(request, f"admin/articles/article/{template}", context)

    def revisions_view(self, request, pk):
        article = self._article_for(request, pk)
        versions = list(revisions.revisions_of(article))
        comparison = None
        first, second = request.GET.get("a"), request.GET.get("b")
        if first and second:
            chosen = {str(v.pk): v for v in versions}
            if first in chosen and second in chosen:
                older, newer = sorted([chosen[first], chosen[second]], key=lambda v: v.pk)
                comparison = {
                    "older": older,
                    "newer": newer,
                    "fields": compare_versions(older, newer),
                }
            else:
                messages.error(request, "Choose two revisions of this article to compare.")
        return self._page(
            request,
            article,
            "revisions.html",
            f"Revisions of “{article.title}”",
            versions=versions,
            comparison=comparison,
            can_restore=transitions.may(request.user, article, "restore"),
            events=article.events.select_related("actor")[:50],
        )

    def restore_view(self, request, pk, version_id):
        article = self._article_for(request, pk, _refusal("restore"))
        version = get_object_or_404(revisions.revisions_of(article), pk=version_id)
        try:
            revisions.restore_revision(article, version, by=request.user)
        except services.WorkflowError as refusal:
            for problem in refusal.problems:
                messages.error(request, problem)
            return HttpResponseRedirect(reverse("admin:articles_article_revisions", args=[pk]))
        messages.success(request, "Revision restored, with its TL;DR, FAQ and sources.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))

    def share_view(self, request, pk):
        article = self._article_for(request, pk, _refusal("share"))
        new_link = None
        if request.method == "POST":
            if "revoke" in request.POST:
                link_id = request.POST["revoke"]
                if not link_id.isdigit():
                    raise Http404("No such share link.")
                link = get_object_or_404(ShareLink, pk=link_id, article=article)
                sharing.revoke_share_link(link, by=request.user)
                messages.success(request, "Share link revoked: it no longer opens the preview.")
                return HttpResponseRedirect(request.path)
            try:
                hours = int(request.POST.get("hours") or sharing.SHARE_LINK_DEFAULT_HOURS)
                _, path_ = sharing.create_share_link(article, by=request.user, hours=hours)
                new_link = request.build_absolute_uri(path_)
            except ValueError:
                messages.error(request, "Enter the number of hours the link should work.")
            except services.WorkflowError as refusal:
                messages.error(request, str(refusal))
        return self._page(
            request,
            article,
            "share_links.html",
            f"Share links for “{article.title}”",
            links=article.share_links.select_related("created_by"),
            new_link=new_link,
            default_hours=sharing.SHARE_LINK_DEFAULT_HOURS,
            max_hours=sharing.SHARE_LINK_MAX_HOURS,
            now=timezone.now(),
        )
