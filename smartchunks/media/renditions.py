"""Responsive renditions of hero images and author photos, made with easy-thumbnails.

Each image gets one rendition per alias of its kind (settings.THUMBNAIL_ALIASES, e.g.
``hero-480``), once in WebP and once in JPEG (PNG when the picture is transparent) for
browsers without WebP.  They are made the first time a page needs them and then found by
name on disk: easy-thumbnails' database cache is not used, so a page costs the same
number of SQL queries whether or not it shows images.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from easy_thumbnails.alias import aliases
from easy_thumbnails.exceptions import EasyThumbnailsError
from easy_thumbnails.files import Thumbnailer
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


def responsive_image(fieldfile, kind: str) -> ResponsiveImage | None:
    """The renditions of an uploaded image, or None when there is no usable image.

    Stored names are random and never reused for other content, so a result can be kept
    for the life of the process.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown image kind {kind!r}; expected one of {KINDS}.")
    name = getattr(fieldfile, "name", None)
    if not name:
        return None
    key = (name, kind)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    try:
        result = _make(name, kind)
    except (OSError, UnidentifiedImageError, EasyThumbnailsError, ValueError):
        return None
    with _cache_lock:
        _cache[key] = result
    return result


def _alias_options(kind: str) -> list[dict]:
    matching = [
        (options["size"][0], options)
        for alias_name, options in aliases.all(include_global=True).items()
        if alias_name.startswith(f"{kind}-")
    ]
    return [options for _width, options in sorted(matching, key=lambda pair: pair[0])]


def _thumbnailer(name: str, extension: str, transparency_extension: str) -> Thumbnailer:
    thumbnailer = Thumbnailer(
        name=name, source_storage=default_storage, thumbnail_storage=default_storage
    )
    thumbnailer.thumbnail_extension = extension
    thumbnailer.thumbnail_transparency_extension = transparency_extension
    thumbnailer.thumbnail_preserve_extensions = None
    return thumbnailer


def _rendition(thumbnailer: Thumbnailer, options: dict) -> Rendition:
    for transparent in (False, True):
        existing = thumbnailer.get_thumbnail_name(options, transparent=transparent)
        if default_storage.exists(existing):
            with default_storage.open(existing) as handle, Image.open(handle) as image:
                width, height = image.size
            return Rendition(default_storage.url(existing), width, height)
    thumbnail = thumbnailer.generate_thumbnail(options)
    width, height = thumbnail.image.size
    saved_name = default_storage.save(thumbnail.name, RenditionContent(thumbnail.read()))
    return Rendition(default_storage.url(saved_name), width, height)


def _unique_widths(renditions: list[Rendition]) -> tuple[Rendition, ...]:
    # A source narrower than an alias is not upscaled, so two aliases can give one width.
    by_width = {r.width: r for r in renditions}
    return tuple(by_width[width] for width in sorted(by_width))


def _make(name: str, kind: str) -> ResponsiveImage:
    options_list = _alias_options(kind)
    webp = _thumbnailer(name, "webp", "webp")
    fallback = _thumbnailer(name, "jpg", "png")
    fallback_renditions = _unique_widths([_rendition(fallback, o) for o in options_list])
    webp_renditions = _unique_widths([_rendition(webp, o) for o in options_list])
    fallback_type = "image/png" if fallback_renditions[-1].url.endswith(".png") else "image/jpeg"
    return ResponsiveImage(webp_renditions, fallback_renditions, fallback_type)
