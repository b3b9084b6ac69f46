"""Media in a bucket: a moto S3 server for the session, a fresh bucket per test."""

import pytest
from django.utils.functional import empty

from tests.helpers.object_storage import MotoServer


@pytest.fixture(scope="session")
def moto_server():
    with MotoServer() as server:
        yield server


def _forget_ckeditor_storage():
    """django-ckeditor keeps its own DefaultStorage object, which the STORAGES setting's
    change signal does not reset (Django resets only default_storage): reset it, so its
    uploads and "browse server" use the storage each test configures."""
    from ckeditor_uploader import utils

    utils.storage._wrapped = empty


@pytest.fixture
def bucket(moto_server, settings):
    """A new, private bucket, and the site's default storage pointed at it."""
    bucket = moto_server.new_bucket()
    settings.MEDIA_BUCKET = bucket.name
    # override_settings (pytest-django's settings fixture) resets default_storage and
    # Django's storages cache through the setting_changed signal.
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage_settings()}
    _forget_ckeditor_storage()
    yield bucket
    _forget_ckeditor_storage()
