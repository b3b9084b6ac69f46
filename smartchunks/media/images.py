"""Uploaded images: what they must be, the unguessable name they are stored under, and the
model field that holds them.

A guessable media URL (``/media/hero/my-unreleased-story.jpg``) would leak an article
before it is published, so every stored file gets a random name; only its extension
survives from the upload.
"""

import logging
import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFileDescriptor
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

ALLOWED_IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
IMAGE_SUFFIXES = {*ALLOWED_IMAGE_FORMATS.values(), ".jpeg"}


def random_name(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        # The suffix decides the Content-Type /media/ answers with: never .html or .svg.
        suffix = ""
    return f"{secrets.token_urlsafe(18)}{suffix}"


def hero_upload_to(instance, filename):
    return f"heroes/{random_name(filename)}"


def author_photo_upload_to(instance, filename):
    return f"authors/{random_name(filename)}"


def ckeditor_filename(filename, request):
    return random_name(filename)


def validate_image_file(upload) -> None:
    """Refuse anything that is not a real JPEG/PNG/GIF/WebP image within the size limit.

    A file already in storage was checked when it was uploaded; Django has closed it by
    the time a later save re-runs validators, so it is not read again.
    """
    if getattr(upload, "_committed", False):
        return
    checked_image_format(upload)


def checked_image_format(upload) -> str:
    """The upload's real format ("PNG", ...), or ValidationError saying what is wrong."""
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"This image is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            image_format = image.format
            _refuse_unaccepted_format(image_format)
            _refuse_too_many_pixels(image)
            image.verify()
        # verify() reads no pixels: a truncated or corrupt image passes it and then fails
        # (a 500) where the thumbnails are made.  Decoding once here, within the pixel
        # limit above, turns that into a form error.
        upload.seek(position)
        with Image.open(upload) as image:
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(_too_many_pixels_message()) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError("This file is not an image Smart Chunks can read.") from error
    finally:
        upload.seek(position)
    return image_format


def _refuse_unaccepted_format(image_format) -> None:
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            f"{image_format} images are not accepted: upload JPEG, PNG, GIF or WebP."
        )


def _too_many_pixels_message(image=None) -> str:
    limit = settings.MAX_IMAGE_PIXELS / 1_000_000
    if image is None:
        what = "This image is too large"
    else:
        width, height = image.size
        frames = getattr(image, "n_frames", 1)
        what = f"This image is {width:,}×{height:,} pixels" + (
            f" in {frames:,} frames" if frames > 1 else ""
        )
    return (
        f"{what}; the limit is {limit:g} megapixels (all frames together). "
        "Make it smaller (a few thousand pixels wide is plenty) and upload it again."
    )


def _refuse_too_many_pixels(image) -> None:
    """A few kilobytes of PNG can claim a picture that takes gigabytes to decode.

    Animated images count every frame: thumbnails and metadata stripping decode them all.
    """
    width, height = image.size
    if width * height * getattr(image, "n_frames", 1) > settings.MAX_IMAGE_PIXELS:
        raise ValidationError(_too_many_pixels_message(image))


def name_by_format(image_format: str) -> str:
    """A file name whose suffix matches the image's real format, whatever it was called."""
    return f"image{ALLOWED_IMAGE_FORMATS[image_format]}"


def _stored_name(value) -> str:
    """The name of a stored file (a name, or a FieldFile saved already), else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, FieldFile) and value._committed:
        return value.name or ""
    return ""  # None, or a new upload


class _StoredFileKeepsItsSize(ImageFileDescriptor):
    """Assigning the stored file to itself changes nothing, so nothing is re-measured.

    A form saved without a new upload (and model validation after it) hands the field its
    own stored file back.  Django's descriptor then re-opens the file to measure width and
    height: a server error if the file went missing from the media volume, and a wasted
    read otherwise.  It was measured when it was uploaded.
    """

    def __set__(self, instance, value):
        current = instance.__dict__.get(self.field.attname)
        if value is not None and value is current:
            return
        if _stored_name(value) and _stored_name(value) == _stored_name(current):
            # Its own stored file again, by name (refresh_from_db, a staged value that kept
            # the image): the same file, since stored names are never reused, so the same
            # size.  Measuring would read it from the storage: a publish failing because the
            # media bucket is down, or the file went missing.
            instance.__dict__[self.field.attname] = _stored_name(value)
            return
        super().__set__(instance, value)


class StoredImageField(models.ImageField):
    """An ImageField that never re-reads a stored image just because a form was saved,
    and whose width and height are left unknown, not a server error, when its file cannot
    be read (the media bucket is down, or the file is missing): nothing shows them, and
    saving or publishing the article must not depend on the storage answering."""

    descriptor_class = _StoredFileKeepsItsSize

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        if not force and self.attname in instance.__dict__:
            file = getattr(instance, self.attname)
            if file and getattr(file, "_committed", False):
                # Loading a row (post_init): its width and height come from the row.  One
                # left unknown is not measured at every load, which would ask the storage.
                return
        try:
            super().update_dimension_fields(instance, force, *args, **kwargs)
        except OSError as error:  # StorageUnavailable is one; so is a missing file
            logger.warning("The size of %s is unknown: %s", getattr(instance, self.attname), error)
            for dimension in (self.width_field, self.height_field):
                if dimension:
                    setattr(instance, dimension, None)
