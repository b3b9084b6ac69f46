"""Rich text is cleaned with nh3 on every save, whatever the admin was sent.

The allowlist matches the CKEditor toolbar (settings.CKEDITOR_CONFIGS): paragraphs, h2/h3,
bold/italic, lists, quotes, links, images and citation markers (a ``<sup class="cite">``
around a link to a source, smartchunks/media/citation_markers.py; no other ``<sup>``).  Scripts, event handlers, styles and
``javascript:`` URLs never reach a page.  An image keeps its width and height only as whole
pixels, and on save gets them from its stored file (smartchunks/media/body_images.py).

Cleaning removes markup, never the editor's words: a form whose rich text would lose text
when cleaned is refused with the words it would lose (``refuse_lost_text``), and the
editor's input stays in the form.
"""

import nh3
from ckeditor.fields import RichTextField
from ckeditor_uploader.fields import RichTextUploadingField
from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from smartchunks.media.body_images import images_without_alt, with_image_sizes
from smartchunks.media.citation_markers import MARKER_CLASS, keep_only_markers
from smartchunks.media.lost_text import lost_passage

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
    "sup",  # citation markers only: keep_only_markers unwraps every other one
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "sup": {"class"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Image sizes in whole pixels: CKEditor's "50%" or "120px" would mean nothing as attributes.
PIXEL_ATTRIBUTES = {"width", "height"}
MAX_PIXELS = 100_000


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name in PIXEL_ATTRIBUTES:
        value = value.strip()
        if not (value.isascii() and value.isdigit() and 0 < int(value) <= MAX_PIXELS):
            return None
        return str(int(value))
    if tag == "sup":
        return value if value == MARKER_CLASS else None
    return value


def clean_html(value: str | None) -> str:
    if not value:
        return ""
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_keep_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return keep_only_markers(cleaned).strip()


EXCERPT_WORDS = 12


def refuse_lost_text(value: str | None) -> None:
    """Refuse rich text that cleaning would cut short, quoting what would be lost."""
    if not value:
        return
    lost = lost_passage(value, clean_html(value), frozenset(ALLOWED_TAGS))
    if not lost:
        return
    excerpt = Truncator(lost).words(EXCERPT_WORDS, truncate="…")
    raise ValidationError(
        f"Saving this would lose text, starting with “{excerpt}”, because something in the "
        "HTML (often an unclosed <title>, <textarea>, <script>, <style>, <xmp> or <!-- "
        "comment) hides it from the cleaner. Nothing has been saved and your text is still "
        "below: check it (the Source button shows the HTML), remove any such tag and save "
        "again.",
        code="lost_text",
    )


def refuse_images_without_alt(value: str | None) -> None:
    """Refuse rich text with an image that has no alt text, naming each such image.

    Judged on the cleaned HTML, i.e. on the images that would be saved.
    """
    if not value or "<img" not in value.lower():
        return
    unlabelled = images_without_alt(clean_html(value))
    if not unlabelled:
        return
    which = ", ".join(str(image) for image in unlabelled)
    has = "has" if len(unlabelled) == 1 else "have"
    raise ValidationError(
        f"Describe every image in its alt text: {which} {has} none. Readers who cannot see an "
        "image (screen readers, images that fail to load) get this text instead. Double-click "
        "the image in the editor and fill in “Alternative Text”, then save again. Nothing has "
        "been saved and your text is still below.",
        code="image_without_alt",
    )


class CleanedOnSaveMixin:
    # Checked by every ModelForm (the admin's article, FAQ and author forms) before saving.
    default_validators = [refuse_lost_text, refuse_images_without_alt]

    def pre_save(self, model_instance, add):
        value = with_image_sizes(clean_html(getattr(model_instance, self.attname)))
        setattr(model_instance, self.attname, value)
        return value


class CleanRichTextField(CleanedOnSaveMixin, RichTextField):
    """Rich text without uploads (bios, FAQ answers), cleaned on save."""


class CleanRichTextUploadingField(CleanedOnSaveMixin, RichTextUploadingField):
    """Rich text with image upload (article bodies), cleaned on save."""
