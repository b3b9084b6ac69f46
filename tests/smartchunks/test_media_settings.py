"""The front-server prefix for media fails loudly when it cannot form a path."""

from tests.smartchunks.test_settings import PRODUCTION_READY, _import_settings


def test_a_media_accel_prefix_without_slashes_is_refused_at_start():
    result = _import_settings(**PRODUCTION_READY, SMARTCHUNKS_MEDIA_ACCEL_PREFIX="_protected")
    assert result.returncode != 0
    assert "SMARTCHUNKS_MEDIA_ACCEL_PREFIX must start and end with '/'" in result.stderr


def test_a_media_accel_prefix_with_slashes_is_accepted():
    result = _import_settings(
        **PRODUCTION_READY, SMARTCHUNKS_MEDIA_ACCEL_PREFIX="/_protected_media/"
    )
    assert result.returncode == 0, result.stderr
