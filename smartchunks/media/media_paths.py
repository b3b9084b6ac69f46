"""Names of stored media files: which request paths may name one, which stored file a
rendition was made from, and which files a piece of rich text shows.

Every name we store is random (smartchunks/media/images.py) and made of letters, digits,
``_``, ``-`` and ``.``; easy-thumbnails names a rendition after its source
(``heroes/AbC.jpg`` -> ``heroes/AbC.jpg.480x0_q80.webp``).  A request for anything else
cannot be a file of ours, so ``..``, absolute paths, NUL bytes, backslashes and
percent-encoded tricks are refused here, before any file system call.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from django.conf import settings

MAX_NAME_LENGTH = 255
# One or more folder/file segments; no segment starts with "." (so no "..", no dot files).
_STORED_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
# Author photos and their renditions: public like the author pages that show them.
PUBLIC_FOLDERS = ("authors/",)


def stored_name(path: str) -> str | None:
    """``path`` (below MEDIA_URL, already URL-decoded) if it can name a stored file, else None."""
    if len(path) > MAX_NAME_LENGTH or not _STORED_NAME.fullmatch(path):
        return None
    return path


def is_public(name: str) -> bool:
    return name.startswith(PUBLIC_FOLDERS)


def source_names(name: str) -> list[str]:
    """``name`` and every stored name it could be a rendition of (at most a handful).

    A rendition's name is its source's name plus ``.<options>.<extension>``, so the source
    is the name cut at one of the dots of its last segment.
    """
    folder, _, file_name = name.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    parts = file_name.split(".")
    return [prefix + ".".join(parts[:count]) for count in range(len(parts), 0, -1)]


def uploader_pk(name: str) -> int | None:
    """The id of the user who uploaded an editor image (``uploads/<pk>/...``), if it is one.

    Uploads are stored per user (settings.CKEDITOR_RESTRICT_BY_USER = "pk").
    """
    upload_path = settings.CKEDITOR_UPLOAD_PATH
    if not name.startswith(upload_path):
        return None
    owner, _, rest = name.removeprefix(upload_path).partition("/")
    return int(owner) if owner.isdigit() and rest else None


class _MediaLinks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        wanted = {"img": "src", "a": "href"}.get(tag)
        self.urls += [value for key, value in attrs if key == wanted and value]


def names_in_html(html: str | None) -> set[str]:
    """The stored files rich text shows (``<img src>``) or links to (``<a href>``).

    Relative (``/media/uploads/1/x.png``) and absolute (``https://host/media/...``) URLs
    count; anything that cannot be a stored name is ignored.
    """
    if not html:
        return set()
    parser = _MediaLinks()
    parser.feed(html)
    parser.close()
    return {name for url in parser.urls if (name := name_of_url(url)) is not None}


def name_of_url(url: str) -> str | None:
    """The stored name a media URL (relative or absolute) points to, or None."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:  # e.g. "http://[::1": not an address of ours either
        return None
    if not path.startswith(settings.MEDIA_URL):
        return None
    return stored_name(unquote(path.removeprefix(settings.MEDIA_URL)))
