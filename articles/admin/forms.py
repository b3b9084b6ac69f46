"""The article admin form: conflict detection, workflow buttons and the pre-publish checklist.

Everything is checked before anything is saved, so a refused save shows the editor's own
text back with every problem listed at once.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article, FaqEntry, Source, TldrBullet
from articles.workflow import checklist, permissions

# The submit buttons the article admin offers, by the POST name each one sends.
WORKFLOW_ACTIONS = {
    "_submit_review": "submit",
    "_publish": "publish",
    "_schedule": "schedule",
    "_unpublish": "unpublish",
}


def workflow_action(request) -> str | None:
    for name, action in WORKFLOW_ACTIONS.items():
        if name in request.POST:
            return action
    return None


def _kept_rows(formset):
    formset.is_valid()
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if data and not data.get("DELETE"):
            yield data


EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def _within_sensible_years(value):
    """Refuse years no article lives in.  Near year 1 or 9999, converting the local time to
    UTC (in a time zone east or west of London) leaves PostgreSQL's range: a server error."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            f"Enter a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.", code="year"
        )
    return value


class ArticleAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Set by ArticleAdmin.get_form: who is saving, and the inline formsets of the same POST.
    request = None
    workflow_action = None
    workflow_at = None

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        instance = self.instance
        if instance.pk:
            self._refuse_stale_edit(cleaned.get("expected_version"))
        self.workflow_action, self.workflow_at = self._requested_action()
        if "status" in cleaned:
            # A chosen status is applied after the save by the workflow services (checks,
            # revision, audit entry); until then the article keeps the status it has.
            cleaned["status"] = self.instance.status
        action = self.workflow_action
        self._check_action_allowed(action)
        self._check_times(action)
        live_edit = instance.status == Article.Status.PUBLISHED and action not in (
            "unpublish",
            "return_to_draft",
        )
        if action in ("publish", "schedule") or live_edit:
            problems = checklist.problems(self._draft())
            if problems:
                raise ValidationError([ValidationError(problem) for problem in problems])
        return cleaned

    def _requested_action(self):
        """The workflow step asked for: a button, or (for editors) a new status chosen."""
        published_at = self._value("published_at")
        action = workflow_action(self.request) if self.request else None
        if action == "publish":
            return action, timezone.now()
        if action == "schedule":
            return action, published_at
        if action or "status" not in self.fields or "status" not in self.changed_data:
            return action, None
        status = self.cleaned_data.get("status")
        if status == Article.Status.PUBLISHED:
            if published_at and published_at > timezone.now():
                return "schedule", published_at
            return "publish", published_at or timezone.now()
        return {
            Article.Status.IN_REVIEW: ("submit", None),
            Article.Status.UNPUBLISHED: ("unpublish", None),
            Article.Status.DRAFT: ("return_to_draft", None),
        }.get(status, (None, None))

    def _refuse_stale_edit(self, expected):
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values("version", "modified_at")
            .first()
        )
        if current and expected != current["version"]:
            saved_at = date_format(timezone.localtime(current["modified_at"]), "DATETIME_FORMAT")
            raise ValidationError(
                "Someone else saved this article at %(when)s while you were editing it, so "
                "your changes have NOT been saved (nothing was overwritten). Your text is "
                "still in the form below: copy what you need, open the article again to see "
                "the latest version, and reapply your changes there.",
                code="conflict",
                params={"when": saved_at},
            )

    def _check_action_allowed(self, action):
        user = self.request.user if self.request else None
        if action is None or user is None:
            return
        status = self.instance.status
        if action == "submit":
            if self.instance.pk and status != Article.Status.DRAFT:
                raise ValidationError("Only drafts can be submitted for review.")
        elif not permissions.can_publish(user):
            raise ValidationError(
                "Only editors can publish, schedule, unpublish or move articles back to "
                "draft. Submit the article for review and an editor will take it from there."
            )
        elif action == "publish" and self.instance.is_published:
            raise ValidationError("This article is already live: use Save to update it.")
        elif action == "unpublish" and status != Article.Status.PUBLISHED:
            raise ValidationError("Only published or scheduled articles can be unpublished.")

    def _check_times(self, action):
        published_at = self._value("published_at")
        expires_at = self._value("expires_at")
        if action == "schedule" and (published_at is None or published_at <= timezone.now()):
            self.add_error(
                "published_at" if "published_at" in self.fields else None,
                "To schedule, set a publication time in the future.",
            )
        if (
            self.instance.status == Article.Status.PUBLISHED
            and action is None
            and published_at is None
        ):
            self.add_error(
                "published_at" if "published_at" in self.fields else None,
                "A published article needs a publication time. To take it off the site, "
                "use Unpublish.",
            )
        if action in ("publish", "schedule"):
            published_at = self.workflow_at
        if published_at and expires_at and expires_at <= published_at:
            self.add_error(
                "expires_at" if "expires_at" in self.fields else None,
                "Set the expiry after the publication time, or clear it.",
            )

    def _value(self, name):
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name)

    def _draft(self) -> checklist.Draft:
        author = self._value("author")
        hero = self._value("hero_image")
        published_at = self.workflow_at or self._value("published_at")
        draft = checklist.Draft(
            title=self._value("title") or "",
            slug=self._value("slug") or "",
            author_id=author.pk if author else None,
            body=self._value("body") or "",
            has_hero_image=bool(hero),
            hero_alt=self._value("hero_alt") or "",
            meta_description=self._value("meta_description") or "",
            published_at=published_at,
            expires_at=self._value("expires_at"),
        )
        formsets = getattr(self.request, "article_formsets", None) if self.request else None
        if formsets is None:
            return checklist.draft_from_article(self.instance) if self.instance.pk else draft
        for formset in formsets:
            rows = list(_kept_rows(formset))
            if formset.model is TldrBullet:
                draft.tldr = [row.get("text") or "" for row in rows]
            elif formset.model is FaqEntry:
                draft.faq = [(row.get("question") or "", row.get("answer") or "") for row in rows]
            elif formset.model is Source:
                draft.source_urls = [row.get("url") or "" for row in rows]
        return draft
