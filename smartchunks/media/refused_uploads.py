"""An admin form whose save the media storage could not take is shown again, not a 500.

A new upload is stored while the admin saves (a model's file field, or the workflow storing
a staged hero image), inside the admin's transaction.  If the storage does not answer (a
bucket that is down or hung: StorageUnavailable), ``ShowsStorageRefusals`` rolls that
save back whole (a savepoint, before anything commits), then handles the same POST again
with the form saying what failed, on the file field the upload came in: the person's other changes are still in the
form, nothing was saved halfway, and they can save again once the storage is back.
"""

from __future__ import annotations

import logging

from django.db import router, transaction

from smartchunks.media.storage import StorageUnavailable

logger = logging.getLogger(__name__)

# Shown on the file field: nothing was saved, and a browser cannot be given the file back.
FILE_NOT_STORED = (
    "The image could not be stored: the media storage is not answering. Your other changes "
    "are kept in this form (nothing was saved yet); choose the image again and save in a "
    "moment."
)
# Shown above the form when the failed save had no new upload (it had to read a file).
STORAGE_NOT_ANSWERING = (
    "Not saved: the media storage is not answering. Your changes are kept in this form; "
    "save again in a moment."
)


class ShowsStorageRefusals:
    """ModelAdmin mixin: a save the media storage could not take is a form error."""

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # Called by changeform_view inside the admin's transaction, so the retry below
        # happens before anything commits (work done after the commit logs its own errors).
        try:
            # A savepoint: a save the storage failed is undone whole.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super()._changeform_view(request, object_id, form_url, extra_context)
        except StorageUnavailable:
            if request.method != "POST" or getattr(request, "media_storage_refused", False):
                raise
            logger.warning("%s not saved: the media storage did not answer", self.model.__name__)
        request.media_storage_refused = True
        for upload in request.FILES.values():
            upload.seek(0)  # the failed save read it; the form checks it again
        return super()._changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if not getattr(request, "media_storage_refused", False):
            return form_class

        class RefusedByStorage(form_class):
            def clean(self):
                cleaned = super().clean()
                uploaded = [name for name in self.fields if self.files.get(self.add_prefix(name))]
                for name in uploaded:
                    self.add_error(name, FILE_NOT_STORED)
                if not uploaded:
                    self.add_error(None, STORAGE_NOT_ANSWERING)
                return cleaned

        RefusedByStorage.__name__ = form_class.__name__
        return RefusedByStorage
