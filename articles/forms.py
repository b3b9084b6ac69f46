from django import forms
from django.core.exceptions import ValidationError

from articles.models import Article

TLDR_MIN, TLDR_MAX = 3, 5


class TldrInlineFormSet(forms.BaseInlineFormSet):
    """Publishing needs 3 to 5 TL;DR bullets (counted after deletions in the same save)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("text")
        ]
        if self.instance.status == Article.Status.PUBLISHED and not (
            TLDR_MIN <= len(kept) <= TLDR_MAX
        ):
            raise ValidationError(
                f"Publishing needs {TLDR_MIN} to {TLDR_MAX} TL;DR bullets; "
                f"this article has {len(kept)}."
            )
