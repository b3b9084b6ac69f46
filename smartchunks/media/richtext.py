"""Rich text is cleaned with nh3 on every save, whatever the admin was sent.

The allowlist matches the CKEditor toolbar (settings.CKEDITOR_CONFIGS): paragraphs, h2/h3,
bold/italic, lists, quotes, links and images.  Scripts, event handlers, styles and
``javascript:`` URLs never reach a page.
"""

import nh3
from ckeditor.fields import RichTextField
from ckeditor_uploader.fields import RichTextUploadingField

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "strong",
    "b",
    "em",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "img",
    "figure",
    "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(value: str | None) -> str:
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


class CleanedOnSaveMixin:
    def pre_save(self, model_instance, add):
        value = clean_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class CleanRichTextField(CleanedOnSaveMixin, RichTextField):
    """Rich text without uploads (bios, FAQ answers), cleaned on save."""


class CleanRichTextUploadingField(CleanedOnSaveMixin, RichTextUploadingField):
    """Rich text with image upload (article bodies), cleaned on save."""
