import tempfile

import pytest
from django.conf import settings


def pytest_configure(config):
    # Fast hashing: tests create many users; production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest needs collectstatic; tests find static files from the source folders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # whitenoise warns about a missing STATIC_ROOT; tests never collect static files.
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="smartchunks-static-")
    # Each login attempt in tests must not lock the test client out.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throwaway folder, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
