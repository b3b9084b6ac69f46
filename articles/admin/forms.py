"""The article admin form: the whole article as posted, judged by the workflow's rulebook.

Everything is checked before anything is saved, so a refused save shows the editor's own
text back with every problem listed at once.  The form reads the TL;DR, FAQ and source rows
of the same POST itself (through the admin's own inline formsets), so the pre-publish
checklist sees exactly what would be saved.

A step asked for with the edit (publish, schedule) that fails only on content or time does
not cost the editor the edit: the edit is saved and only the step is refused, with every
problem listed.  An article already Published is the exception: saving content that fails the
checklist would put it live (or live at its time), so that save is refused and the form comes
back with the editor's text.  The live checklist beside the form asks ``publishing_problems``.
"""

from django import forms
from django.core.exceptions import ValidationError

from articles.models import Article, FaqEntry, Source, StagedEdit, TldrBullet
from articles.workflow import checklist, staging, transitions
from authors.forms import stale_edit_error

EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def _within_sensible_years(value):
    """Refuse years no article lives in.  Near year 1 or 9999, converting the local time to
    UTC (in a time zone east or west of London) leaves PostgreSQL's range: a server error."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            f"Enter a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.", code="year"
        )
    return value


def _in_page_order(formset) -> list:
    """The formset's rows in the order the editor sees them: by the place each was given
    (dragged rows are numbered by the page), then as sent."""
    formset.is_valid()

    def place(numbered):
        index, form = numbered
        position = getattr(form, "cleaned_data", {}).get("position")
        return (position is None, position or 0, index)

    return [form for _, form in sorted(enumerate(formset.forms), key=place)]


def _kept_rows(formset):
    for form in _in_page_order(formset):
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE"):
            yield data


# Row fields whose emptiness the checklist names itself ("FAQ entry 1 needs both a question
# and an answer."): their "This field is required." would say it twice.
_SAID_BY_CHECKLIST = {FaqEntry: {"question", "answer"}}


class ArticleAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Set by ArticleAdmin.get_form: who is saving, and the admin's inline formsets (each
    # called with data, files and instance).
    user = None
    child_formsets = ()
    # The live checklist only looks: it takes no lock and reports no stale edit.
    checking_only = False

    class Meta:
        model = Article
        # The admin narrows these per user (writers get no status or times).
        fields = [
            "title",
            "slug",
            "standfirst",
            "author",
            "section",
            "tags",
            "hero_image",
            "hero_alt",
            "hero_credit",
            "body",
            "status",
            "published_at",
            "expires_at",
            "meta_description",
        ]
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 2}),
            "meta_description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Character counters (static/js/admin-article-form.js): the most a field holds, or the
        # most publishing allows when that is less.
        limits = {
            "title": Article._meta.get_field("title").max_length,
            "standfirst": Article._meta.get_field("standfirst").max_length,
            "meta_description": checklist.META_DESCRIPTION_MAX,
        }
        for name, limit in limits.items():
            if name in self.fields:
                self.fields[name].widget.attrs["data-count-limit"] = limit
        # The workflow step this POST asks for, and its publication time (set by clean); why
        # that step will be refused after the edit is saved (content or time only).
        self.step, self.step_at = None, None
        self.step_problems: list[str] = []
        self._child_forms = None
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean_author(self):
        author = self.cleaned_data.get("author")
        if author is not None and not author.is_active and author.pk != self.instance.author_id:
            raise ValidationError(
                f"{author.name} is an inactive author: their articles stay bylined to them, "
                "but they cannot be given new ones. Choose an active author.",
                code="inactive_author",
            )
        return author

    def clean_published_at(self):
        return _within_sensible_years(self.cleaned_data.get("published_at"))

    def clean_expires_at(self):
        return _within_sensible_years(self.cleaned_data.get("expires_at"))

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.checking_only:
            self._refuse_stale_edit(cleaned.get("expected_version"))
        chosen = cleaned.get("status") if "status" in self.changed_data else None
        self.step, self.step_at = transitions.requested_step(
            self.data, chosen_status=chosen, published_at=self._value("published_at")
        )
        if "status" in cleaned:
            # A chosen status is applied after the save by the workflow services (rules,
            # revision, audit entry); until then the article keeps the status it has.
            cleaned["status"] = self.instance.status
        self._check_expiry()
        reasons = transitions.refusals_of_save(
            self.user, self.instance, self.step, at=self.step_at, draft=self._draft()
        )
        if self._only_the_step_fails(reasons):
            self.step_problems = [reason.message for reason in reasons]
        else:
            self._show(reasons)
        return cleaned

    def _only_the_step_fails(self, reasons) -> bool:
        """Whether the edit can be kept and the step alone refused: the step fails only on
        content or time (not on who or on the state), and the article is not Published,
        where saved content is read by readers (now, or at its publication time)."""
        return (
            self.step is not None
            and bool(reasons)
            and all(reason.kind in ("content", "time") for reason in reasons)
            and self.instance.status != Article.Status.PUBLISHED
        )

    def _show(self, reasons):
        """Field problems next to their field, the rest at the top, each sentence once."""
        shown = {message for errors in self.errors.values() for message in errors}
        on_top = []
        for reason in reasons:
            if reason.message in shown:
                continue
            shown.add(reason.message)
            if reason.field in self.fields:
                self.add_error(reason.field, reason.message)
            else:
                on_top.append(ValidationError(reason.message))
        if on_top:
            raise ValidationError(on_top)

    def _check_expiry(self):
        published_at = self.step_at or self._value("published_at")
        problem = checklist.expiry_problem(published_at, self._value("expires_at"))
        if problem:
            self.add_error("expires_at" if "expires_at" in self.fields else None, problem)

    def _refuse_stale_edit(self, expected):
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values("version", "modified_at")
            .first()
        )
        if current and expected != current["version"]:
            # The save that moved the version on: the row's, or a later one of its
            # unpublished changes (a colleague's save or autosave), named when known.
            saved_at, saved_by = current["modified_at"], None
            staged = (
                StagedEdit.objects.filter(article_id=self.instance.pk)
                .select_related("saved_by")
                .first()
            )
            if staged is not None and staged.saved_at > saved_at:
                saved_at, saved_by = staged.saved_at, staging.person_name(staged.saved_by)
            raise stale_edit_error("article", saved_at, by=saved_by)

    def _value(self, name):
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name)

    def _draft(self) -> checklist.Draft:
        """The article as it would be saved: this form's values and the posted rows."""
        author = self._value("author")
        if not self.child_formsets and self.instance.pk:
            draft = checklist.draft_from_article(self.instance)
        else:
            draft = checklist.Draft()
        draft.title = self._value("title") or ""
        draft.slug = self._value("slug") or ""
        draft.author_id = author.pk if author else None
        draft.body = self._value("body") or ""
        draft.has_hero_image = bool(self._value("hero_image"))
        draft.hero_alt = self._value("hero_alt") or ""
        draft.meta_description = self._value("meta_description") or ""
        draft.published_at = self.step_at or self._value("published_at")
        draft.expires_at = self._value("expires_at")
        for model, rows in self._posted_rows():
            if model is TldrBullet:
                draft.tldr = [row.get("text") or "" for row in rows]
            elif model is FaqEntry:
                draft.faq = [(row.get("question") or "", row.get("answer") or "") for row in rows]
            elif model is Source:
                draft.source_urls = [row.get("url") or "" for row in rows]
        return draft

    def _posted_formsets(self):
        if self._child_forms is None:
            self._child_forms = [
                make_formset(data=self.data, files=self.files, instance=self.instance)
                for make_formset in self.child_formsets
            ]
        return self._child_forms

    def _posted_rows(self):
        for formset in self._posted_formsets():
            yield formset.model, list(_kept_rows(formset))

    # The live checklist, and the refused step's message -----------------------------------

    def publishing_problems(self, *, hero_chosen: bool = False) -> list[str]:
        """What stands between this form, as it is now, and publishing: the pre-publish
        checklist's sentences, then every other problem the form would show on saving (a
        field's, a row's), each once.  Call after ``is_valid()``.

        ``hero_chosen``: a hero picture is chosen but not sent (the live check leaves files
        out).
        """
        draft = self._draft()
        draft.has_hero_image = draft.has_hero_image or hero_chosen
        found = checklist.problems(draft)
        for sentence in self._error_sentences():
            if sentence not in found:
                found.append(sentence)
        return found

    def _error_sentences(self):
        for name, errors in self.errors.as_data().items():
            field = self.fields.get(name)
            for error in errors:
                if error.code == "required":
                    continue  # the checklist names each required field ("Add a headline.")
                for message in error:
                    if field is None or field.widget.is_hidden:
                        yield message
                    else:
                        yield f"{field.label}: {message}"
        for formset in self._posted_formsets():
            part = formset.model._meta.verbose_name
            part = part[:1].upper() + part[1:]
            yield from formset.non_form_errors()
            said = _SAID_BY_CHECKLIST.get(formset.model, set())
            for number, form in enumerate(_in_page_order(formset), start=1):
                shown = [n for n, f in form.fields.items() if not f.widget.is_hidden]
                for name, errors in form.errors.as_data().items():
                    where = f"{part} {number}"
                    if len(shown) > 2 and name in form.fields:  # the row's fields and Delete
                        where += f", {form.fields[name].label}"
                    for error in errors:
                        if error.code == "required" and name in said:
                            continue
                        for message in error:
                            yield f"{where}: {message}"

    def refused_step_lines(self, problems: list[str]) -> list[str]:
        """The messages after a save whose step was refused: what happened, then each problem
        (the form's own list when it has one: it also judged the content)."""
        problems = self.step_problems or problems
        step = transitions.STEPS.get(self.step)
        label = step.button.label if step and step.button else "this step"
        outcome = {
            "publish": "the article was not published",
            "schedule": "the article was not scheduled",
        }.get(self.step, f"“{label}” was refused")
        count = "this" if len(problems) == 1 else f"these {len(problems)} things"
        return [f"Your changes are saved, but {outcome}. Fix {count}, then try again:", *problems]
