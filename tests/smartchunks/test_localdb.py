"""The project-local PostgreSQL helper (smartchunks/localdb.py).

The shared cluster that the test suite itself runs on is never started, stopped or killed
here: the crash-recovery test builds its own throwaway cluster under /tmp.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import dj_database_url
import pytest

from smartchunks import localdb

SOCKET_PATH_LIMIT = 107  # bytes, including the socket file name


def test_finds_the_postgresql_server_binaries():
    bindir = localdb.find_bindir()
    for program in ("initdb", "pg_ctl", "postgres", "pg_isready"):
        assert (bindir / program).exists(), f"{program} missing in {bindir}"


def test_socket_path_stays_under_the_unix_limit():
    socket_file = localdb.socket_dir() / ".s.PGSQL.5432"
    assert len(str(socket_file).encode()) <= SOCKET_PATH_LIMIT


def test_socket_path_is_short_even_for_a_deeply_nested_checkout(monkeypatch):
    monkeypatch.setattr(localdb, "BASE_DIR", Path("/srv") / ("very-long-folder-name" * 8) / "main")
    socket_file = localdb.socket_dir() / ".s.PGSQL.5432"
    assert len(str(socket_file).encode()) <= SOCKET_PATH_LIMIT


def test_connection_url_points_django_at_the_socket_folder():
    config = dj_database_url.parse(localdb.connection_url())
    assert config["ENGINE"].endswith("postgresql")
    assert config["HOST"] == str(localdb.socket_dir())
    assert config["NAME"] == localdb.DB_NAME


def test_saved_url_is_none_before_the_first_start(monkeypatch, tmp_path):
    monkeypatch.setattr(localdb, "URL_FILE", tmp_path / "localdb.url")
    assert localdb.saved_url() is None


def test_saved_url_reads_back_what_was_written(monkeypatch, tmp_path):
    url_file = tmp_path / "localdb.url"
    monkeypatch.setattr(localdb, "URL_FILE", url_file)
    url_file.write_text(localdb.connection_url() + "\n")
    assert localdb.saved_url() == localdb.connection_url()


@pytest.fixture
def no_server_binaries(monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.delenv("PG_BINDIR", raising=False)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(localdb, "SERVER_BINARY_GLOBS", [str(empty / "*" / "bin")])


def test_missing_server_binaries_raise_an_error_that_says_what_to_do(no_server_binaries):
    with pytest.raises(localdb.LocalDatabaseError) as error:
        localdb.find_bindir()
    message = str(error.value)
    assert "install" in message
    assert "DATABASE_URL" in message


def test_start_without_server_binaries_prints_one_clear_line(no_server_binaries, capsys):
    assert localdb.main(["localdb", "start"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: No PostgreSQL server binaries found")
    assert "Traceback" not in captured.err


def test_unknown_command_prints_usage(capsys):
    assert localdb.main(["localdb", "explode"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_url_command_prints_the_connection_url():
    result = subprocess.run(
        [sys.executable, "-m", "smartchunks.localdb", "url"],
        capture_output=True,
        text=True,
        check=True,
        cwd=localdb.BASE_DIR,
    )
    assert result.stdout.strip() == localdb.connection_url()


@pytest.fixture
def throwaway_cluster(monkeypatch):
    """localdb pointed at a fresh folder under /tmp that the server's OS user can enter."""
    shared = (localdb.cluster_dir(), localdb.socket_dir(), localdb.URL_FILE)
    base = Path(tempfile.mkdtemp(prefix="smartchunks-crashtest-", dir="/tmp"))
    base.chmod(0o755)
    monkeypatch.setattr(localdb, "BASE_DIR", base)
    monkeypatch.setattr(localdb, "VAR_DIR", base / "var")
    monkeypatch.setattr(localdb, "URL_FILE", base / "var" / "localdb.url")
    mine = (localdb.cluster_dir(), localdb.socket_dir(), localdb.URL_FILE)
    assert not set(mine) & set(shared), "the throwaway cluster must not touch the shared one"
    try:
        yield base
    finally:
        localdb.stop()
        shutil.rmtree(localdb.socket_dir(), ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)


def _psql(url: str, sql: str) -> str:
    bindir = localdb.find_bindir()
    result = subprocess.run(  # noqa: S603  (the machine's own psql, arguments built here)
        [str(bindir / "psql"), url, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_start_creates_a_cluster_and_saves_its_url(throwaway_cluster):
    url = localdb.start()
    assert localdb.saved_url() == url
    assert _psql(url, "SELECT current_database()") == localdb.DB_NAME
    # A second start is a no-op that answers with the same URL.
    assert localdb.start() == url


def test_start_recovers_after_the_server_was_killed(throwaway_cluster):
    url = localdb.start()
    _psql(url, "CREATE TABLE survivor (note text); INSERT INTO survivor VALUES ('kept')")
    pid_file = localdb.cluster_dir() / "postmaster.pid"
    postmaster = int(pid_file.read_text().splitlines()[0])
    os.kill(postmaster, signal.SIGKILL)

    assert localdb.start() == url
    assert localdb.is_ready(localdb.find_bindir())
    assert _psql(url, "SELECT note FROM survivor") == "kept"
