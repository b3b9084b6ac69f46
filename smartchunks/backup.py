"""Backups: the database and the media files, together, and a way back.

``python -m smartchunks.backup backup [--dest DIR]`` (``make backup``) writes
``var/backups/<UTC time>/``: ``database.dump`` (``pg_dump -Fc``), ``media.tar`` (every file
under MEDIA_ROOT) and ``manifest.json`` (sizes and SHA-256 of both).  The folder appears
only once complete (it is written as a hidden ``.partial`` folder first), and only its owner
can read it: it holds password hashes and sessions.

``python -m smartchunks.backup restore DIR [--force]`` (``make restore FILE=DIR``) checks the
backup against its manifest, then restores it into an *empty* database and media folder.
A database with tables, or a media folder with files, is refused unless ``--force``: then
the backup's tables replace the ones of the same name (``pg_restore --clean``, in one
transaction, so a failed restore changes nothing) and its files overwrite files of the same
name; tables and files that are not in the backup are left alone.

The database and MEDIA_ROOT are the ones the settings find (DATABASE_URL or the local
cluster, DJANGO_MEDIA_ROOT).  With a media bucket (SMARTCHUNKS_MEDIA_BUCKET) the media
are its objects below the key prefix instead, read and written through the storage:
``media.tar`` has the same shape either way, so a backup of one restores into the other
(which is also how a site moves its media from disk to a bucket).  pg_dump and pg_restore
come from the server binaries ``localdb.find_bindir`` finds (the same version as the local server), else from PATH.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from smartchunks import localdb
from smartchunks.media import media_paths
from smartchunks.progress import track

DUMP_FILE = "database.dump"
MEDIA_FILE = "media.tar"
MANIFEST_FILE = "manifest.json"
# Connection settings pg_dump and pg_restore take from libpq's environment variables, so
# no password ever appears in a process listing.
LIBPQ_ENV = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
LIBPQ_OPTIONS_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}

Output = Callable[..., None]


class BackupError(RuntimeError):
    """Raised with a message that tells the person what is wrong and what to do."""


# --- What to back up, and where from -------------------------------------------------------


def client_binary(name: str) -> str:
    """pg_dump/pg_restore of the server's version when the server binaries are here."""
    try:
        candidate = localdb.find_bindir() / name
        if candidate.exists():
            return str(candidate)
    except localdb.LocalDatabaseError:
        pass
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client "
            "(Debian: apt-get install postgresql-client) of the server's version."
        )
    return found


def libpq_env(database: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in LIBPQ_ENV.items():
        if database.get(key):
            env[variable] = str(database[key])
    for key, variable in LIBPQ_OPTIONS_ENV.items():
        if database.get("OPTIONS", {}).get(key) is not None:
            env[variable] = str(database["OPTIONS"][key])
    env["PGDATABASE"] = database["NAME"]
    return env


def describe(database: dict) -> str:
    where = database.get("HOST") or "localhost"
    return f"database {database['NAME']!r} on {where}"


def _run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{Path(cmd[0]).name} failed: {detail}")
    return result.stdout


def media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file() or path.is_symlink())


def _bucket_names(bucket) -> list[str]:
    try:
        return bucket.all_names()
    except OSError as error:  # StorageUnavailable
        raise BackupError(f"Cannot list {bucket.describe()}: {error}") from error


def _archive_bucket(archive: tarfile.TarFile, bucket, names: list[str], verbosity: int) -> None:
    for name in track(names, "backup: media objects", **_progress(verbosity)):
        try:
            with bucket.open(name, "rb") as handle:
                data = handle.read()
            modified = bucket.get_modified_time(name).timestamp()
        except OSError as error:
            raise BackupError(f"Cannot read {name} from {bucket.describe()}: {error}") from error
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(modified), 0o644
        archive.addfile(info, io.BytesIO(data))


def _restore_into_bucket(archive: tarfile.TarFile, bucket, verbosity: int) -> None:
    files = [member for member in archive.getmembers() if member.isfile()]
    # Only names a site stores (smartchunks/media/media_paths.py): no "..", nothing absolute.
    strange = [member.name for member in files if media_paths.stored_name(member.name) is None]
    if strange:
        raise BackupError(
            f"The backup holds {len(strange)} files no site could have stored, e.g. "
            f"{strange[0]!r}: not restored into {bucket.describe()}."
        )
    for member in track(files, "restore: media objects", **_progress(verbosity)):
        data = archive.extractfile(member).read()
        try:
            bucket.put_verbatim(member.name, data)
        except OSError as error:
            raise BackupError(
                f"Cannot write {member.name} to {bucket.describe()}: {error}"
            ) from error


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _size(num_bytes: int) -> str:
    return f"{num_bytes / 1_000_000:.1f} MB" if num_bytes >= 100_000 else f"{num_bytes} bytes"


@contextmanager
def _step(out: Output, number: int, total: int, text: str) -> Iterator[dict]:
    """One line per step: what it does, then how it went."""
    out(f"[{number}/{total}] {text} ... ", end="", flush=True)
    started = time.monotonic()
    outcome: dict = {}
    try:
        yield outcome
    except BaseException:
        out("failed", flush=True)
        raise
    out(f"{outcome.get('note', 'done')} ({time.monotonic() - started:.1f} s)", flush=True)


# --- Backup -------------------------------------------------------------------------------


def _new_folder(dest: Path) -> tuple[Path, Path]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    final, attempt = dest / stamp, 1
    while final.exists():
        attempt += 1
        final = dest / f"{stamp}-{attempt}"
    partial = dest / f".{final.name}.partial"
    dest.mkdir(parents=True, exist_ok=True)
    partial.mkdir(mode=0o700)
    return final, partial


def _progress(verbosity: int) -> dict:
    """Progress of a step with many files on stderr (smartchunks/progress.py); the step's
    line on stdout was left open, and reports the outcome itself."""
    return {"verbosity": verbosity, "stream": sys.stderr, "summary": False, "fresh_line": True}


def backup(
    dest: Path,
    *,
    database: dict,
    media_root: Path,
    media_bucket=None,
    out: Output = print,
    verbosity: int = 1,
) -> Path:
    """Write a complete backup folder under ``dest``; returns its path.  ``media_bucket``:
    the media storage when the media are in a bucket (media_root is then unused)."""
    final, partial = _new_folder(dest)
    old_umask = os.umask(0o077)  # what the backup holds is for its owner only
    try:
        env = libpq_env(database)
        pg_dump = client_binary("pg_dump")
        with _step(out, 1, 3, f"Dumping {describe(database)} with pg_dump -Fc") as step:
            _run([pg_dump, "--format=custom", "--file", str(partial / DUMP_FILE)], env)
            step["note"] = _size((partial / DUMP_FILE).stat().st_size)
        files = _bucket_names(media_bucket) if media_bucket else media_files(media_root)
        source = media_bucket.describe() if media_bucket else media_root
        with _step(out, 2, 3, f"Archiving {len(files)} media files from {source}") as step:
            with tarfile.open(partial / MEDIA_FILE, "w") as archive:
                if media_bucket:
                    _archive_bucket(archive, media_bucket, files, verbosity)
                else:
                    for path in track(files, "backup: media files", **_progress(verbosity)):
                        name = str(path.relative_to(media_root))
                        archive.add(path, arcname=name, recursive=False)
            step["note"] = _size((partial / MEDIA_FILE).stat().st_size)
        with _step(out, 3, 3, "Writing the manifest (sizes and SHA-256)"):
            manifest = {
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": database["NAME"],
                "pg_dump": _run([pg_dump, "--version"], env).strip(),
                "media_files": len(files),
                "files": {
                    name: {
                        "bytes": (partial / name).stat().st_size,
                        "sha256": sha256(partial / name),
                    }
                    for name in (DUMP_FILE, MEDIA_FILE)
                },
            }
            (partial / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    out(f"Backup written to {final}")
    return final


# --- Restore ------------------------------------------------------------------------------


def backup_folder(source: Path) -> Path:
    """The backup folder, also when given one of its files (``FILE=.../database.dump``)."""
    return source.parent if source.is_file() else source


def check_backup(folder: Path) -> dict:
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        raise BackupError(
            f"{folder} is not a backup folder: it has no {MANIFEST_FILE} "
            "(make backup writes var/backups/<time>/)."
        )
    manifest = json.loads(manifest_path.read_text())
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"The backup in {folder} is incomplete: {name} is missing.")
        if path.stat().st_size != expected["bytes"] or sha256(path) != expected["sha256"]:
            raise BackupError(
                f"The backup in {folder} is damaged: {name} does not match its manifest."
            )
    return manifest


def table_count(database: dict) -> int:
    import psycopg  # the project's driver; imported here so `backup` needs only pg_dump

    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        **{k: v for k, v in database.get("OPTIONS", {}).items() if k in LIBPQ_OPTIONS_ENV},
    }
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN"
                " ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
            ).fetchone()
    except psycopg.OperationalError as error:
        raise BackupError(
            f"Cannot connect to {describe(database)}: {str(error).strip()}. Create the empty "
            "database first (make db creates the local one), or set DATABASE_URL."
        ) from error
    return int(row[0])


def restore(
    source: Path,
    *,
    database: dict,
    media_root: Path,
    media_bucket=None,
    force: bool = False,
    out: Output = print,
    verbosity: int = 1,
) -> None:
    folder = backup_folder(source)
    media_place = media_bucket.describe() if media_bucket else media_root
    with _step(out, 1, 4, f"Checking the backup in {folder}") as step:
        manifest = check_backup(folder)
        step["note"] = f"complete, made {manifest['created']}"
    with _step(
        out, 2, 4, f"Checking that {describe(database)} and {media_place} are empty"
    ) as step:
        tables = table_count(database)
        files = _bucket_names(media_bucket) if media_bucket else media_files(media_root)
        if (tables or files) and not force:
            occupied = []
            if tables:
                occupied.append(f"{describe(database)} already has {tables} tables")
            if files:
                occupied.append(f"{media_place} already has {len(files)} files")
            raise BackupError(
                "Refusing to restore over existing data: "
                + "; ".join(occupied)
                + ". Restore into an empty database and media folder (create one and point "
                "DATABASE_URL / DJANGO_MEDIA_ROOT or SMARTCHUNKS_MEDIA_BUCKET at it), "
                "or run again with --force "
                "(make restore ... FORCE=1) to replace what the backup holds."
            )
        if tables or files:
            step["note"] = f"not empty ({tables} tables, {len(files)} files): --force replaces"
    command = [
        client_binary("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--dbname",
        database["NAME"],
    ]
    if force:
        command += ["--clean", "--if-exists"]
    with _step(out, 3, 4, f"Restoring {describe(database)} with pg_restore"):
        _run([*command, str(folder / DUMP_FILE)], libpq_env(database))
    what = f"Restoring {manifest['media_files']} media files into {media_place}"
    with _step(out, 4, 4, what), tarfile.open(folder / MEDIA_FILE) as archive:
        if media_bucket:
            _restore_into_bucket(archive, media_bucket, verbosity)
        else:
            media_root.mkdir(parents=True, exist_ok=True)
            # "data": no absolute paths, no "..", no links out of the folder, no devices.
            members = track(archive.getmembers(), "restore: media files", **_progress(verbosity))
            archive.extractall(media_root, members=members, filter="data")
    out(f"Restored {describe(database)} and the media files from {folder}")


# --- Command line -------------------------------------------------------------------------


def _settings():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartchunks.settings")
    from django.conf import settings

    return settings


def _media_bucket(settings):
    """The media storage when the media are in a bucket, else None (files in MEDIA_ROOT)."""
    if not settings.MEDIA_BUCKET:
        return None
    from django.core.files.storage import storages

    return storages["default"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m smartchunks.backup",
        description="Back up or restore the database and the media files.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write var/backups/<time>/")
    make.add_argument("--dest", type=Path, help="folder for backups (default var/backups)")
    back = commands.add_parser("restore", help="restore a backup into an empty database")
    back.add_argument("source", type=Path, help="a backup folder (or a file in it)")
    back.add_argument(
        "--force", action="store_true", help="restore even if the database or media has data"
    )
    for sub in (make, back):
        sub.add_argument("--quiet", action="store_true", help="no progress bar or progress lines")
    args = parser.parse_args(argv[1:])
    verbosity = 0 if args.quiet else 1
    try:
        settings = _settings()
        database = settings.DATABASES["default"]
        media_root = Path(settings.MEDIA_ROOT)
        media_bucket = _media_bucket(settings)
        if args.command == "backup":
            backup(
                args.dest or settings.VAR_DIR / "backups",
                database=database,
                media_root=media_root,
                media_bucket=media_bucket,
                verbosity=verbosity,
            )
        else:
            restore(
                args.source,
                database=database,
                media_root=media_root,
                media_bucket=media_bucket,
                force=args.force,
                verbosity=verbosity,
            )
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
