from django.contrib import admin
from django.utils import timezone

from articles.forms import TldrInlineFormSet
from articles.models import Article, FaqEntry, Section, Source, Tag, TldrBullet
from articles.search import refresh_search_vector


class TldrBulletInline(admin.TabularInline):
    model = TldrBullet
    formset = TldrInlineFormSet
    fields = ["text", "position"]
    extra = 3
    max_num = 5
    verbose_name_plural = "TL;DR (3 to 5 bullets to publish)"


class FaqEntryInline(admin.StackedInline):
    model = FaqEntry
    fields = ["question", "answer", "position"]
    extra = 1


class SourceInline(admin.TabularInline):
    model = Source
    fields = ["name", "url", "note", "position"]
    extra = 1


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "author", "section", "published_at"]
    list_filter = ["status", "section", "author", "tags"]
    list_select_related = ["author", "section"]
    search_fields = ["title", "standfirst", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "section", "tags"]
    inlines = [TldrBulletInline, FaqEntryInline, SourceInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "author", "section", "tags"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt", "hero_credit"]}),
        ("Body", {"fields": ["body"]}),
        ("Publishing", {"fields": ["status", "published_at", "expires_at", "meta_description"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        was_public = change and Article.objects.published().filter(pk=obj.pk).exists()
        if obj.status == Article.Status.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        if was_public and obj.is_published:
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The search vector includes the TL;DR and FAQ, so it is rebuilt after the inlines.
        refresh_search_vector(form.instance.pk)


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
