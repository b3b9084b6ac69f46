"""Media in an S3-compatible bucket (AWS S3, MinIO, R2, moto in tests) through django-storages.

Chosen by ``SMARTCHUNKS_MEDIA_BUCKET`` (smartchunks/settings.py).  The bucket is private and
stays so: objects are written with no ACL, so they get the bucket's own (owner only), and
nothing public ever links to the bucket.  Pages keep linking ``/media/<name>``, exactly as
with files on disk (``url()``), so every request still asks articles/reader/media.py who
may have the file.  Once it has said yes, the front server fetches the object with a signed
URL that expires within a minute (``signed_url()``, smartchunks/media/serving.py), or
Django streams it itself when there is no front server.

A bucket that does not answer raises StorageUnavailable (an OSError), never boto's own
errors: the callers treat it like a file they cannot read.  Once it has failed to answer
(refused the connection, or timed out: the client's timeouts are in smartchunks/settings.py),
this process does not ask it again for QUIET_SECONDS: a save or a page that would ask it a
dozen times (renditions, the share card) fails at once after the first, instead of waiting
out a timeout each.
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urljoin, urlsplit

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from smartchunks.media.storage import MetadataStripping, StorageUnavailable, StoredFile

# The key a URL is made for when only its origin is wanted (nothing is fetched).
_PROBE_KEY = "probe"


# How long a bucket that did not answer is left alone (per process).  Short: the first
# request after it is asked again, so a bucket that is back is used again within seconds.
QUIET_SECONDS = 10

# Errors that mean no answer came (refused, reset, timed out), unlike an answer (a 404, a
# refused signature), which says the bucket is up.
_NO_ANSWER = (BotoConnectionError, HTTPClientError)


def _unavailable_on_bucket_errors(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if time.monotonic() < self.quiet_until:
            raise StorageUnavailable(
                f"The media bucket {self.bucket_name!r} did not answer a moment ago; "
                f"not asked again for up to {QUIET_SECONDS} s."
            )
        try:
            return method(self, *args, **kwargs)
        except (BotoCoreError, ClientError) as error:
            if isinstance(error, _NO_ANSWER):
                self.quiet_until = time.monotonic() + QUIET_SECONDS
            raise StorageUnavailable(f"The media bucket {self.bucket_name!r}: {error}") from error

    return wrapper


class MetadataStrippingS3Storage(MetadataStripping, S3Storage):
    """The default storage with a bucket: images stripped of metadata, names as on disk."""

    # Until when (time.monotonic()) the bucket is not asked (see QUIET_SECONDS).
    quiet_until = 0.0

    def url(self, name, parameters=None, expire=None, http_method=None):
        """``/media/<name>``, like FileSystemStorage: the site's own address, whose view
        decides who may have the file; a bucket URL would bypass that decision."""
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name).lstrip("/"))

    @_unavailable_on_bucket_errors
    def signed_url(self, name: str) -> str:
        """A URL that lets its holder GET this one object for MEDIA_SIGNED_URL_SECONDS.

        Made locally (no request to the bucket); only ever given to our front server.
        """
        return super().url(name, expire=settings.MEDIA_SIGNED_URL_SECONDS)

    @_unavailable_on_bucket_errors
    def stored_file(self, name: str) -> StoredFile | None:
        """The object's size and time (one HEAD request), or None when there is none."""
        key = self._normalize_name(clean_name(name))
        try:
            head = self.connection.meta.client.head_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise
        return StoredFile(head["ContentLength"], head["LastModified"])

    @_unavailable_on_bucket_errors
    def _open(self, name, mode="rb"):
        handle = super()._open(name, mode)
        if "r" in mode:
            # Downloaded now, not at the first read, so a bucket failing mid-way is raised
            # here as StorageUnavailable.  Every reader of ours reads the whole file anyway.
            handle.file  # noqa: B018
        return handle

    _save = _unavailable_on_bucket_errors(MetadataStripping._save)
    delete = _unavailable_on_bucket_errors(S3Storage.delete)
    exists = _unavailable_on_bucket_errors(S3Storage.exists)
    listdir = _unavailable_on_bucket_errors(S3Storage.listdir)
    size = _unavailable_on_bucket_errors(S3Storage.size)
    get_modified_time = _unavailable_on_bucket_errors(S3Storage.get_modified_time)

    # Backups (smartchunks/backup.py) ------------------------------------------------

    def describe(self) -> str:
        where = f"s3://{self.bucket_name}/{self.location}".rstrip("/")
        return f"the media bucket {where}"

    @_unavailable_on_bucket_errors
    def all_names(self) -> list[str]:
        """Every object's name below the key prefix, sorted (one listing, paged)."""
        prefix = f"{self.location}/" if self.location else ""
        paginator = self.connection.meta.client.get_paginator("list_objects_v2")
        return sorted(
            entry["Key"].removeprefix(prefix)
            for page in paginator.paginate(Bucket=self.bucket_name, Prefix=prefix)
            for entry in page.get("Contents", ())
            if not entry["Key"].endswith("/")
        )

    @_unavailable_on_bucket_errors
    def put_verbatim(self, name: str, data: bytes) -> None:
        """Store ``data`` as ``name`` exactly (a restore): not re-encoded, not renamed."""
        S3Storage._save(self, name, ContentFile(data))


def bucket_origin(storage: MetadataStrippingS3Storage) -> str:
    """``scheme://host[:port]`` of the storage's signed URLs: where the front server sends
    the requests Django allows (smartchunks/frontserver.py)."""
    # Unsigned: the address is the same, and it needs no credentials (printing the
    # configuration must work where the bucket's credentials are not at hand).
    client = storage.unsigned_connection.meta.client
    url = client.generate_presigned_url(
        "get_object", Params={"Bucket": storage.bucket_name, "Key": _PROBE_KEY}, ExpiresIn=1
    )
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
