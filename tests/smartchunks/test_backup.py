"""make backup / make restore: a round trip through the real commands loses nothing.

Content (an article with its TL;DR, FAQ and sources, authors, newsroom accounts, revisions)
and media (hero, author photo, an image uploaded into the body) are backed up from the test
database with `python -m smartchunks.backup backup`, restored into a fresh empty database and
media folder with `... restore`, and compared: every row of every table, every sequence, and
every media file byte for byte.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from articles.models import Article
from articles.workflow import services
from smartchunks import backup as backup_module
from tests.factories import image_upload, make_complete_article, make_role_user
from tests.helpers.databases import database_url

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only


def _command(*args: str, database: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_MEDIA_ROOT"}
    }
    env.update(DATABASE_URL=database_url(database), DJANGO_MEDIA_ROOT=str(media_root))
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "smartchunks.backup", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _snapshot(database: str) -> dict[str, list[str]]:
    """Every row of every table (as text, sorted) and every sequence's position."""
    with psycopg.connect(database_url(database)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
                " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            )
        ]
        snapshot = {
            table: [row[0] for row in conn.execute(f"SELECT t::text FROM {table} t ORDER BY 1")]  # noqa: S608 (names from pg_tables)
            for table in tables
        }
        snapshot["sequences"] = [
            f"{name}={value}"
            for name, value in conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"
            )
        ]
    return snapshot


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


@pytest.fixture
def newsroom_content(client, writer, writer_author, editor, media_in_tmp):
    """A published article with children, hero, body image and revisions, by real roles."""
    client.force_login(writer)
    upload = client.post("/ckeditor/upload/", {"upload": image_upload("chart.png", (300, 200))})
    body_image = upload.json()["url"]
    article = make_complete_article(
        author=writer_author,
        status=Article.Status.DRAFT,
        title="Why chips got expensive",
    )
    article.body = f'<p>The short answer.</p><p><img src="{body_image}" alt="A chart"></p>'
    services.save_edit(article, by=writer)
    services.submit_for_review(article, by=writer)
    services.publish(article, by=editor)
    make_role_user("Admin")
    return article, body_image.removeprefix(settings.MEDIA_URL)


def test_backup_and_restore_give_back_every_row_and_every_media_byte(
    newsroom_content, restored_database, media_in_tmp, tmp_path
):
    article, body_image = newsroom_content
    original = _snapshot(connection.settings_dict["NAME"])
    # Not a vacuous comparison: what the newsroom made is in the original.
    for table, at_least in {
        "public.articles_article": 1,
        "public.articles_tldrbullet": 3,
        "public.articles_faqentry": 1,
        "public.articles_source": 1,
        "public.authors_author": 1,
        "public.auth_user": 3,
        "public.reversion_revision": 3,
        "public.reversion_version": 3,
    }.items():
        assert len(original[table]) >= at_least, table
    media_before = _files(media_in_tmp)
    assert article.hero_image.name in media_before
    assert body_image in media_before

    made = _command(
        "backup",
        "--dest",
        str(tmp_path / "backups"),
        database=connection.settings_dict["NAME"],
        media_root=media_in_tmp,
    )
    assert made.returncode == 0, made.stderr
    lines = made.stdout.strip().splitlines()
    assert [line[:5] for line in lines[:3]] == ["[1/3]", "[2/3]", "[3/3]"]
    folder = Path(lines[-1].removeprefix("Backup written to "))
    assert folder.parent == tmp_path / "backups"
    assert sorted(p.name for p in folder.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar",
    ]
    assert folder.stat().st_mode & 0o077 == 0, "a backup holds password hashes: owner only"
    assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restored_media = tmp_path / "restored-media"
    back = _command("restore", str(folder), database=restored_database, media_root=restored_media)
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip().splitlines()[-1].startswith("Restored database")

    assert _snapshot(restored_database) == original
    assert _files(restored_media) == media_before


def test_restore_refuses_a_database_that_already_has_tables(
    newsroom_content, restored_database, media_in_tmp, tmp_path
):
    made = _command(
        "backup",
        "--dest",
        str(tmp_path / "backups"),
        database=connection.settings_dict["NAME"],
        media_root=media_in_tmp,
    )
    folder = made.stdout.strip().splitlines()[-1].removeprefix("Backup written to ")
    before = _snapshot(connection.settings_dict["NAME"])

    refused = _command(
        "restore", folder, database=connection.settings_dict["NAME"], media_root=tmp_path / "m"
    )
    assert refused.returncode == 1
    message = refused.stderr.strip()
    assert message.startswith("error: Refusing to restore over existing data")
    assert "tables" in message
    assert "--force" in message
    assert "Traceback" not in refused.stderr
    assert _snapshot(connection.settings_dict["NAME"]) == before
    assert not (tmp_path / "m").exists()


def test_restore_refuses_a_damaged_backup(newsroom_content, media_in_tmp, tmp_path):
    made = _command(
        "backup",
        "--dest",
        str(tmp_path / "backups"),
        database=connection.settings_dict["NAME"],
        media_root=media_in_tmp,
    )
    folder = Path(made.stdout.strip().splitlines()[-1].removeprefix("Backup written to "))
    dump = folder / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    with pytest.raises(backup_module.BackupError, match="damaged: database.dump"):
        backup_module.check_backup(folder)


def test_restore_of_something_that_is_not_a_backup_says_so(tmp_path, capsys):
    assert backup_module.main(["backup", "restore", str(tmp_path)]) == 1
    assert "is not a backup folder" in capsys.readouterr().err
