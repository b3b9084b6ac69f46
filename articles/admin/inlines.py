"""The article's ordered parts in the admin form: TL;DR bullets, FAQ entries, sources."""

from django.contrib import admin

from articles.models import FaqEntry, Source, TldrBullet
from articles.workflow import transitions


class FollowsArticlePermissionMixin:
    """Inline rows are editable exactly when the article is."""

    def _article_editable(self, request, obj):
        return obj is None or transitions.may(request.user, obj, "edit")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._article_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._article_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._article_editable(request, obj)


class TldrBulletInline(FollowsArticlePermissionMixin, admin.TabularInline):
    model = TldrBullet
    fields = ["text", "position"]
    extra = 3
    max_num = 5
    verbose_name_plural = "TL;DR (3 to 5 bullets to publish)"


class FaqEntryInline(FollowsArticlePermissionMixin, admin.StackedInline):
    model = FaqEntry
    fields = ["question", "answer", "position"]
    extra = 1


class SourceInline(FollowsArticlePermissionMixin, admin.TabularInline):
    model = Source
    fields = ["name", "url", "note", "position"]
    extra = 1
