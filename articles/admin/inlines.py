"""The article's ordered parts in the admin form: TL;DR bullets, FAQ entries, sources.

Each part is ordered by dragging its rows (django-admin-sortable2 keeps ``position`` in a
hidden input).  The library lets only saved rows be dragged; writers order their TL;DR
before the first save, so the rows of our template (ordered_inline.html) are all draggable,
and static/js/admin-article-form.js numbers every row from the page before the form is sent.
"""

from adminsortable2.admin import SortableStackedInline
from django import forms

from articles.models import FaqEntry, Source, TldrBullet
from articles.workflow import transitions


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
