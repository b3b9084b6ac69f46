"""The article admin: list, form, and the workflow buttons, all decided by the rulebook."""

from functools import partial

from adminsortable2.admin import SortableAdminBase
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.admin import form_page, staged_changes
from articles.admin.form_page import ArticleFormPageMixin
from articles.admin.forms import ArticleAdminForm
from articles.admin.inlines import (
    CorrectionInline,
    FaqEntryInline,
    SourceInline,
    TldrBulletInline,
)
from articles.admin.pages import ArticlePagesMixin
from articles.admin.presence import EditingPresenceMixin
from articles.admin.publication_filter import PublicationFilter
from articles.admin.staged_changes import ChangesFilter, StagedChangesMixin
from articles.admin.taxonomy import VisibleTagsFilter
from articles.models import Article
from articles.workflow import permissions, services, staging, transitions
from authors.models import Author
from smartchunks.admin_autocomplete import SafeAutocompleteMixin
from smartchunks.media.refused_uploads import ShowsStorageRefusals


@admin.register(Article)
class ArticleAdmin(
    # A new hero image the media bucket cannot take is a form error, the text kept.
    ShowsStorageRefusals,
    EditingPresenceMixin,
    ArticlePagesMixin,
    StagedChangesMixin,
    ArticleFormPageMixin,
    SortableAdminBase,
    SafeAutocompleteMixin,
    admin.ModelAdmin,
):
    form = ArticleAdminForm
    list_display = ["title", "state", "author", "section", "published_at"]
    list_filter = [
        "status",
        PublicationFilter,
        ChangesFilter,
        "section",
        "author",
        ("tags", VisibleTagsFilter),
    ]
    list_select_related = ["author", "section", "staged_edit"]
    search_fields = ["title", "standfirst", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "section", "tags"]
    inlines = [TldrBulletInline, FaqEntryInline, SourceInline, CorrectionInline]
    # change_form.html with the staged-changes notice (it extends that template).
    change_form_template = "admin/articles/article/change_form_staged.html"

    class Media:
        css = {"all": ["css/admin-staged.css"]}
        js = ["newsroom/article-autosave.js"]

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
        staged = staging.staged_edit_of(obj) if obj is not None else None
        if staged is not None:
            attributes["staged_initial"] = staged_changes.form_initial(staged)
        bases = (staged_changes.ShowsStagedChanges, form_class)
        return type(form_class.__name__, bases, attributes)

    def get_inline_instances(self, request, obj=None):
        # Some parts belong to some articles only (corrections: published ones).
        inlines = super().get_inline_instances(request, obj)
        return [inline for inline in inlines if inline.shown_for(obj)]

    def get_formsets_with_inlines(self, request, obj=None):
        """Inlines whose rows are staged show those rows (as new rows: the staged rows are
        not the table's), with room for the usual blank ones."""
        staged = self._staged_on_show(request, obj)
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            rows = staged_changes.part_rows(staged, inline.model)
            if rows is not None:
                formset = type(formset.__name__, (formset,), {"extra": len(rows) + formset.extra})
            yield formset, inline

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        rows = staged_changes.part_rows(self._staged_on_show(request, obj), inline.model)
        if rows is not None:
            kwargs.update(queryset=inline.model.objects.none(), initial=rows)
        return kwargs

    def _staged_on_show(self, request, obj):
        """The staged changes the form is shown with (a POST brings its own rows)."""
        if request.method == "POST" or obj is None or obj.pk is None:
            return None
        return staging.staged_edit_of(obj)

    @admin.display(description="State")
    def state(self, article):
        if article is None or article.pk is None:
            return "Draft (new)"
        state = article.editorial_state
        if state == "Scheduled":
            when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
            state = f"Scheduled for {when}"
        return state + staged_changes.state_suffix(article)

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
        article = form.instance
        if change and transitions.stages(article, form.step):
            self._stage(request, form, formsets)
        elif change and form.step == "publish_changes":
            self._stage(request, form, formsets, then_publish=True)
        else:
            self._save_row(request, form, formsets, change)

    def _save_row(self, request, form, formsets, change):
        """The edit goes into the article's row, with the step asked for.  Changes staged
        before are in the form (it showed them), so they are saved with it and forgotten."""
        article = form.instance
        staged = staging.staged_edit_of(article) if change else None
        staging.apply_fields(article, staged, set(staging.FIELDS) - set(form.fields))

        def write_children():
            for formset in formsets:
                # Rows the form did not show (it showed staged rows instead) are replaced.
                shown = [f.instance.pk for f in formset.initial_forms if f.instance.pk]
                formset.model.objects.filter(article=article).exclude(pk__in=shown).delete()
            super(ArticleAdmin, self).save_related(request, form, formsets, change)
            if change:
                staging.forget_changes(article)

        try:
            services.save_edit(
                article,
                by=request.user,
                created=not change,
                write_children=write_children,
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

    def _stage(self, request, form, formsets, *, then_publish=False):
        """A save of a published article: the changes wait beside it (staging), or with
        "Publish changes" go into the row at once."""
        values, _ = staged_changes.values_from_form(form, formsets, store_uploads=True)
        request.article_log_message = (
            "Published changes." if then_publish else "Saved unpublished changes."
        )
        if then_publish:
            self._publish_at_once(request, form.instance, values)
            return
        submit = form.step == "submit_changes"
        try:
            staged = staging.save_changes(form.instance, values, by=request.user, submit=submit)
        except services.WorkflowError as refusal:
            messages.error(request, str(refusal))
            return
        if staged is None:
            messages.info(request, "Nothing to save: the form holds the published version.")
        elif submit:
            messages.success(request, transitions.done_message("submit_changes", form.instance))
        else:
            messages.success(request, self._staged_message(request.user))

    def _publish_at_once(self, request, article, values):
        try:
            article = staging.publish_changes(article, by=request.user, values=values)
        except staging.NothingToPublish:
            messages.info(request, "Nothing to publish: the form holds the published version.")
            return
        except services.WorkflowError as refusal:
            # The form judged the changes already; this is a change that raced it.  The
            # editor's work is kept, unpublished.
            staging.save_changes(article, values, by=request.user)
            messages.error(
                request,
                "Your changes were saved, unpublished, but not published: "
                + " ".join(refusal.problems),
            )
            return
        if article.is_published:
            messages.success(request, "Changes published: readers see them now.")
        else:
            messages.success(
                request,
                f"Changes published: readers see them once the article is {_when(article)}.",
            )

    @staticmethod
    def _staged_message(user) -> str:
        said = "Saved as unpublished changes: readers see the published version until "
        if permissions.can_publish(user):
            return said + "you use “Publish changes”."
        return said + "an editor publishes them. “Save and submit changes for review” asks one."

    def construct_change_message(self, request, form, formsets, add=False):
        # A staged save saves no formset rows: the admin's log says what it did instead.
        if getattr(request, "article_log_message", ""):
            return request.article_log_message
        return super().construct_change_message(request, form, formsets, add)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # After a staged save, say what happened instead of Django's "changed successfully".
        if getattr(request, "article_log_message", "") and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

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
        editable = obj is None or transitions.may(user, obj, "edit")
        staged = staging.staged_edit_of(obj) if obj is not None else None
        context.update(
            workflow_buttons=transitions.offered_buttons(user, article) if editable else [],
            can_preview=obj is not None and permissions.can_preview(user, obj),
            can_share=obj is not None and transitions.may(user, obj, "share"),
            # Staged changes (articles/workflow/staging.py) and autosave.
            staged_edit=staged,
            staged_by=staging.person_name(staged.saved_by) if staged else "",
            saves_as_changes=obj is not None and staging.stages(obj),
            has_editable_form=editable,
            can_publish_changes=obj is not None and transitions.may(user, obj, "publish_changes"),
            can_discard=staged is not None and transitions.may(user, obj, "discard_changes"),
            autosave_url=(
                reverse("admin:articles_article_autosave", args=[obj.pk])
                if obj is not None
                else reverse("admin:articles_article_autosave_new")
            )
            if editable
            else "",
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


def _when(article) -> str:
    if article.editorial_state == "Scheduled":
        when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
        return f"live ({when})"
    return "live again"
