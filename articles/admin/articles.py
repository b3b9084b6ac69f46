import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from articles.admin.forms import ArticleAdminForm
from articles.models import (
    Article,
    ArticleEvent,
    FaqEntry,
    Section,
    ShareLink,
    Source,
    Tag,
    TldrBullet,
)
from articles.workflow import permissions, services
from articles.workflow.revisions import compare_versions
from articles.workflow.search_index import refresh_search_vector
from authors.models import Author


class FollowsArticlePermissionMixin:
    """Inline rows are editable exactly when the article is."""

    def _article_editable(self, request, obj):
        return obj is None or permissions.can_edit(request.user, obj)

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


WORKFLOW_MESSAGES = {
    "submit": "Submitted for review. An editor will publish it.",
    "publish": "Published: it is live now.",
    "unpublish": "Unpublished: it is off every public page.",
    "return_to_draft": "Moved back to draft.",
}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "state", "author", "section", "published_at"]
    list_filter = ["status", "section", "author", "tags"]
    list_select_related = ["author", "section"]
    search_fields = ["title", "standfirst", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "section", "tags"]
    inlines = [TldrBulletInline, FaqEntryInline, SourceInline]
    change_form_template = "admin/articles/article/change_form.html"

    def get_fieldsets(self, request, obj=None):
        publishing = ["state", "status", "published_at", "expires_at", "meta_description"]
        return [
            (
                None,
                {"fields": ["title", "slug", "standfirst", "author", "section", "tags"]},
            ),
            ("Hero image", {"fields": ["hero_image", "hero_alt", "hero_credit"]}),
            ("Body", {"fields": ["body"]}),
            (
                "Publishing",
                {
                    "fields": [*publishing, "expected_version"],
                    "description": "Use the buttons at the bottom to submit, publish, "
                    "schedule or unpublish (editors may also pick a status). To schedule, "
                    "set a future publication time first.",
                },
            ),
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
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        own_profile = Author.objects.filter(user=request.user).first()
        if own_profile is not None:
            initial.setdefault("author", own_profile.pk)
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"request": request})

    def _create_formsets(self, request, obj, change):
        # The form's checklist needs the inline rows of the same POST before anything saves.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request.article_formsets = formsets
        return formsets, inline_instances

    @admin.display(description="State")
    def state(self, article):
        if article is None or article.pk is None:
            return "Draft (new)"
        state = article.editorial_state
        if state == "Scheduled":
            when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
            return f"Scheduled for {when}"
        return state

    # Per-article permissions ---------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if permissions.can_edit_any(request.user):
            return queryset
        return queryset.filter(author__user=request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return permissions.can_delete(request.user, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Bulk delete would skip the per-article rule above.
        if not permissions.can_edit_any(request.user):
            actions.pop("delete_selected", None)
        return actions

    # Saving --------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with reversion.create_revision(manage_manually=True):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        was_public = change and Article.objects.published().filter(pk=obj.pk).exists()
        if was_public and obj.is_published:
            obj.public_updated_at = timezone.now()
        if change:
            obj.version = (form.cleaned_data.get("expected_version") or obj.version) + 1
        if "status" in form.changed_data:
            # A chosen status is applied by the workflow services after the save, with
            # their checks, revision and audit entry, never by the form directly.
            obj.status = form.initial.get("status", Article.Status.DRAFT)
        super().save_model(request, obj, form, change)
        if change and "slug" in form.changed_data:
            services.note_slug_change(obj, form.initial.get("slug"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        # The search vector includes the TL;DR and FAQ, so it is rebuilt after the inlines.
        refresh_search_vector(article.pk)
        services.add_revision(article, by=request.user, comment="Edited" if change else "Created")
        services.record(
            article,
            by=request.user,
            action=ArticleEvent.Action.EDITED if change else ArticleEvent.Action.CREATED,
        )
        self._apply_workflow_action(request, article, form.workflow_action, form.workflow_at)

    def _apply_workflow_action(self, request, article, action, at):
        if action is None:
            return
        request.workflow_action_done = action
        try:
            if action == "submit":
                services.submit_for_review(article, by=request.user)
            elif action == "publish":
                services.publish(article, by=request.user, at=at)
            elif action == "schedule":
                services.schedule(article, by=request.user, at=at)
            elif action == "unpublish":
                services.unpublish(article, by=request.user)
            elif action == "return_to_draft":
                services.return_to_draft(article, by=request.user)
        except (services.WorkflowError, PermissionDenied) as refusal:
            messages.error(
                request, f"Your changes were saved, but this step was refused: {refusal}"
            )
            return
        if action == "schedule":
            when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
            messages.success(request, f"Scheduled: it goes live on {when}.")
        else:
            messages.success(request, WORKFLOW_MESSAGES[action])

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "workflow_action_done", None):
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "workflow_action_done", None):
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def delete_model(self, request, obj):
        services.record(obj, by=request.user, action=ArticleEvent.Action.DELETED)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # "Delete selected" in the list deletes in bulk: the trail must record each one too.
        for article in queryset:
            services.record(article, by=request.user, action=ArticleEvent.Action.DELETED)
        super().delete_queryset(request, queryset)

    # The change page -----------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        editable = obj is None or permissions.can_edit(user, obj)
        status = obj.status if obj else Article.Status.DRAFT
        context.update(
            workflow_buttons=editable
            and {
                "submit": status == Article.Status.DRAFT,
                "publish": permissions.can_publish(user) and not (obj and obj.is_published),
                "schedule": permissions.can_publish(user),
                "unpublish": permissions.can_publish(user) and status == Article.Status.PUBLISHED,
            },
            can_preview=obj is not None and permissions.can_preview(user, obj),
            can_share=obj is not None and permissions.can_publish(user),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "<int:pk>/revisions/", wrap(self.revisions_view), name="articles_article_revisions"
            ),
            path(
                "<int:pk>/revisions/<int:version_id>/restore/",
                wrap(require_POST(self.restore_view)),
                name="articles_article_restore",
            ),
            path("<int:pk>/share/", wrap(self.share_view), name="articles_article_share"),
            *super().get_urls(),
        ]

    def _article_for(self, request, pk, check):
        article = get_object_or_404(Article, pk=pk)
        if not check(request.user, article):
            raise PermissionDenied
        return article

    def revisions_view(self, request, pk):
        article = self._article_for(request, pk, permissions.can_preview)
        versions = list(services.revisions_of(article))
        comparison = None
        first, second = request.GET.get("a"), request.GET.get("b")
        if first and second:
            chosen = {str(v.pk): v for v in versions}
            if first in chosen and second in chosen:
                older, newer = sorted([chosen[first], chosen[second]], key=lambda v: v.pk)
                comparison = {
                    "older": older,
                    "newer": newer,
                    "fields": compare_versions(older, newer),
                }
            else:
                messages.error(request, "Choose two revisions of this article to compare.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Revisions of “{article.title}”",
            "versions": versions,
            "comparison": comparison,
            "can_restore": permissions.can_publish(request.user),
            "events": article.events.select_related("actor")[:50],
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def restore_view(self, request, pk, version_id):
        article = self._article_for(request, pk, lambda user, _: permissions.can_publish(user))
        version = get_object_or_404(services.revisions_of(article), pk=version_id)
        try:
            services.restore_revision(article, version, by=request.user)
        except services.WorkflowError as refusal:
            for problem in refusal.problems:
                messages.error(request, problem)
            return HttpResponseRedirect(reverse("admin:articles_article_revisions", args=[pk]))
        messages.success(request, "Revision restored, with its TL;DR, FAQ and sources.")
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))

    def share_view(self, request, pk):
        article = self._article_for(request, pk, lambda user, _: permissions.can_publish(user))
        new_link = None
        if request.method == "POST":
            if "revoke" in request.POST:
                link_id = request.POST["revoke"]
                if not link_id.isdigit():
                    raise Http404("No such share link.")
                link = get_object_or_404(ShareLink, pk=link_id, article=article)
                services.revoke_share_link(link, by=request.user)
                messages.success(request, "Share link revoked: it no longer opens the preview.")
                return HttpResponseRedirect(request.path)
            try:
                hours = int(request.POST.get("hours") or services.SHARE_LINK_DEFAULT_HOURS)
                _, path_ = services.create_share_link(article, by=request.user, hours=hours)
                new_link = request.build_absolute_uri(path_)
            except ValueError:
                messages.error(request, "Enter the number of hours the link should work.")
            except services.WorkflowError as refusal:
                messages.error(request, str(refusal))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Share links for “{article.title}”",
            "links": article.share_links.select_related("created_by"),
            "new_link": new_link,
            "default_hours": services.SHARE_LINK_DEFAULT_HOURS,
            "max_hours": services.SHARE_LINK_MAX_HOURS,
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/articles/article/share_links.html", context)


@admin.register(ArticleEvent)
class ArticleEventAdmin(admin.ModelAdmin):
    """The audit trail: read-only, for admins (view permission on events)."""

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
