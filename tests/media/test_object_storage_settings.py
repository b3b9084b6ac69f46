"""SMARTCHUNKS_MEDIA_BUCKET and friends, as a new process reads them."""

import json

from tests.helpers.fresh_settings import in_fresh_interpreter

SHOW_STORAGE = """
import json
from smartchunks import settings
default = settings.STORAGES["default"]
options = {k: v for k, v in default.get("OPTIONS", {}).items() if k != "client_config"}
print(json.dumps({"backend": default["BACKEND"], "options": options}))
"""
DROP = ("DJANGO_", "SMARTCHUNKS_", "AWS_")


def storage_under(env):
    ran = in_fresh_interpreter(SHOW_STORAGE, env=env, drop=DROP)
    return json.loads(ran.stdout)


def test_without_a_bucket_media_stay_on_disk():
    assert storage_under({}) == {
        "backend": "smartchunks.media.storage.MetadataStrippingStorage",
        "options": {},
    }


def test_a_bucket_is_private_signed_for_a_minute_and_never_overwritten():
    found = storage_under(
        {
            "SMARTCHUNKS_MEDIA_BUCKET": "newsroom-media",
            "SMARTCHUNKS_MEDIA_PREFIX": "/site-a/media/",
            "AWS_S3_ENDPOINT_URL": "https://minio.example.net",
            "AWS_S3_REGION_NAME": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
        }
    )
    assert found["backend"] == "smartchunks.media.object_storage.MetadataStrippingS3Storage"
    assert found["options"] | {"max_memory_size": 0} == {
        "bucket_name": "newsroom-media",
        "location": "site-a/media",
        "endpoint_url": "https://minio.example.net",
        "region_name": "eu-west-1",
        "access_key": "key",
        "secret_key": "secret",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        "file_overwrite": False,
        "max_memory_size": 0,
    }


def test_a_prefix_that_could_leave_its_folder_is_refused_at_start():
    ran = in_fresh_interpreter(
        SHOW_STORAGE,
        env={"SMARTCHUNKS_MEDIA_BUCKET": "media", "SMARTCHUNKS_MEDIA_PREFIX": "site/../other"},
        drop=DROP,
        check=False,
    )
    assert ran.returncode != 0
    assert "SMARTCHUNKS_MEDIA_PREFIX may hold only" in ran.stderr
