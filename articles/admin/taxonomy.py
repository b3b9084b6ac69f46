"""Sections and tags: each has its own public page."""

from django.contrib import admin
from django.db.models import Q

from articles.models import Section, Tag
from articles.workflow import permissions


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # The tag list, its pages and the tag autocomplete (which asks this queryset).
        return permissions.visible_tags(request.user, super().get_queryset(request))


class VisibleTagsFilter(admin.RelatedFieldListFilter):
    """The article list's "By tags" filter, offering only the tags this person may see."""

    def field_choices(self, field, request, model_admin):
        visible = permissions.visible_tags(request.user).values("pk")
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(pk__in=visible),
            ordering=self.field_admin_ordering(field, request, model_admin),
        )
