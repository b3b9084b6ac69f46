from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.html import format_html

from articles.forms import StoredImagesNotRecheckedMixin
from authors.models import Author


def https_by_default(db_field, **kwargs):
    """A bare "linkedin.com/in/…" becomes https:// (Django 6's default, chosen now)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class AuthorAdminForm(StoredImagesNotRecheckedMixin, forms.ModelForm):
    stored_image_fields = ("photo",)
    # The profile as it was when the form opened: a save over a newer one is refused, so a
    # writer and an admin editing the same profile never silently overwrite each other.
    expected_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Author
        formfield_callback = https_by_default
        fields = [
            "name",
            "slug",
            "job_title",
            "experience",
            "is_active",
            "user",
            "photo",
            "bio",
            "linkedin_url",
            "x_url",
            "website_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.updated_at:
            self.fields["expected_updated_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = (
                Author.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("updated_at", flat=True)
                .first()
            )
            if current and cleaned.get("expected_updated_at") != current.isoformat():
                raise forms.ValidationError(
                    "Someone else saved this profile while you were editing it, so your "
                    "changes have NOT been saved (nothing was overwritten). Your text is still "
                    "in the form below: copy what you need, open the profile again and "
                    "reapply your changes there.",
                    code="conflict",
                )
        return cleaned


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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
        return (
            super().get_queryset(request).annotate(num_articles=Count("articles")).order_by("name")
        )

    # Writers and editors may edit their own profile only; admins (who may add authors)
    # manage every profile and which login account writes as which author.

    @staticmethod
    def _manages_authors(user) -> bool:
        return user.is_superuser or user.has_perm("authors.add_author")

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
