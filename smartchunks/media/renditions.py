"""Responsive renditions of hero images and author photos, named and encoded by easy-thumbnails.

Each image gets one rendition per alias of its kind (settings.THUMBNAIL_ALIASES, e.g.
``hero-480``), once in WebP and once in JPEG (PNG when the picture is transparent) for
browsers without WebP.  They are made when the image is saved, never in a reader's request,
and after the save has committed (``make_renditions_after_commit``: the workflow's save of
an article, the author admin), or by ``manage.py make_renditions`` for images saved before.
Every rendition of an image is drawn from one decoding of its original (``_Source``).  Pages
find them by name on disk (easy-thumbnails' database cache is not used, so a page costs the
same number of SQL queries whether or not it shows images); while any is missing, the page
shows the original image rather than making them.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.dispatch import Signal
from easy_thumbnails import engine, utils
from easy_thumbnails.alias import aliases
from easy_thumbnails.exceptions import EasyThumbnailsError
from easy_thumbnails.processors import colorspace
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

KINDS = ("hero", "author")
# The hero fills the text column (42rem less padding), or the screen less 2rem on phones.
HERO_SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
# Each rendition is resampled from a copy at least this many times its size (Pillow's
# reducing_gap, as its thumbnail() uses): measured at 54-56 dB PSNR against resampling the
# full 6000×6000 original, no difference to the eye.
REDUCING_GAP = 2.0
EXIF_ORIENTATION = 0x0112

# Sent (name=, kind=) once new renditions of an image are stored: a page rendered while
# they were missing shows the original (articles/workflow/invalidation.py renews those).
renditions_made = Signal()


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
    at save, its making failed, or it is being made right now)."""


_IMAGE_ERRORS = (
    OSError,
    UnidentifiedImageError,
    EasyThumbnailsError,
    ValueError,
    Image.DecompressionBombError,
)


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
        result, _made = _make(name, kind, create=False)
    except MissingRendition:
        return _original(name)
    except _IMAGE_ERRORS:
        return None
    _remember(name, kind, result)
    return result


def make_renditions(fieldfile, kind: str) -> ResponsiveImage | None:
    """Make every rendition of a saved image that does not exist yet, decoding the original
    once (None: no usable image).  Seconds for a big image: where the image is saved in a
    transaction a request waits on, use ``make_renditions_after_commit``."""
    name = _name(fieldfile, kind)
    if not name:
        return None
    return _make_renditions(name, kind)


def make_renditions_after_commit(fieldfile, kind: str) -> None:
    """Make the image's renditions once the transaction that saves it has committed.

    Inside the save's transaction, a 6000×6000 hero kept it open for 29–34 s on a loaded
    2-core machine, past gunicorn's timeout: the killed worker rolled the editor's save back.
    Once committed, the save is kept whatever happens here; a failure is logged, and the
    image's pages show the original until ``manage.py make_renditions`` makes them.
    """
    name = _name(fieldfile, kind)
    if not name:
        return

    def make_once_committed():
        try:
            _make_renditions(name, kind)
        except Exception:
            logger.exception("Renditions of %s were not made; its pages show the original.", name)

    transaction.on_commit(make_once_committed)


def _make_renditions(name: str, kind: str) -> ResponsiveImage | None:
    try:
        result, made = _make(name, kind, create=True)
    except _IMAGE_ERRORS as error:
        logger.warning("No renditions of %s: %s", name, error)
        return None
    _remember(name, kind, result)
    if made:
        renditions_made.send(sender=ResponsiveImage, name=name, kind=kind)
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
    for _width, options in matching:
        if options.get("zoom"):
            # scale_and_crop would zoom again into the copy _Source has already scaled.
            raise ImproperlyConfigured("Rendition aliases may not use easy-thumbnails' zoom.")
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


def _existing(thumbnailer, options: dict) -> Rendition | None:
    for transparent in (False, True):
        name = thumbnailer.get_thumbnail_name(options, transparent=transparent)
        if not default_storage.exists(name):
            continue
        try:
            with default_storage.open(name) as handle, Image.open(handle) as image:
                width, height = image.size
        except _IMAGE_ERRORS:
            continue  # still being written, or cut short: as good as missing
        return Rendition(default_storage.url(name), width, height)
    return None


def _scaled_size(source: tuple[int, int], options: dict) -> tuple[int, int]:
    """The size easy-thumbnails' scale_and_crop scales an image of ``source`` size to for
    these options, before it crops.  Worked out from the original's size, so renditions
    drawn from a reduced copy have the sizes they had when each was drawn from the original."""
    source_x, source_y = source
    target_x, target_y = (int(v) for v in options["size"])
    ratios = (target_x / source_x, target_y / source_y)
    scale = max(ratios) if options.get("crop") or not target_x or not target_y else min(ratios)
    if scale < 1.0 or (scale > 1.0 and options.get("upscale")):
        return round(source_x * scale), round(source_y * scale)
    return source


class _Source:
    """The original, decoded once for all its renditions and reduced to what they need.

    easy-thumbnails decodes the original for each rendition it makes: six decodings and six
    full-size resamplings of a 6000×6000 hero.  Here a JPEG is decoded straight at a fraction
    of its size (``draft``), any other format is reduced once after decoding, to no less than
    REDUCING_GAP times the largest rendition; each rendition is then resampled from that.
    """

    def __init__(self, name: str, options_list: list[dict]):
        with default_storage.open(name) as handle:
            image = Image.open(BytesIO(handle.read()))
        turned = image.getexif().get(EXIF_ORIENTATION) in (5, 6, 7, 8)
        width, height = image.size
        self.size = (height, width) if turned else (width, height)
        largest = [_scaled_size(self.size, options) for options in options_list]
        wanted = (
            max(1, math.ceil(max(w for w, _h in largest) * REDUCING_GAP)),
            max(1, math.ceil(max(h for _w, h in largest) * REDUCING_GAP)),
        )
        image.draft(None, wanted[::-1] if turned else wanted)  # JPEG only; others ignore it
        image.load()
        image = colorspace(utils.exif_orientation(image))  # as easy-thumbnails reads it
        factor = min(image.width // wanted[0], image.height // wanted[1])
        self.image = image.reduce(factor) if factor > 1 else image

    def scaled(self, options: dict) -> Image.Image:
        size = _scaled_size(self.size, options)
        if self.image.size == size:
            return self.image
        return self.image.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)


def _draw(source: _Source, options: dict, thumbnailers: list) -> list[Rendition]:
    """One alias's rendition in each of the thumbnailers' formats, through easy-thumbnails'
    processors (they crop; the scaling is done) and encoder, stored under its names."""
    pixels = engine.process_image(source.scaled(options), options)
    transparent = utils.is_transparent(pixels)
    drawn = []
    for thumbnailer in thumbnailers:
        name = thumbnailer.get_thumbnail_name(options, transparent=transparent)
        encoded = engine.save_pil_image(
            pixels,
            filename=name,
            quality=options["quality"],
            subsampling=options["subsampling"],
            keep_icc_profile=options.get("keep_icc_profile", False),
        )
        if default_storage.exists(name):
            default_storage.delete(name)  # unreadable (see _existing): replaced, not renamed
        saved_name = default_storage.save(name, RenditionContent(encoded.read()))
        drawn.append(Rendition(default_storage.url(saved_name), pixels.width, pixels.height))
    return drawn


def _unique_widths(renditions: list[Rendition]) -> tuple[Rendition, ...]:
    # A source narrower than an alias is not upscaled, so two aliases can give one width.
    by_width = {r.width: r for r in renditions}
    return tuple(by_width[width] for width in sorted(by_width))


def _make(name: str, kind: str, *, create: bool) -> tuple[ResponsiveImage, bool]:
    """The image's renditions, and whether any had to be made (only with ``create``)."""
    webp = _thumbnailer(name, "webp", "webp")
    fallback = _thumbnailer(name, "jpg", "png")
    options_list = [webp.get_options(options) for options in _alias_options(kind)]
    found = {
        (format_index, alias_index): _existing(thumbnailer, options)
        for format_index, thumbnailer in enumerate((webp, fallback))
        for alias_index, options in enumerate(options_list)
    }
    missing = [key for key, rendition in found.items() if rendition is None]
    if missing and not create:
        raise MissingRendition(name)
    if missing:
        to_draw = sorted({alias for _format, alias in missing}, reverse=True)
        source = _Source(name, [options_list[alias_index] for alias_index in to_draw])
        for alias_index in to_draw:
            formats = [f for f in (0, 1) if (f, alias_index) in missing]
            thumbnailers = [(webp, fallback)[f] for f in formats]
            drawn = _draw(source, options_list[alias_index], thumbnailers)
            for format_index, rendition in zip(formats, drawn, strict=True):
                found[(format_index, alias_index)] = rendition
    webp_renditions, fallback_renditions = (
        _unique_widths([found[(f, a)] for a in range(len(options_list))]) for f in (0, 1)
    )
    fallback_type = "image/png" if fallback_renditions[-1].url.endswith(".png") else "image/jpeg"
    return ResponsiveImage(webp_renditions, fallback_renditions, fallback_type), bool(missing)
