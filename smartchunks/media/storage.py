"""Default file storage that never keeps image metadata.

Photos from phones carry EXIF: camera serial numbers, capture times and often the GPS
position of the photographer's home.  Every image stored through the default storage --
hero images, author photos, CKEditor uploads and the thumbnails made from them -- is
re-encoded from its pixels alone, so none of that reaches readers, whether the files are
kept under MEDIA_ROOT or in a bucket (``MetadataStripping`` is mixed into both).  Doing it
here, and not in each model or view, means no upload path can forget it.
"""

import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from PIL import Image, ImageOps, UnidentifiedImageError

# Formats we re-encode, with the save options that keep quality close to the upload.
_SAVE_OPTIONS = {
    "JPEG": {"quality": 90, "optimize": True},
    # zlib's default level: PNG's "optimize" (level 9 and a filter search) made a 6000×6000
    # upload take 13 s longer to save for a few percent of bytes.
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 90},
    "GIF": {},
}

_PIXEL_INFO = ("transparency", "background")


def strip_metadata(data: bytes) -> bytes | None:
    """The image re-encoded without EXIF/XMP/comments, or None if ``data`` is not one we handle.

    The EXIF orientation is applied to the pixels first, so a portrait phone photo stays
    upright once the tag that rotated it is gone.  The ICC colour profile is kept: it
    describes colours, not people, and dropping it would shift them.
    """
    try:
        image = Image.open(BytesIO(data))
        image_format = image.format
        if image_format not in _SAVE_OPTIONS:
            return None
        icc_profile = image.info.get("icc_profile")
        animated = getattr(image, "is_animated", False)
        options = dict(_SAVE_OPTIONS[image_format])
        if animated:
            frames = [frame.copy() for frame in _frames(image)]
            first, rest = frames[0], frames[1:]
            options.update(
                save_all=True,
                append_images=rest,
                loop=image.info.get("loop", 0),
                duration=image.info.get("duration", 100),
            )
        else:
            first = ImageOps.exif_transpose(image)
        if icc_profile and image_format != "GIF":
            options["icc_profile"] = icc_profile
        if image_format == "JPEG" and first.mode not in ("RGB", "L", "CMYK"):
            first = first.convert("RGB")
        # Pillow writes EXIF/XMP/comments only when asked to, or when they ride along in
        # .info; keep only what drawing the pixels needs (palette transparency).
        first.info = {key: first.info[key] for key in _PIXEL_INFO if key in first.info}
        buffer = BytesIO()
        first.save(buffer, format=image_format, **options)
        return buffer.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _frames(image):
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        yield image


class StorageUnavailable(OSError):
    """The storage did not answer (a bucket that is down, or refuses our credentials).

    An OSError, as a failing disk would raise, so code that already copes with a file it
    cannot read (renditions, share cards, body images) copes with this too, and /media/
    answers 503 (smartchunks/media/serving.py) rather than 500.
    """


@dataclass(frozen=True)
class StoredFile:
    """What /media/ needs to know about a stored file before sending it."""

    size: int
    modified: datetime


class MetadataStripping:
    """Storage mixin: saved images have had their metadata removed, whatever the backend
    (the file system here, a bucket in smartchunks/media/object_storage.py).

    Content marked ``metadata_free`` (renditions Pillow has just drawn from an already
    stripped original, smartchunks/media/renditions.py) is stored as is: re-encoding it would only cost
    time and quality.
    """

    def _save(self, name, content):
        if getattr(content, "metadata_free", False):
            return super()._save(name, content)
        if hasattr(content, "seek"):
            content.seek(0)
        data = content.read()
        cleaned = strip_metadata(data)
        return super()._save(name, ContentFile(cleaned if cleaned is not None else data))


class MetadataStrippingStorage(MetadataStripping, FileSystemStorage):
    """The default storage: files under MEDIA_ROOT."""

    def stored_file(self, name: str) -> StoredFile | None:
        """The regular file ``name`` (None: missing, a folder, or a name outside the root)."""
        try:
            found = os.stat(self.path(name))
        except (SuspiciousFileOperation, OSError, ValueError):
            return None
        if not stat.S_ISREG(found.st_mode):
            return None  # a folder: never a listing
        return StoredFile(found.st_size, datetime.fromtimestamp(found.st_mtime, tz=UTC))
