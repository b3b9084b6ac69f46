"""The article's workflow screens beside its form: its history (every revision and event,
compare any two, restore one) and share links.  Each screen asks the rulebook who may see it
and who may act on it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles.models import Article, ShareLink
from articles.workflow import history, permissions, revisions, services, sharing, transitions
from articles.workflow.comparison import compare_versions


def _refusal(step: str):
    """The rulebook's role refusal for one step on an article, as a check on (user, article):
    the sentence to show, or None when the person may take the step."""

    def check(user, article):
        reasons = transitions.refusals(user, article, step, judge_content=False)
        return " ".join(r.message for r in reasons if r.kind in ("role", "state")) or None

    return check


HISTORY_PAGE_SIZE = 25


def _is_id(text: str) -> bool:
    """Digits int() reads ("²" is a digit to str.isdigit, not to int)."""
    return text.isascii() and text.isdigit()


class ArticlePagesMixin:
    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        restore = wrap(self.restore_view)
        return [
            # One history per article: the admin's own "History" URL (history_view below);
            # the old "Revisions" page and its restore address lead to the same places.
            path(
                "<int:pk>/revisions/", wrap(self.revisions_view), name="articles_article_revisions"
            ),
            path(
                "<int:pk>/history/<int:version_id>/restore/",
                restore,
                name="articles_article_restore",
            ),
            path("<int:pk>/revisions/<int:version_id>/restore/", restore),
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

    def history_view(self, request, object_id, extra_context=None):
        """The article's one history: every revision and workflow event, newest first, and
        the word-by-word changes between two chosen versions (``a`` and ``b``)."""
        if not _is_id(str(object_id)):
            raise Http404("No article with that id that you may see.")
        article = self._article_for(request, int(object_id))
        entries = history.timeline(article)
        numbered = {entry.version.pk: entry for entry in entries if entry.version}
        page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        # The picker starts at the newest version and the one before it.
        newest = sorted(numbered, key=lambda pk: numbered[pk].number, reverse=True)[:2]
        return self._page(
            request,
            article,
            "history.html",
            f"History of “{article.title}”",
            page_obj=page,
            page_range=page.paginator.get_elided_page_range(page.number),
            comparison=self._comparison(request, numbered),
            default_from=newest[-1] if newest else None,
            newest_version=newest[0] if newest else None,
            can_restore=transitions.may(request.user, article, "restore"),
            **(extra_context or {}),
        )

    def _comparison(self, request, numbered):
        """The two versions asked for, older first, and what changed between them."""
        chosen = request.GET.get("a"), request.GET.get("b")
        if not all(chosen):
            return None
        if not all(_is_id(pk) and int(pk) in numbered for pk in chosen):
            messages.error(request, "Choose two versions of this article to compare.")
            return None
        older, newer = sorted((numbered[int(pk)] for pk in chosen), key=lambda e: e.number)
        return {
            "older": older,
            "newer": newer,
            "fields": compare_versions(older.version, newer.version),
        }

    def revisions_view(self, request, pk):
        """The former "Revisions" page: now the history, with the same comparison."""
        self._article_for(request, pk)
        url = reverse("admin:articles_article_history", args=[pk])
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{url}?{query}" if query else url)

    def restore_view(self, request, pk, version_id):
        """Asks first (what restoring would change), restores on the confirming POST."""
        article = self._article_for(request, pk, _refusal("restore"))
        version = get_object_or_404(revisions.revisions_of(article), pk=version_id)
        history_url = reverse("admin:articles_article_history", args=[pk])
        if request.method == "POST":
            try:
                revisions.restore_revision(article, version, by=request.user)
            except services.WorkflowError as refusal:
                for problem in refusal.problems:
                    messages.error(request, problem)
                return HttpResponseRedirect(history_url)
            if revisions.restored_as_changes(article):
                messages.success(
                    request,
                    "Version restored as unpublished changes, with its TL;DR, FAQ and sources: "
                    "readers see the published version until an editor uses “Publish changes”.",
                )
            else:
                messages.success(request, "Version restored, with its TL;DR, FAQ and sources.")
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))
        entries = [entry for entry in history.timeline(article) if entry.version]
        chosen = next(entry for entry in entries if entry.version.pk == version.pk)
        newest = max(entries, key=lambda entry: entry.number)
        return self._page(
            request,
            article,
            "restore_version.html",
            f"Restore version {chosen.number} of “{article.title}”?",
            chosen=chosen,
            newest=newest,
            as_changes=revisions.restored_as_changes(article),
            fields=compare_versions(newest.version, version, restored_only=True),
            history_url=history_url,
        )

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
