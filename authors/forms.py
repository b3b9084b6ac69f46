"""The author profile form, and the refusal of a stale edit that the article form shares."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from authors.models import Author


def stale_edit_error(thing: str, saved_at=None, *, by: str | None = None) -> forms.ValidationError:
    """The error for a save made from a form opened before someone else's save.

    Nothing is overwritten and the editor's text stays in the form, so the message says
    exactly that and how to go on.
    """
    when = f" at {date_format(timezone.localtime(saved_at), 'DATETIME_FORMAT')}" if saved_at else ""
    return forms.ValidationError(
        f"{by or 'Someone else'} saved this {thing}{when} while you were editing it, so your changes "
        "have NOT been saved (nothing was overwritten). Your text is still in the form "
        f"below: copy what you need, open the {thing} again to see the latest version, and "
        "reapply your changes there.",
        code="conflict",
    )


class AuthorAdminForm(forms.ModelForm):
    # The profile as it was when the form opened: a save over a newer one is refused, so a
    # writer and an admin editing the same profile never silently overwrite each other.
    expected_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Author
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
                raise stale_edit_error("profile")
        return cleaned
