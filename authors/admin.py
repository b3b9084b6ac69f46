from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils.html import format_html

from authors.forms import AuthorAdminForm
from authors.models import Author
from smartchunks.admin_autocomplete import SafeAutocompleteMixin
from smartchunks.media import renditions
from smartchunks.media.refused_uploads import ShowsStorageRefusals


@admin.register(Author)
class AuthorAdmin(ShowsStorageRefusals, SafeAutocompleteMixin, admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "photo_thumbnail", "job_title", "article_count", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "job_title"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["photo_preview"]
    autocomplete_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "job_title", "experience", "is_active", "user"]}),
        ("Photo", {"fields": ["photo", "photo_preview"]}),
        (
            "Profile",
            {"fields": ["bio", "linkedin_url", "x_url", "website_url", "expected_updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        # The aggregate's GROUP BY drops Meta.ordering, which the autocomplete paginates by.
        queryset = (
            super().get_queryset(request).annotate(num_articles=Count("articles")).order_by("name")
        )
        if self._sees_every_profile(request.user):
            return queryset
        # Writers: their own profile in the list, the autocomplete and every page.
        return queryset.filter(user=request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Made at save, so no reader waits for them; after the admin's transaction commits,
        # so a big photo never holds it open (smartchunks/media/renditions.py).
        renditions.make_renditions_after_commit(obj.photo, "author")

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None and not self._sees_every_profile(request.user):
            # Someone else's profile (or none at all: the answer is the same, so a writer
            # cannot tell which ids exist) is refused, not reported as deleted.
            raise PermissionDenied("Writers may open only their own author profile.")
        return found

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "author":
            # Picking a byline (the article form's autocomplete): inactive authors keep
            # their articles but are not offered for new bylines.
            queryset = queryset.active()
        return queryset, may_have_duplicates

    # Writers and editors may edit their own profile only; admins (who may add authors)
    # manage every profile and which login account writes as which author.  Editors, who
    # byline articles to anyone, may look at every profile; writers see only their own.

    @staticmethod
    def _manages_authors(user) -> bool:
        return user.is_superuser or user.has_perm("authors.add_author")

    @classmethod
    def _sees_every_profile(cls, user) -> bool:
        # The editors' permission is named by its string: authors sits below articles.
        return cls._manages_authors(user) or user.has_perm("articles.edit_any_article")

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        if obj is None or self._sees_every_profile(request.user):
            return True
        return obj.user_id == request.user.pk

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or self._manages_authors(request.user):
            return True
        return obj.user_id == request.user.pk

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._manages_authors(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self._manages_authors(request.user):
            readonly += ["user", "is_active", "slug"]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        if not self._manages_authors(request.user):
            return {}
        return super().get_prepopulated_fields(request, obj)

    @admin.display(description="Articles", ordering="num_articles")
    def article_count(self, author):
        return author.num_articles

    @admin.display(description="Photo")
    def photo_thumbnail(self, author):
        return self._img(author, 40)

    @admin.display(description="Preview")
    def photo_preview(self, author):
        return self._img(author, 160) or "No photo yet."

    @staticmethod
    def _img(author, size):
        if not author.photo:
            return ""
        return format_html(
            '<img src="{}" alt="Photo of {}" width="{}" height="{}" class="author-photo-preview">',
            author.photo.url,
            author.name,
            size,
            size,
        )
