"""The generated nginx configuration and gunicorn's settings (no servers started here)."""

import importlib
import socket
import subprocess

import pytest
from django.conf import settings

from smartchunks import frontserver, gunicorn_conf


@pytest.fixture
def layout(tmp_path):
    return frontserver.layout_from_settings(run_dir=tmp_path / "nginx", port=18080)


def test_the_body_limit_leaves_room_for_a_full_form_and_one_image(layout):
    assert layout.max_body_bytes == (
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        + settings.MAX_IMAGE_UPLOAD_BYTES
        + frontserver.MULTIPART_OVERHEAD_BYTES
    )
    assert layout.max_body_bytes < 100 * 1024 * 1024


def test_the_configuration_is_what_nginx_accepts(layout):
    user = frontserver.choose_worker_user([])
    config = frontserver.nginx_config(layout, user)
    for folder in (layout.error_log.parent, layout.temp_dir):
        folder.mkdir(parents=True)
    layout.conf.write_text(config)

    checked = subprocess.run(  # noqa: S603
        [
            frontserver.find_nginx(),
            "-t",
            "-p",
            str(layout.run_dir),
            "-c",
            str(layout.conf),
            "-e",
            str(layout.error_log),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert checked.returncode == 0, checked.stderr
    assert f"client_max_body_size {layout.max_body_bytes};" in config
    assert "proxy_request_buffering on;" in config
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
    assert "listen 127.0.0.1:18080" in config


def test_a_long_checkout_path_puts_the_socket_in_tmp(tmp_path):
    deep = tmp_path / ("very-long-folder-name-" * 6) / "var" / "nginx"
    path = frontserver.socket_path(deep)
    assert str(path).startswith("/tmp/smartchunks-web-")  # noqa: S108
    assert len(str(path)) <= frontserver.MAX_SOCKET_PATH


def test_missing_collected_static_files_are_a_clear_error(tmp_path):
    layout = frontserver.Layout(
        run_dir=tmp_path / "nginx",
        host="127.0.0.1",
        port=18080,
        static_root=tmp_path / "no-static",
        media_root=tmp_path / "media",
        max_body_bytes=1,
    )
    with pytest.raises(frontserver.FrontServerError, match="make prepare"):
        frontserver.FrontServer(layout).start()


def test_a_port_in_use_is_a_clear_error(tmp_path):
    static_root = tmp_path / "static"
    static_root.mkdir()
    (static_root / "staticfiles.json").write_text("{}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        layout = frontserver.Layout(
            run_dir=tmp_path / "nginx",
            host="127.0.0.1",
            port=taken.getsockname()[1],
            static_root=static_root,
            media_root=tmp_path / "media",
            max_body_bytes=1,
        )
        with pytest.raises(frontserver.FrontServerError, match="PORT=8080 make run"):
            frontserver.FrontServer(layout).start()


def _reloaded_gunicorn_conf(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(gunicorn_conf)


def test_gunicorn_workers_follow_the_cpu_count_unless_told(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    assert _reloaded_gunicorn_conf(monkeypatch).workers == 5
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 64)
    assert _reloaded_gunicorn_conf(monkeypatch).workers == gunicorn_conf.MAX_DEFAULT_WORKERS
    assert _reloaded_gunicorn_conf(monkeypatch, WEB_CONCURRENCY="3").workers == 3
    monkeypatch.undo()
    importlib.reload(gunicorn_conf)


def test_gunicorn_recycles_workers_at_staggered_times_and_opens_no_control_socket():
    assert gunicorn_conf.max_requests > 0
    assert 0 < gunicorn_conf.max_requests_jitter < gunicorn_conf.max_requests
    assert gunicorn_conf.control_socket_disable is True
    assert gunicorn_conf.graceful_timeout < frontserver.SHUTDOWN_GRACE_SECONDS
    assert gunicorn_conf.secure_scheme_headers == {"X-FORWARDED-PROTO": "https"}
