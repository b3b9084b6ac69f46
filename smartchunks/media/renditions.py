"""Responsive renditions of hero images and author photos, made with easy-thumbnails.

Each image gets one rendition per alias of its kind (settings.THUMBNAIL_ALIASES, e.g.
``hero-480``), once in WebP and once in JPEG (PNG when the picture is transparent) for
browsers without WebP.  They are made when the image is saved (``make_renditions``: the
workflow's save of an article, the author admin, ``manage.py make_renditions`` for images
saved before), never in a reader's request: a 6000×6000 hero takes seconds to scale.  Pages
find them by name on disk (easy-thumbnails' database cache is not used, so a page costs the
same number of SQL queries whether or not it shows images); when they are missing, the page
shows the original image rather than making them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from easy_thumbnails.alias import aliases
from easy_thumbnails.exceptions import EasyThumbnailsError
from PIL import Image, UnidentifiedImageError

KINDS = ("hero", "author")
# The hero fills the text column (42rem less padding), or the screen less 2rem on phones.
HERO_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"


class RenditionContent(ContentFile):
    """Pixels Pillow has just drawn: no metadata to strip (see smartchunks/media/storage.py)."""

    metadata_free = True


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class ResponsiveImage:
    webp: tuple[Rendition, ...]
    fallback: tuple[Rendition, ...]
    fallback_type: str

    @property
    def largest(self) -> Rendition:
        return self.fallback[-1]

    @property
    def webp_srcset(self) -> str:
        return _srcset(self.webp)

    @property
    def fallback_srcset(self) -> str:
        return _srcset(self.fallback)


def _srcset(renditions) -> str:
    return ", ".join(f"{r.url} {r.width}w" for r in renditions)


_cache: dict[tuple[str, str], ResponsiveImage] = {}
_cache_lock = threading.Lock()


class MissingRendition(Exception):
    """A rendition that was never made (the image was saved before renditions were made
    at save, or its making failed)."""


_IMAGE_ERRORS = (OSError, UnidentifiedImageError, EasyThumbnailsError, ValueError)


def responsive_image(fieldfile, kind: str) -> ResponsiveImage | None:
    """The renditions of an uploaded image, or None when there is no usable image.

    Reads only: a missing rendition is not made here; the original stands in for them all
    (``manage.py make_renditions`` makes them).  Stored names are random and never reused
    for other content, so a complete result can be kept for the life of the process.
    """
    name = _name(fieldfile, kind)
    if not name:
        return None
    cached = _cache.get((name, kind))
    if cached is not None:
        return cached
    try:
        result = _make(name, kind, create=False)
    except MissingRendition:
        return _original(name)
    except _IMAGE_ERRORS:
        return None
    _remember(name, kind, result)
    return result


def make_renditions(fieldfile, kind: str) -> ResponsiveImage | None:
    """Make every rendition of a just-saved image that does not exist yet (None: no usable
    image).  Called where images are saved, so no reader's request waits for them."""
    name = _name(fieldfile, kind)
    if not name:
        return None
    try:
        result = _make(name, kind, create=True)
    except _IMAGE_ERRORS:
        return None
    _remember(name, kind, result)
    return result


def _name(fieldfile, kind: str) -> str | None:
    if kind not in KINDS:
        raise ValueError(f"Unknown image kind {kind!r}; expected one of {KINDS}.")
    return getattr(fieldfile, "name", None) or None


def _remember(name: str, kind: str, result: ResponsiveImage) -> None:
    with _cache_lock:
        _cache[(name, kind)] = result


def _original(name: str) -> ResponsiveImage | None:
    """The stored image itself, as the one size there is (no WebP version)."""
    try:
        with default_storage.open(name) as handle, Image.open(handle) as image:
            width, height = image.size
            mime_type = Image.MIME.get(image.format or "", "image/jpeg")
    except _IMAGE_ERRORS:
        return None
    original = (Rendition(default_storage.url(name), width, height),)
    return ResponsiveImage(webp=(), fallback=original, fallback_type=mime_type)


def _alias_options(kind: str) -> list[dict]:
    matching = [
        (options["size"][0], options)
        for alias_name, options in aliases.all(include_global=True).items()
        if alias_name.startswith(f"{kind}-")
    ]
    return [options for _width, options in sorted(matching, key=lambda pair: pair[0])]


def _thumbnailer(name: str, extension: str, transparency_extension: str):
    # Imported here: easy_thumbnails.files reads the storage settings when imported, and this
    # module is imported at start-up (the author admin), before tests adjust those settings.
    from easy_thumbnails.files import Thumbnailer

    thumbnailer = Thumbnailer(
        name=name, source_storage=default_storage, thumbnail_storage=default_storage
    )
    thumbnailer.thumbnail_extension = extension
    thumbnailer.thumbnail_transparency_extension = transparency_extension
    thumbnailer.thumbnail_preserve_extensions = None
    return thumbnailer


def _rendition(thumbnailer, options: dict, *, create: bool) -> Rendition:
    for transparent in (False, True):
        existing = thumbnailer.get_thumbnail_name(options, transparent=transparent)
        if default_storage.exists(existing):
            with default_storage.open(existing) as handle, Image.open(handle) as image:
                width, height = image.size
            return Rendition(default_storage.url(existing), width, height)
    if not create:
        raise MissingRendition(thumbnailer.name)
    thumbnail = thumbnailer.generate_thumbnail(options)
    width, height = thumbnail.image.size
    saved_name = default_storage.save(thumbnail.name, RenditionContent(thumbnail.read()))
    return Rendition(default_storage.url(saved_name), width, height)


def _unique_widths(renditions: list[Rendition]) -> tuple[Rendition, ...]:
    # A source narrower than an alias is not upscaled, so two aliases can give one width.
    by_width = {r.width: r for r in renditions}
    return tuple(by_width[width] for width in sorted(by_width))


def _make(name: str, kind: str, *, create: bool) -> ResponsiveImage:
    options_list = _alias_options(kind)
    webp = _thumbnailer(name, "webp", "webp")
    fallback = _thumbnailer(name, "jpg", "png")
    fallback_renditions = _unique_widths(
        [_rendition(fallback, o, create=create) for o in options_list]
    )
    webp_renditions = _unique_widths([_rendition(webp, o, create=create) for o in options_list])
    fallback_type = "image/png" if fallback_renditions[-1].url.endswith(".png") else "image/jpeg"
    return ResponsiveImage(webp_renditions, fallback_renditions, fallback_type)
