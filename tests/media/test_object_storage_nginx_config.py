"""The front server's configuration with a media bucket (no servers started here).

The stack test (test_object_storage_front_server.py) runs it against moto on 127.0.0.1 over
plain HTTP; production buckets have a host name and HTTPS, which nginx must resolve at run
time (the bucket's addresses change) and verify: checked here with ``nginx -t``.
"""

from __future__ import annotations

import subprocess

import pytest

from smartchunks import frontserver
from tests.helpers.object_storage import Bucket


def layout_for(tmp_path, bucket: Bucket, settings, *, resolver: str = "192.0.2.53"):
    settings.MEDIA_BUCKET = bucket.name
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage_settings()}
    settings.NGINX_RESOLVER = resolver
    return frontserver.layout_from_settings(run_dir=tmp_path / "nginx", port=18080)


def accepted_by_nginx(layout) -> subprocess.CompletedProcess:
    config = frontserver.nginx_config(layout, frontserver.choose_worker_user([]))
    for folder in (layout.error_log.parent, layout.temp_dir):
        folder.mkdir(parents=True, exist_ok=True)
    layout.conf.write_text(config)
    return subprocess.run(  # noqa: S603
        [frontserver.find_nginx(), "-t", "-p", str(layout.run_dir), "-c", str(layout.conf)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_bucket_with_a_host_name_is_resolved_at_run_time_over_verified_https(tmp_path, settings):
    bucket = Bucket("smartchunks-media", "https://objects.example.net")
    layout = layout_for(tmp_path, bucket, settings)
    assert layout.media_bucket_origin == "https://objects.example.net"
    checked = accepted_by_nginx(layout)
    assert checked.returncode == 0, checked.stderr
    config = layout.conf.read_text()
    location = config[config.index("location ~ ^/_protected_media/") :]
    assert "internal;" in location
    assert "resolver 192.0.2.53 valid=60s;" in location
    assert "proxy_pass https://objects.example.net/$media_object$is_args$args;" in location
    assert "proxy_ssl_server_name on;" in location
    assert "proxy_ssl_verify on;" in location
    # The reader's cookies never travel to the bucket; only conditions and ranges do.
    assert "proxy_pass_request_headers off;" in location
    assert "proxy_hide_header x-amz-request-id;" in location
    assert "alias" not in location, "no media folder is served with a bucket"


def test_on_aws_the_signed_urls_host_is_the_buckets_own(tmp_path, settings):
    bucket = Bucket("smartchunks-media", "")
    layout = layout_for(tmp_path, bucket, settings)
    assert layout.media_bucket_origin == "https://smartchunks-media.s3.amazonaws.com"
    assert accepted_by_nginx(layout).returncode == 0


def test_the_dns_servers_come_from_resolv_conf(tmp_path):
    resolv = tmp_path / "resolv.conf"
    resolv.write_text(
        "# generated\nsearch example.net\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\n"
        "nameserver 2001:db8::53\n"
    )
    assert frontserver.system_resolver(resolv) == "10.0.0.2 [2001:db8::53]"
    assert frontserver.system_resolver(tmp_path / "missing") == ""


def test_no_dns_server_for_a_named_bucket_is_a_clear_error(tmp_path, settings, monkeypatch):
    monkeypatch.setattr(frontserver, "system_resolver", lambda *a: "")
    layout = layout_for(
        tmp_path, Bucket("media", "https://objects.example.net"), settings, resolver=""
    )
    with pytest.raises(frontserver.FrontServerError, match="SMARTCHUNKS_NGINX_RESOLVER"):
        frontserver.nginx_config(layout, frontserver.choose_worker_user([]))


def test_a_bucket_on_an_address_needs_no_resolver(tmp_path, settings):
    layout = layout_for(tmp_path, Bucket("media", "http://127.0.0.1:9000"), settings, resolver="")
    checked = accepted_by_nginx(layout)
    assert checked.returncode == 0, checked.stderr
    assert "resolver" not in layout.conf.read_text()


def test_without_a_bucket_the_media_folder_is_served_as_before(tmp_path):
    layout = frontserver.layout_from_settings(run_dir=tmp_path / "nginx", port=18080)
    assert layout.media_bucket_origin == ""
    config = frontserver.nginx_config(layout, frontserver.choose_worker_user([]))
    assert f"alias {layout.media_root}/;" in config
