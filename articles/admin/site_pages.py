"""Site pages (About, Editorial standards, ...): edited by Editors and Admins
(articles/workflow/roles.py), live while "published" is ticked."""

from django.contrib import admin

from articles.models import SitePage


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "show_in_footer", "footer_position", "updated_at"]
    list_filter = ["published", "show_in_footer"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "title",
        "slug",
        "description",
        "body",
        "published",
        "show_in_footer",
        "footer_position",
    ]
