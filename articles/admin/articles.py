"""The article admin: list, form, and the workflow buttons, all decided by the rulebook."""

from functools import partial

from adminsortable2.admin import SortableAdminBase
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.admin import form_page
from articles.admin.form_page import ArticleFormPageMixin
from articles.admin.forms import ArticleAdminForm
from articles.admin.inlines import FaqEntryInline, SourceInline, TldrBulletInline
from articles.admin.pages import ArticlePagesMixin
from articles.admin.presence import EditingPresenceMixin
from articles.admin.publication_filter import PublicationFilter
from articles.admin.taxonomy import VisibleTagsFilter
from articles.models import Article
from articles.workflow import permissions, services, transitions
from authors.models import Author


@admin.register(Article)
class ArticleAdmin(
    EditingPresenceMixin,
    ArticlePagesMixin,
    ArticleFormPageMixin,
    SortableAdminBase,
    admin.ModelAdmin,
):
    form = ArticleAdminForm
    list_display = ["title", "state", "author", "section", "published_at"]
    list_filter = [
        "status",
        PublicationFilter,
        "section",
        "author",
        ("tags", VisibleTagsFilter),
    ]
    list_select_related = ["author", "section"]
    search_fields = ["title", "standfirst", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "section", "tags"]
    inlines = [TldrBulletInline, FaqEntryInline, SourceInline]
    change_form_template = "admin/articles/article/change_form.html"

    def get_fieldsets(self, request, obj=None):
        # In the order of the article page (form_page.PAGE_ORDER puts the TL;DR, FAQ and
        # sources between them); what readers do not see comes last.
        return [
            (form_page.HEADLINE, {"fields": ["title", "standfirst"]}),
            (form_page.HERO, {"fields": ["hero_image", "hero_alt", "hero_credit"]}),
            (form_page.BODY, {"fields": ["body"]}),
            (form_page.BYLINE, {"fields": [("author", "section"), "tags"]}),
            (
                form_page.PUBLISHING,
                {
                    "fields": [
                        "state",
                        "status",
                        ("published_at", "expires_at"),
                        "expected_version",
                    ],
                    "description": "The buttons in the bar at the bottom of the window submit, "
                    "publish, schedule or unpublish (editors may also pick a status). To "
                    "schedule, set a future publication time first.",
                },
            ),
            (form_page.SEARCH, {"fields": ["slug", "meta_description"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["state"]
        if not permissions.can_publish(request.user):
            readonly += ["status", "published_at", "expires_at"]
        return readonly

    def get_autocomplete_fields(self, request):
        if permissions.can_edit_any(request.user):
            return self.autocomplete_fields
        # Writers pick from their own profile only, in a plain select.
        return [name for name in self.autocomplete_fields if name != "author"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author" and not permissions.can_edit_any(request.user):
            kwargs["queryset"] = Author.objects.filter(user=request.user)
            kwargs["help_text"] = (
                "Writers publish under their own author profile. No profile listed? "
                "Ask an admin to link your account to one."
            )
        elif db_field.name == "author":
            kwargs["help_text"] = (
                "The byline: readers see this name, photo and bio with the article. Your own "
                "profile is filled in; pick a colleague when you write for them."
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            # Only tags this person may see can be chosen: posting another tag's id would
            # otherwise put a colleague's unreleased tag on the article, name and all.
            kwargs["queryset"] = permissions.visible_tags(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        own_profile = Author.objects.active().filter(user=request.user).first()
        if own_profile is not None:
            initial.setdefault("author", own_profile.pk)
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        # The form judges the whole article, so it reads the rows of the same POST through
        # the same inline formsets the admin builds (with the same prefix and, as
        # SortableAdminBase.get_formset_kwargs gives them, the same ordering field).
        child_formsets = tuple(
            partial(
                formset,
                prefix=formset.get_default_prefix(),
                default_order_direction=inline.default_order_direction,
                default_order_field=inline.default_order_field,
            )
            for formset, inline in self.get_formsets_with_inlines(request, obj)
        )
        attributes = {"user": request.user, "child_formsets": child_formsets}
        return type(form_class.__name__, (form_class,), attributes)

    @admin.display(description="State")
    def state(self, article):
        if article is None or article.pk is None:
            return "Draft (new)"
        state = article.editorial_state
        if state == "Scheduled":
            when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
            return f"Scheduled for {when}"
        return state

    # Per-article permissions: the rulebook's edit and delete rules --------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if permissions.can_edit_any(request.user):
            return queryset
        return queryset.filter(author__user=request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return transitions.may(request.user, obj, "edit")

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return transitions.may(request.user, obj, "delete")

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk delete would skip the per-article rule above.
        if not permissions.can_edit_any(request.user):
            actions.pop("delete_selected", None)
        return actions

    # Saving: one workflow service for the edit, then the step the editor asked for -----

    def save_model(self, request, obj, form, change):
        """Saved together with its TL;DR, FAQ and sources in save_related."""

    def save_related(self, request, form, formsets, change):
        try:
            services.save_edit(
                form.instance,
                by=request.user,
                created=not change,
                write_children=lambda: super(ArticleAdmin, self).save_related(
                    request, form, formsets, change
                ),
                old_slug=form.initial.get("slug", "") if change else "",
                then=form.step,
                at=form.step_at,
            )
        except services.StepRefused as refusal:
            # The edit is kept; the step waits until the problems are fixed (forms.py).
            for line in form.refused_step_lines(refusal.problems):
                messages.error(request, line)
            request.article_step_refused = True
            return
        if form.step is not None:
            messages.success(request, transitions.done_message(form.step, form.instance))

    def _after_workflow_button(self, request, obj):
        """After a workflow button (or a refused step), the editor stays on the article."""
        asked_for_step = transitions.BUTTONS.keys() & request.POST.keys()
        if asked_for_step or getattr(request, "article_step_refused", False):
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return None

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_workflow_button(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._after_workflow_button(request, obj) or super().response_change(request, obj)

    def delete_model(self, request, obj):
        services.delete(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        # "Delete selected" in the list deletes in bulk: each one is ruled and recorded.
        for article in queryset:
            services.delete(article, by=request.user)

    # The change page -----------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        article = obj or Article(status=Article.Status.DRAFT)
        context.update(
            workflow_buttons=transitions.offered_buttons(user, article)
            if obj is None or transitions.may(user, obj, "edit")
            else [],
            can_preview=obj is not None and permissions.can_preview(user, obj),
            can_share=obj is not None and transitions.may(user, obj, "share"),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)
