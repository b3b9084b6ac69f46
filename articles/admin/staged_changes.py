"""The article admin's side of staged edits (articles/workflow/staging.py): what a posted
form changes, the form showing the staged changes, the list's "changes pending", and the
autosave and discard URLs.

The form and its TL;DR, FAQ and source inlines are the admin's own, so a staged save and an
autosave are validated exactly as a save is; only where the result goes differs.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import (
    Article,
    ArticleEvent,
    Correction,
    FaqEntry,
    Source,
    Tag,
    TldrBullet,
    states,
)
from articles.workflow import permissions, services, staging, transitions
from smartchunks.media import renditions

PART_OF_MODEL = {TldrBullet: "tldr", FaqEntry: "faq", Source: "sources", Correction: "corrections"}
# The POST names that ask for a workflow step or a status: an autosave takes no step.
STEP_FIELDS = (*transitions.BUTTONS, "_save", "_continue", "_addanother", "_saveasnew")


# What a posted form changes --------------------------------------------------------------


def _kept_rows(formset) -> list[dict]:
    """The rows the form keeps (not deleted, not left blank), in the order they read."""
    rows = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE"):
            rows.append((data.get("position") or 0, index, data))
    return [data for _, _, data in sorted(rows, key=lambda row: row[:2])]


def _store_upload(form) -> None:
    """A new hero image is stored now (under its random name), as a save would store it;
    its renditions follow once the save has committed."""
    fieldfile = form.instance.hero_image
    upload = form.cleaned_data.get("hero_image")
    if upload and not getattr(upload, "_committed", False):  # a stored file is committed
        fieldfile.save(upload.name, upload, save=False)
        renditions.make_renditions_after_commit(fieldfile, "hero")
        form.cleaned_data["hero_image"] = fieldfile


def values_from_form(form, formsets, *, store_uploads: bool) -> tuple[dict, list[str]]:
    """What the posted form holds, kept the staged way, and the labels of what it could not
    take because it does not validate (an autosave keeps the earlier value of those)."""
    values, not_taken = {}, []
    if store_uploads and "hero_image" in form.fields and "hero_image" not in form.errors:
        _store_upload(form)
    for name in staging.FIELDS:
        if name not in form.fields:
            continue
        if name in form.errors or name not in form.cleaned_data:
            not_taken.append(str(form.fields[name].label or name).capitalize())
            continue
        value = form.cleaned_data[name]
        if name == "tags":
            value = [*value, *_tags_out_of_sight(form)]
        values[name] = staging.encode(name, value)
    for formset in formsets:
        key = PART_OF_MODEL.get(formset.model)
        if key is None:
            continue
        if formset.is_valid():
            values[key] = staging.encode_part(key, _kept_rows(formset))
        else:
            not_taken.append(str(formset.model._meta.verbose_name_plural).capitalize())
    return values, not_taken


def _tags_out_of_sight(form) -> list[int]:
    """Tags on the article (as its staged changes have them) that this person's tag field
    does not offer (a writer sees only tags of published or own work): their form cannot
    keep them, so they are kept here."""
    article = form.instance
    if article.pk is None:
        return []
    staged = staging.staged_edit_of(article)
    if staged is not None and "tags" in staged.changes:
        tags = Tag.objects.filter(pk__in=staged.changes["tags"])
    else:
        tags = article.tags.all()
    offered = form.fields["tags"].queryset.values("pk")
    return list(tags.exclude(pk__in=offered).values_list("pk", flat=True))


# The form showing the staged changes -----------------------------------------------------


class ShowsStagedChanges:
    """Mixed into the admin's article form: with staged changes, the form starts from them
    (``staged_initial``, set by ArticleAdmin.get_form), not from the row, whether it is
    shown or posted (a kept hero image, say, is the staged one)."""

    staged_initial: dict = {}

    def __init__(self, *args, **kwargs):
        if self.staged_initial:
            kwargs["initial"] = {**self.staged_initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)


def form_initial(staged) -> dict:
    """The staged fields as the form's initial values."""
    return {
        name: staging.decode(name, value)
        for name, value in staged.changes.items()
        if name in staging.FIELDS
    }


def part_rows(staged, model) -> list[dict] | None:
    """The staged rows of one inline as initial values, or None when it is not changed."""
    rows = staged.changes.get(PART_OF_MODEL.get(model)) if staged is not None else None
    if rows is None:
        return None
    return [{**row, "position": position} for position, row in enumerate(rows)]


# The article list ------------------------------------------------------------------------


def state_suffix(article) -> str:
    """What the list adds to the state of an article with staged changes."""
    staged = staging.staged_edit_of(article)
    if staged is None:
        return ""
    if not staging.stages(article):
        return " · autosaved changes" if staged.autosaved else " · unsaved changes"
    if staged.is_waiting_for_review:
        return " · changes waiting for review"
    return " · changes pending"


class ChangesFilter(admin.SimpleListFilter):
    """Published articles whose changes wait to be published, or to be reviewed first."""

    title = "unpublished changes"
    parameter_name = "changes"

    def lookups(self, request, model_admin):
        return [("pending", "Changes pending"), ("review", "Changes waiting for review")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(staged_edit__isnull=False, status__in=states.STAGED)
        if self.value() == "review":
            return queryset.filter(staged_edit__submitted_at__isnull=False)
        return queryset


# Autosave and discard --------------------------------------------------------------------


def _answer(status: int = 200, **fields) -> JsonResponse:
    response = JsonResponse(fields, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _expected_version(post) -> int | None:
    raw = post.get("expected_version", "")
    if not raw.isdigit() or len(raw) > 9:
        raise ValueError("expected_version")
    return int(raw)


def _form_data(post, status: str):
    """The posted form as an autosave reads it: no button, so no step, and the status as it
    is (an autosave never changes the state)."""
    data = post.copy()
    for name in STEP_FIELDS:
        data.pop(name, None)
    data["status"] = status
    return data


class StagedChangesMixin:
    """The article admin's autosave and discard URLs."""

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path("autosave/", wrap(self.autosave_view), name="articles_article_autosave_new"),
            path("<int:pk>/autosave/", wrap(self.autosave_view), name="articles_article_autosave"),
            path(
                "<int:pk>/changes/discard/",
                wrap(self.discard_changes_view),
                name="articles_article_discard_changes",
            ),
            *super().get_urls(),
        ]

    # Autosave: answers JSON, whatever it was sent -----------------------------------------

    def autosave_view(self, request, pk=None):
        if request.method != "POST":
            return _answer(405, saved=False, message="Autosave takes a POST of the form.")
        try:
            if pk is None:
                return self._autosave_new(request)
            return self._autosave(request, pk)
        except Http404:
            return _answer(404, saved=False, message="No article with that id that you may see.")
        except PermissionDenied as refusal:
            return _answer(403, saved=False, message=str(refusal) or "Not yours to edit.")
        except ValueError:
            return _answer(400, saved=False, message="The form sent was incomplete: reload it.")

    def _bound_form(self, request, article, data, *, change: bool):
        fields = flatten_fieldsets(self.get_fieldsets(request, article))
        form_class = self.get_form(request, article, change=change, fields=fields)
        form = form_class(data, None, instance=article)
        formsets = []
        for formset_class, inline in self.get_formsets_with_inlines(
            request, *([article] if change else [])
        ):
            formsets.append(
                formset_class(
                    data=data,
                    files=None,
                    instance=form.instance,
                    prefix=formset_class.get_default_prefix(),
                    queryset=inline.get_queryset(request),
                )
            )
        return form, formsets

    def _autosave(self, request, pk):
        article = Article.objects.filter(pk=pk).first()
        if article is None or not permissions.can_preview(request.user, article):
            raise Http404
        if not transitions.may(request.user, article, "edit"):
            raise PermissionDenied("You cannot edit this article, so nothing was autosaved.")
        expected = _expected_version(request.POST)
        if expected != article.version:
            return self._changed_meanwhile(article)
        form, formsets = self._bound_form(
            request, article, _form_data(request.POST, article.status), change=True
        )
        with transaction.atomic():
            form.is_valid()
            values, not_taken = values_from_form(form, formsets, store_uploads=False)
            try:
                staged = staging.save_changes(
                    article, values, by=request.user, expected_version=expected, autosave=True
                )
            except staging.ChangedMeanwhile:
                return self._changed_meanwhile(article)
        article.refresh_from_db(fields=["version"])
        now = timezone.localtime()
        return _answer(
            saved=True,
            version=article.version,
            staged=staged is not None,
            not_saved=not_taken,
            message=_saved_message(now, not_taken, staged is not None),
        )

    def _changed_meanwhile(self, article):
        article.refresh_from_db()
        staged = staging.staged_edit_of(article)
        who = f" ({staging.person_name(staged.saved_by)})" if staged else ""
        return _answer(
            409,
            saved=False,
            conflict=True,
            message=f"Not autosaved: someone else{who} saved this article since you opened "
            "it. Copy what you need, then reload the page.",
        )

    def _autosave_new(self, request):
        """The add form: the first autosave that validates creates the draft, as Save would;
        until then nothing is stored and the answer says what is missing."""
        if not self.has_add_permission(request):
            raise PermissionDenied("You cannot add articles.")
        data = _form_data(request.POST, Article.Status.DRAFT)
        form, formsets = self._bound_form(request, None, data, change=False)
        valid = form.is_valid() & all([formset.is_valid() for formset in formsets])
        if not valid:
            return _answer(
                saved=False,
                waiting=True,
                message="Not autosaved yet: autosave starts once the headline, slug and "
                "author are filled in and the form has no errors.",
            )
        with transaction.atomic():
            article = self.save_form(request, form, change=False)

            def write_children():
                form.save_m2m()
                for formset in formsets:
                    formset.instance = article
                    self.save_formset(request, form, formset, change=False)

            services.save_edit(
                article, by=request.user, created=True, write_children=write_children
            )
            self.log_addition(request, article, [{"added": {}}])
        return _answer(
            saved=True,
            created=True,
            version=article.version,
            change_url=reverse("admin:articles_article_change", args=[article.pk]),
            autosave_url=reverse("admin:articles_article_autosave", args=[article.pk]),
            message=f"Saved as a draft at {date_format(timezone.localtime(), 'H:i')}.",
        )

    # Discard --------------------------------------------------------------------------

    def discard_changes_view(self, request, pk):
        article = Article.objects.filter(pk=pk).first()
        if article is None or not permissions.can_preview(request.user, article):
            raise Http404("No article with that id that you may see.")
        reasons = transitions.refusals(
            request.user, article, "discard_changes", judge_content=False
        )
        if reasons:
            raise PermissionDenied(" ".join(reason.message for reason in reasons))
        change_url = reverse("admin:articles_article_change", args=[pk])
        staged = staging.staged_edit_of(article)
        if request.method == "POST":
            try:
                staging.discard_changes(article, by=request.user)
            except services.WorkflowError as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, transitions.STEPS["discard_changes"].done)
            return HttpResponseRedirect(change_url)
        if staged is None:
            messages.info(request, "There are no unpublished changes to discard.")
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Discard the changes to “{article.title}”?",
            "staged_edit": staged,
            "saved_by": staging.person_name(staged.saved_by),
            "contributors": _contributors(article, staged),
            "live": staging.stages(article),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/articles/article/discard_changes.html", context)


def _contributors(article, staged) -> list[str]:
    """Everyone whose work is in the staged changes: who started them, who saved, autosaved,
    restored into or submitted them since (the audit trail), and who saved last."""
    saving = (
        ArticleEvent.Action.CHANGES_SAVED,
        ArticleEvent.Action.CHANGES_SUBMITTED,
        ArticleEvent.Action.RESTORED,
    )
    people = [staged.created_by, staged.saved_by, staged.submitted_by]
    events = ArticleEvent.objects.filter(
        article=article, action__in=saving, at__gte=staged.created_at
    ).select_related("actor")
    people += [event.actor for event in events]
    names = {staging.person_name(person) for person in people if person is not None}
    return sorted(names)


def _saved_message(now, not_taken: list[str], staged: bool) -> str:
    at = date_format(now, "H:i")
    said = f"Autosaved at {at}." if staged else f"Checked at {at}: no changes to keep."
    if not_taken:
        said += f" Not autosaved until corrected: {', '.join(not_taken)}."
    return said
