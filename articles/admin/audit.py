"""The audit trail: read-only, for admins (view permission on events)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from articles.models import ArticleEvent


@admin.register(ArticleEvent)
class ArticleEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "article_link", "detail"]
    list_filter = ["action", "actor"]
    search_fields = ["article_title", "detail", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Article")
    def article_link(self, event):
        if event.article_id is None:
            return f"{event.article_title} (deleted)"
        url = reverse("admin:articles_article_change", args=[event.article_id])
        return format_html('<a href="{}">{}</a>', url, event.article_title)
