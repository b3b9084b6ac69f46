"""Images in rich text: which lack alt text, and the width and height each one is saved with.

Both work on HTML as the cleaner writes it (``richtext.clean_html``): every attribute value
double-quoted, with ``<``, ``>``, ``&`` and ``"`` escaped, so an ``<img ...>`` tag is exactly
what ``_IMG_TAG`` matches.

Width and height let the browser keep each image's place before it loads (with the CSS
``max-width: 100%; height: auto`` the image still shrinks to the column).  An image of ours
(a URL below MEDIA_URL) is saved with its stored file's proportions: an editor's smaller
size in those proportions is kept, anything else is replaced by the file's own size.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from django.core.files.storage import default_storage
from PIL import Image

from smartchunks.media.media_paths import name_of_url

logger = logging.getLogger(__name__)

_IMG_TAG = re.compile(r"<img\b[^>]*>")
# EXIF orientations that turn the picture a quarter: browsers show it with width and height
# swapped.  (Stored uploads are turned upright already, smartchunks/media/storage.py.)
_QUARTER_TURNS = {5, 6, 7, 8}
_ORIENTATION = 0x0112

Size = tuple[int, int]


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.found = attrs

    handle_startendtag = handle_starttag


def _attributes(tag: str) -> dict[str, str]:
    parser = _Attributes()
    parser.feed(tag)
    parser.close()
    return {name: value or "" for name, value in parser.found}


def _escaped(value: str) -> str:
    """An attribute value escaped as the cleaner escapes it, so saving twice changes nothing."""
    for character, reference in (("&", "&amp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;")):
        value = value.replace(character, reference)
    return value


_FIRST = ("src", "alt", "width", "height")


def _tag(attributes: dict[str, str]) -> str:
    ordered = {name: attributes[name] for name in _FIRST if name in attributes} | attributes
    pairs = "".join(f' {name}="{_escaped(value)}"' for name, value in ordered.items())
    return f"<img{pairs}>"


# Alt text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unlabelled:
    """An image without alt text: its place among the images, and its file's name."""

    number: int
    file_name: str

    def __str__(self):
        return (
            f"image {self.number} ({self.file_name})" if self.file_name else f"image {self.number}"
        )


def _file_name(src: str) -> str:
    try:
        path = urlsplit(src.strip()).path
    except ValueError:
        path = src
    return unquote(path.rstrip("/").rpartition("/")[2])[:80]


def images_without_alt(cleaned_html: str) -> list[Unlabelled]:
    """The images readers who cannot see them would learn nothing about (no or blank alt)."""
    found = []
    for number, match in enumerate(_IMG_TAG.finditer(cleaned_html), start=1):
        attributes = _attributes(match.group())
        if not attributes.get("alt", "").strip():
            found.append(Unlabelled(number, _file_name(attributes.get("src", ""))))
    return found


# Width and height -----------------------------------------------------------------------


def stored_size(name: str) -> Size | None:
    """The stored image's size as browsers show it, from its header alone; None if unreadable.

    Pillow's ``open`` reads the header and decodes no pixels until asked to.
    """
    try:
        with default_storage.open(name) as stored, Image.open(stored) as image:
            width, height = image.size
            if image.getexif().get(_ORIENTATION) in _QUARTER_TURNS:
                width, height = height, width
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        # A missing or broken file: the image keeps the size it was given.
        logger.info("No size for stored image %r: %s", name, error)
        return None
    return (width, height) if width > 0 and height > 0 else None


def _pixels(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and int(value) else None


def fitting_size(given_width: str | None, given_height: str | None, stored: Size) -> Size:
    """The width and height an image of ``stored`` size is saved with.

    Kept: a width and height no larger than the file, in its proportions (to the pixel the
    editor's ratio lock rounds to).  Completed: a single width or height no larger than the
    file gets the other from the file's proportions.  Anything else (nothing, a size in
    other proportions, or a larger one) becomes the file's own size.
    """
    stored_width, stored_height = stored
    width, height = _pixels(given_width), _pixels(given_height)
    if width and width > stored_width or height and height > stored_height:
        return stored
    if width and not height:
        return width, max(1, round(width * stored_height / stored_width))
    if height and not width:
        return max(1, round(height * stored_width / stored_height)), height
    if width and height and abs(height - width * stored_height / stored_width) <= 1:
        return width, height
    return stored


def with_image_sizes(cleaned_html: str) -> str:
    """``cleaned_html`` with every image of ours given its width and height (fitting_size).

    Images from elsewhere, and ours whose file cannot be read, are left as they are.
    """
    if "<img" not in cleaned_html:
        return cleaned_html
    sizes: dict[str, Size | None] = {}

    def sized(match) -> str:
        attributes = _attributes(match.group())
        name = name_of_url(attributes.get("src", ""))
        if name is None:
            return match.group()
        if name not in sizes:
            sizes[name] = stored_size(name)
        if sizes[name] is None:
            return match.group()
        width, height = fitting_size(attributes.get("width"), attributes.get("height"), sizes[name])
        attributes.update(width=str(width), height=str(height))
        return _tag(attributes)

    return _IMG_TAG.sub(sized, cleaned_html)
