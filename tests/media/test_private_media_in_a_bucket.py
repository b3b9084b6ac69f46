"""Every private-media test (tests/reader/test_private_media.py) again, with the media in a
bucket: the same rules hold whichever storage holds the files."""

import pytest

from tests.reader.test_private_media import *  # noqa: F403 (the tests and their fixtures)


@pytest.fixture(autouse=True)
def media_in_a_bucket(bucket):
    """Every test here stores into, and serves from, a fresh private bucket."""
    return bucket


# With a bucket the header names a signed URL of the object, not the file:
# test_object_storage.py::test_behind_the_front_server_django_hands_nginx_a_short_lived_signed_url.
del test_with_the_accel_prefix_django_answers_empty_and_names_the_file  # noqa: F821
