"""make backup / make restore with the media in a bucket: the objects are backed up with the
database, and come back byte for byte into another bucket (or onto disk)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from articles.models import Article
from articles.workflow import services
from tests.factories import image_upload, make_article
from tests.helpers.databases import database_url, on_server
from tests.helpers.object_storage import Bucket

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only


def run_backup(*args: str, database: str, bucket: Bucket | None, media_root: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "DJANGO_", "SMARTCHUNKS_", "AWS_"))
    }
    env.update(DATABASE_URL=database_url(database), DJANGO_MEDIA_ROOT=str(media_root))
    env.update(bucket.environment() if bucket else {})
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "smartchunks.backup", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def objects(bucket: Bucket) -> dict[str, bytes]:
    return {
        key: bucket.client.get_object(Bucket=bucket.name, Key=key)["Body"].read()
        for key in bucket.object_keys()
    }


@pytest.fixture
def illustrated(bucket, editor, editor_client, django_capture_on_commit_callbacks):
    """A published article whose hero, renditions, card and a body image are in the bucket."""
    upload = editor_client.post("/ckeditor/upload/", {"upload": image_upload("chart.png")})
    body_image = upload.json()["url"]
    article = make_article(
        status=Article.Status.DRAFT,
        hero_image=image_upload("hero.jpg", size=(900, 500), image_format="JPEG"),
        hero_alt="A street",
    )
    article.body = f'<p>The short answer.</p><p><img src="{body_image}" alt="A chart"></p>'
    with django_capture_on_commit_callbacks(execute=True):
        services.save_edit(article, by=editor)
        services.publish(article, by=editor)
    return article


def test_the_buckets_objects_are_backed_up_and_restored_byte_for_byte(
    bucket, illustrated, moto_server, restored_database, tmp_path
):
    before = objects(bucket)
    assert illustrated.hero_image.name in before
    assert len(before) >= 1 + 6 + 1 + 1  # hero, renditions, card, body image (+ its thumb)
    made = run_backup(
        "backup",
        "--dest",
        str(tmp_path / "backups"),
        database=connection.settings_dict["NAME"],
        bucket=bucket,
        media_root=tmp_path / "unused",
    )
    assert made.returncode == 0, made.stderr
    assert (
        f"[2/3] Archiving {len(before)} media files from the media bucket s3://{bucket.name}"
        in made.stdout
    )
    folder = Path(made.stdout.strip().splitlines()[-1].removeprefix("Backup written to "))

    other = moto_server.new_bucket(prefix="restored")
    back = run_backup(
        "restore", str(folder), database=restored_database, bucket=other, media_root=tmp_path / "x"
    )
    assert back.returncode == 0, back.stderr
    assert {key.removeprefix("restored/"): data for key, data in objects(other).items()} == before
    assert all(
        other.public_grants(key.removeprefix("restored/")) == [] for key in other.object_keys()
    )

    # The same backup restores onto disk too: the media.tar is the same shape either way.
    on_server(f'DROP DATABASE IF EXISTS "{restored_database}" WITH (FORCE)')
    on_server(f'CREATE DATABASE "{restored_database}"')
    on_disk = tmp_path / "restored-media"
    back = run_backup(
        "restore", str(folder), database=restored_database, bucket=None, media_root=on_disk
    )
    assert back.returncode == 0, back.stderr
    assert {
        str(p.relative_to(on_disk)): p.read_bytes() for p in on_disk.rglob("*") if p.is_file()
    } == before


def test_restore_refuses_a_bucket_that_already_has_objects(
    bucket, illustrated, restored_database, tmp_path
):
    made = run_backup(
        "backup",
        "--dest",
        str(tmp_path / "b"),
        database=connection.settings_dict["NAME"],
        bucket=bucket,
        media_root=tmp_path / "unused",
    )
    assert made.returncode == 0, made.stderr
    folder = made.stdout.strip().splitlines()[-1].removeprefix("Backup written to ")
    back = run_backup(
        "restore", folder, database=restored_database, bucket=bucket, media_root=tmp_path / "x"
    )
    assert back.returncode == 1
    assert f"the media bucket s3://{bucket.name} already has" in back.stderr
    assert "--force" in back.stderr
