"""The article's ordered parts in the admin form: TL;DR bullets, FAQ entries, sources and
corrections.

Each part is ordered by dragging its rows (django-admin-sortable2 keeps ``position`` in a
hidden input).  The library lets only saved rows be dragged; writers order their TL;DR
before the first save, so the rows of our template (ordered_inline.html) are all draggable,
and static/js/admin-article-form.js numbers every row from the page before the form is sent.
"""

from adminsortable2.admin import SortableStackedInline
from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Correction, FaqEntry, Source, TldrBullet
from articles.models.corrections import EXAMPLE, TEXT_LIMIT
from articles.workflow import corrections, transitions


class FollowsArticlePermissionMixin:
    """Inline rows are editable exactly when the article is."""

    def _article_editable(self, request, obj):
        return obj is None or transitions.may(request.user, obj, "edit")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._article_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._article_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._article_editable(request, obj)


class OrderedRowForm(forms.ModelForm):
    """One row of an ordered part.

    Every row's place is numbered when the form is sent, empty rows too: a new row whose only
    change is its place is still an empty row, and is skipped like one.
    """

    def has_changed(self):
        if self.instance.pk is None:
            return bool(set(self.changed_data) - {"position"})
        return super().has_changed()

    def clean_position(self):
        # A crafted empty place keeps the row where it was (a new row goes last on save).
        position = self.cleaned_data.get("position")
        return self.instance.position if position is None else position


class OrderedPartInline(FollowsArticlePermissionMixin, SortableStackedInline):
    template = "admin/articles/article/ordered_inline.html"
    form = OrderedRowForm
    # "compact": the row's handle beside its fields (one short field), instead of above them.
    layout = "stacked"

    def shown_for(self, article) -> bool:
        """Whether the form of ``article`` (None: a new one) shows this part."""
        return True


class TldrBulletForm(OrderedRowForm):
    class Meta:
        labels = {"text": "Bullet"}
        widgets = {
            "text": forms.Textarea(
                attrs={"rows": 2, "data-count-limit": TldrBullet._meta.get_field("text").max_length}
            )
        }


class TldrBulletInline(OrderedPartInline):
    model = TldrBullet
    form = TldrBulletForm
    fields = ["text"]
    extra = 3
    max_num = 5
    layout = "compact"
    verbose_name_plural = "TL;DR (3 to 5 bullets to publish)"


class FaqEntryInline(OrderedPartInline):
    model = FaqEntry
    fields = ["question", "answer"]
    extra = 1
    verbose_name_plural = "FAQ"


class SourceForm(OrderedRowForm):
    class Meta:
        # A plain address box: the admin's "Currently: <link> Change:" widget doubled the row.
        widgets = {"url": forms.URLInput}


class SourceInline(OrderedPartInline):
    model = Source
    form = SourceForm
    fields = ["name", "url", "note"]
    extra = 1
    layout = "compact"


# Shorter than this cannot say both what was wrong and what is right.
CORRECTION_MINIMUM = 20


class CorrectionForm(OrderedRowForm):
    """A correction, as its row is posted.  Writers may propose one: on their live article it
    is staged with their edit, and only an editor's "Publish changes" puts it before readers
    (the rulebook's publish_changes), so the publication's statement of its error is always
    an editor's.  New corrections only on a published article (corrections.may_add_to)."""

    class Meta:
        labels = {"text": "Correction"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "data-count-limit": TEXT_LIMIT})}

    def clean_text(self):
        text = " ".join((self.cleaned_data.get("text") or "").split())
        if text and len(text) < CORRECTION_MINIMUM:
            raise forms.ValidationError(
                f"Say what was wrong and what is right, in a sentence or two, e.g. “{EXAMPLE}”",
                code="too_short",
            )
        return text

    def clean(self):
        cleaned = super().clean()
        article = getattr(self.instance, "article", None)
        adding = self.instance.pk is None and self.has_changed() and not cleaned.get("DELETE")
        if adding and not corrections.may_add_to(article):
            raise forms.ValidationError(corrections.NOT_LIVE, code="not_live")
        return cleaned


class CorrectionInline(OrderedPartInline):
    model = Correction
    form = CorrectionForm
    fields = ["text", "published"]
    readonly_fields = ["published"]
    extra = 0
    verbose_name_plural = "Corrections (dated when published; shown under the byline)"

    def shown_for(self, article) -> bool:
        """Where a correction can be added (a published article) or where there are some (an
        article taken down keeps its record): a draft's form has no place for one."""
        return corrections.may_add_to(article) or (
            article is not None and article.pk is not None and article.corrections.exists()
        )

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and corrections.may_add_to(obj)

    @admin.display(description="Published")
    def published(self, correction):
        # A new row's default time would read as a date it already has: it has none yet.
        if correction is None or correction.pk is None:
            return "Dated when it is first published"
        return date_format(timezone.localtime(correction.published_at), "DATETIME_FORMAT")
