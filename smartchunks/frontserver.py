"""The front server: a project-local nginx in front of gunicorn, for `make run` and tests.

``python -m smartchunks.frontserver run|config``

``run`` starts gunicorn on a unix socket and nginx on ``BIND_ADDRESS:PORT`` (127.0.0.1:8000),
both in the foreground, until Ctrl-C or SIGTERM; ``config`` prints the nginx configuration.

gunicorn's sync workers each serve one request at a time, so a client that sends its request
slowly (one header line a second, a body at a trickle) holds a worker for as long as it
likes: three of them stopped the site.  nginx reads every request whole, cheaply, before
gunicorn sees it, refuses oversized bodies from their declared length before reading them,
and drops clients that stall.  It also serves ``/static/`` itself and, through the internal
``/_protected_media/`` location, the media files Django allows (``X-Accel-Redirect``).

Like the local PostgreSQL (smartchunks/localdb.py) nothing is installed as a service and
nothing is written outside the checkout: the configuration, logs, temporary files and the
gunicorn socket live in ``var/nginx/`` (the socket in ``/tmp`` when that path would be too
long for a unix socket).  Started as root, nginx drops its workers to an unprivileged user
(``www-data``); they must be able to enter the static and media folders and the socket's.
"""

from __future__ import annotations

import ctypes
import grp
import hashlib
import http.client
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from smartchunks.logging_format import log_format_choice

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_RUN_DIR = BASE_DIR / "var" / "nginx"
NGINX_CANDIDATES = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"]
# Unprivileged users nginx's workers may run as when it is started by root, first found wins.
WORKER_USER_CANDIDATES = ["www-data", "nginx", "nobody"]
PROTECTED_MEDIA_PREFIX = "/_protected_media/"

# Seconds a client may take to send its request headers (all of them), and may stay silent
# while sending a body or reading a response.  Readers on slow phones send a request in well
# under a second; an attacker holding connections open gets cut off quickly.
CLIENT_HEADER_TIMEOUT = 5
CLIENT_BODY_TIMEOUT = 5
SEND_TIMEOUT = 10
KEEPALIVE_TIMEOUT = 15
# Room for the multipart framing (boundaries, part headers) around the form's fields and file.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
# How long a graceful stop waits for requests in flight before giving up on them.
SHUTDOWN_GRACE_SECONDS = 25
# A unix socket path must fit in 108 bytes (sun_path) including the final NUL.
MAX_SOCKET_PATH = 107

# The types the site serves from /static/ and /media/; anything else is a download.
MIME_TYPES = {
    "text/html": "html htm",
    "text/css": "css",
    "text/plain": "txt",
    "text/xml": "xml",
    "application/javascript": "js mjs",
    "application/json": "json map",
    "image/png": "png",
    "image/jpeg": "jpg jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "image/x-icon": "ico",
    "font/woff": "woff",
    "font/woff2": "woff2",
    "font/ttf": "ttf",
    "application/vnd.ms-fontobject": "eot",
}


class FrontServerError(RuntimeError):
    """Raised with one line that tells the person what to do."""


def find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (path for path in NGINX_CANDIDATES if os.access(path, os.X_OK)), None
    )
    if not found:
        raise FrontServerError(
            "nginx is not installed: apt-get install nginx-light (the site runs behind it)."
        )
    return found


def max_request_body_bytes(*, data_upload_max: int, image_upload_max: int) -> int:
    """The largest request nginx lets through: a form's fields plus one image, plus framing.

    Django refuses more form data than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (files not counted)
    and each form takes at most one image of ``MAX_IMAGE_UPLOAD_BYTES``.
    """
    return data_upload_max + image_upload_max + MULTIPART_OVERHEAD_BYTES


def socket_path(run_dir: Path) -> Path:
    local = run_dir / "sock" / "gunicorn.sock"
    if len(str(local)) <= MAX_SOCKET_PATH:
        return local
    digest = hashlib.sha256(str(run_dir).encode()).hexdigest()[:10]
    return Path("/tmp") / f"smartchunks-web-{digest}" / "gunicorn.sock"


@dataclass(frozen=True)
class WorkerUser:
    """Who nginx's worker processes run as; ``name`` None keeps the current user."""

    name: str | None
    group: str | None
    uid: int
    gid: int


def _can_enter(user: str, folder: Path) -> bool:
    probe = ["runuser", "-u", user, "--", "test", "-x", str(folder)]
    return subprocess.run(probe, check=False).returncode == 0


def choose_worker_user(needed: list[Path]) -> WorkerUser:
    """An unprivileged user that can enter every folder in ``needed`` (only matters as root).

    When none can (a checkout under /root, mode 700), the workers run as the checkout's
    owner, as they would for anyone not root, and a note says how to avoid it.
    """
    if os.geteuid() != 0:
        return WorkerUser(None, None, os.getuid(), os.getgid())
    wanted = os.environ.get("SMARTCHUNKS_NGINX_USER")
    candidates = [wanted] if wanted else WORKER_USER_CANDIDATES
    for name in candidates:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if all(_can_enter(name, folder) for folder in needed):
            return WorkerUser(name, grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid)
        if wanted:
            raise FrontServerError(
                f"SMARTCHUNKS_NGINX_USER={wanted} cannot enter all of "
                f"{', '.join(map(str, needed))}: give it access (chmod o+x on the parents)."
            )
    owner = pwd.getpwuid(BASE_DIR.stat().st_uid)
    print(
        f"note: nginx's workers run as {owner.pw_name}: {', '.join(candidates)} cannot enter "
        f"{BASE_DIR}. Allow them (chmod o+x on its parent folders) to run them unprivileged.",
        file=sys.stderr,
    )
    return WorkerUser(owner.pw_name, grp.getgrgid(owner.pw_gid).gr_name, owner.pw_uid, owner.pw_gid)


@dataclass(frozen=True)
class Layout:
    """Every path and number the nginx configuration is made of."""

    run_dir: Path
    host: str
    port: int
    static_root: Path
    media_root: Path
    max_body_bytes: int
    # With a media bucket: scheme://host[:port] of its signed URLs, and the DNS servers nginx
    # asks for that host (smartchunks/media/object_storage.py); "" keeps media on disk.
    media_bucket_origin: str = ""
    resolver: str = ""
    # Page-cache hits answered from files (smartchunks/front_cache.py): the folder holding
    # the link to the current generation's files, the link's name, the release folder under
    # it, the hit's headers and the cookies that keep a request away from the files; None: off.
    front_cache_root: Path | None = None
    front_cache_link: str = ""
    front_cache_release: str = ""
    front_cache_headers: tuple[tuple[str, str], ...] = ()
    front_cache_cookies: tuple[str, ...] = ()

    @property
    def conf(self) -> Path:
        return self.run_dir / "nginx.conf"

    @property
    def error_log(self) -> Path:
        return self.run_dir / "logs" / "error.log"

    @property
    def access_log(self) -> Path:
        return self.run_dir / "logs" / "access.log"

    @property
    def temp_dir(self) -> Path:
        return self.run_dir / "tmp"

    @property
    def nginx_pid(self) -> Path:
        return self.run_dir / "nginx.pid"

    @property
    def gunicorn_pid(self) -> Path:
        return self.run_dir / "gunicorn.pid"

    @property
    def socket(self) -> Path:
        return socket_path(self.run_dir)

    @property
    def listen(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.listen}"


def layout_from_settings(
    *, run_dir: Path | None = None, host: str | None = None, port: int | None = None
) -> Layout:
    """The layout for this checkout, from Django's settings and the environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartchunks.settings")
    from django.conf import settings

    return Layout(
        run_dir=Path(run_dir or os.environ.get("SMARTCHUNKS_FRONT_DIR") or DEFAULT_RUN_DIR),
        host=host or os.environ.get("BIND_ADDRESS", "127.0.0.1"),
        port=int(port or os.environ.get("PORT", "8000")),
        static_root=Path(settings.STATIC_ROOT),
        media_root=Path(settings.MEDIA_ROOT),
        max_body_bytes=max_request_body_bytes(
            data_upload_max=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            image_upload_max=settings.MAX_IMAGE_UPLOAD_BYTES,
        ),
        **_media_bucket(settings),
        **_front_cache(settings),
    )


def _front_cache(settings) -> dict:
    if not (settings.FRONT_CACHE_ENABLED and settings.PAGE_CACHE_ENABLED):
        return {}
    import django

    django.setup()  # the generation store and the release digest need the apps
    from smartchunks import front_cache, page_cache

    return front_cache.nginx_settings(
        release=page_cache.release(), private_cookies=page_cache._private_cookies()
    )


def _media_bucket(settings) -> dict[str, str]:
    if not settings.MEDIA_BUCKET:
        return {}
    from django.core.files.storage import storages

    from smartchunks.media.object_storage import bucket_origin

    origin = bucket_origin(storages["default"])
    return {
        "media_bucket_origin": origin,
        "resolver": settings.NGINX_RESOLVER or system_resolver(),
    }


RESOLV_CONF = Path("/etc/resolv.conf")


def system_resolver(resolv_conf: Path = RESOLV_CONF) -> str:
    """The machine's DNS servers, as nginx's ``resolver`` wants them ("" if none)."""
    try:
        lines = resolv_conf.read_text().splitlines()
    except OSError:
        return ""
    servers = []
    for line in lines:
        fields = line.split()
        # A link-local address with its zone ("fe80::1%eth0") is one nginx cannot use.
        if len(fields) >= 2 and fields[0] == "nameserver" and "%" not in fields[1]:
            address = fields[1]
            servers.append(f"[{address}]" if ":" in address else address)
    return " ".join(servers)


# Headers of the bucket's answer that are the bucket's business, not a reader's: request
# ids, checksums, encryption and storage details (AWS S3, MinIO, R2 and moto send these).
# nginx hides headers by name only: user metadata (x-amz-meta-<anything>) would pass, so
# none is ever written (the storage sets none; nobody should add any by hand).
BUCKET_HEADERS_HIDDEN = (
    "x-amz-id-2",
    "x-amz-request-id",
    "x-amzn-requestid",
    "x-amz-version-id",
    "x-amz-delete-marker",
    "x-amz-expiration",
    "x-amz-restore",
    "x-amz-storage-class",
    "x-amz-replication-status",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-bucket-key-enabled",
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-tagging-count",
    "x-amz-mp-parts-count",
    "x-amz-object-lock-mode",
    "x-amz-object-lock-retain-until-date",
    "x-amz-object-lock-legal-hold",
    "x-amz-website-redirect-location",
    "x-amz-content-sha256",
    "x-amz-sdk-checksum-algorithm",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "x-amz-checksum-type",
    "x-amz-bucket-region",
    "x-minio-deployment-id",
    "x-content-type-options",
    "x-xss-protection",
    "strict-transport-security",
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-expose-headers",
    "content-security-policy",
    "cf-ray",
    "vary",
    "set-cookie",
    "cache-control",
    "expires",
    "content-disposition",
)
CA_CERTIFICATES = Path("/etc/ssl/certs/ca-certificates.crt")


def protected_media_location(layout: Layout) -> str:
    """The internal location X-Accel-Redirect sends allowed /media/ requests to: the media
    folder, or with a bucket, the bucket itself through the signed URL Django made."""
    if not layout.media_bucket_origin:
        return f"""        # Media files Django has allowed (X-Accel-Redirect); unreachable from outside.
        location {PROTECTED_MEDIA_PREFIX} {{
            internal;
            alias {layout.media_root}/;
            add_header X-Content-Type-Options nosniff;
        }}"""
    origin = layout.media_bucket_origin
    host = urlsplit(origin).hostname or ""
    needs_resolver = not _is_ip_address(host)
    if needs_resolver and not layout.resolver:
        raise FrontServerError(
            f"nginx needs a DNS server to reach the media bucket at {host}: none found in "
            f"{RESOLV_CONF}; set SMARTCHUNKS_NGINX_RESOLVER (e.g. 127.0.0.53)."
        )
    resolver = f"resolver {layout.resolver} valid=60s;\n            " if needs_resolver else ""
    tls = ""
    if origin.startswith("https:"):
        tls = "proxy_ssl_server_name on;\n            "
        if CA_CERTIFICATES.exists():
            tls += (
                f"proxy_ssl_verify on;\n            "
                f"proxy_ssl_trusted_certificate {CA_CERTIFICATES};\n            "
            )
    hidden = "\n            ".join(f"proxy_hide_header {name};" for name in BUCKET_HEADERS_HIDDEN)
    return f"""        # Media files Django has allowed: X-Accel-Redirect carries the path and query of a
        # short-lived signed URL of the bucket; nginx fetches the object with it and streams
        # it to the reader.  Unreachable from outside (internal).  Only the reader's
        # conditional and range headers go to the bucket: never their cookies.  The answer
        # keeps the headers Django set (Cache-Control first of all); the bucket's own are
        # dropped, and a vanished object is a 404 like any other.
        location ~ ^{PROTECTED_MEDIA_PREFIX}(?<media_object>.*)$ {{
            internal;
            {resolver}{tls}proxy_pass {origin}/$media_object$is_args$args;
            proxy_method GET;
            proxy_pass_request_headers off;
            proxy_pass_request_body off;
            proxy_set_header If-None-Match $http_if_none_match;
            proxy_set_header If-Modified-Since $http_if_modified_since;
            proxy_set_header Range $http_range;
            proxy_set_header If-Range $http_if_range;
            proxy_connect_timeout 5s;
            # A hung bucket must not hold a reader, and an nginx connection, for long: 10 s
            # without a byte is its 502 page.  This is between two reads, not the whole
            # transfer, so a big image from a slow but working bucket is unaffected.
            proxy_read_timeout 10s;
            proxy_headers_hash_bucket_size 128;  # room for the long x-amz-* names below
            proxy_ignore_headers Set-Cookie Cache-Control Expires X-Accel-Expires X-Accel-Redirect;
            {hidden}
            proxy_intercept_errors on;
            error_page 404 =404 @media_missing;
            # A refusal (keys, clock) or a redirect (which would hand the reader a bucket
            # address) is a misconfigured bucket: the site's 502 page, which monitoring sees.
            error_page 301 302 307 308 400 403 500 502 503 504 =502 @media_unavailable;
            add_header X-Content-Type-Options nosniff;
        }}
        # No "types" here: the type would come from the name's extension (an image's).
        location @media_missing {{
            types {{ }}
            default_type text/plain;
            return 404 "Not found\n";
        }}
        location @media_unavailable {{
            types {{ }}
            default_type text/html;
            return 502 {_nginx_string((ERROR_PAGES_DIR / ERROR_PAGES[502]).read_text())};
        }}"""


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# The site's own pages for what nginx answers itself.  A named location that returns the
# page keeps a 413 immediate: an error_page pointing at a file makes nginx read (and throw
# away) the whole oversized body first.
ERROR_PAGES = {413: "too_large.html", 502: "unavailable.html", 504: "unavailable.html"}
ERROR_PAGES_DIR = BASE_DIR / "templates" / "frontserver"


def _nginx_string(text: str) -> str:
    if "$" in text:
        raise FrontServerError("An nginx error page may not contain '$' (nginx variables).")
    one_line = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return "'" + one_line.replace("\\", "\\\\").replace("'", "\\'") + "'"


def error_page_locations() -> str:
    blocks = []
    for status, page in ERROR_PAGES.items():
        body = _nginx_string((ERROR_PAGES_DIR / page).read_text())
        blocks.append(
            f"        error_page {status} @error_{status};\n"
            f"        location @error_{status} {{\n"
            f"            default_type text/html;\n"
            f"            return {status} {body};\n"
            f"        }}"
        )
    return "\n".join(blocks)


# One access line, in the shape and with the fields of gunicorn's (logging_format.py).
ACCESS_LOG_MESSAGE = (
    '$remote_addr "$request" $status $body_bytes_sent ${request_time}s "$http_user_agent"'
)


def access_log_format(chosen: str) -> str:
    """nginx's ``log_format smartchunks`` line for DJANGO_LOG_FORMAT text or json."""
    if chosen == "json":
        # nginx reads \\ as \ and \" as ": this writes \" into the JSON string.
        message = ACCESS_LOG_MESSAGE.replace('"', '\\\\\\"')
        fields = (
            '{"time":"$time_iso8601","level":"INFO","logger":"nginx.access",'
            f'"message":"{message}","request_id":"$request_id"}}'
        )
        return f"    log_format smartchunks escape=json '{fields}';"
    line = f"$time_iso8601 INFO nginx.access [req=$request_id] {ACCESS_LOG_MESSAGE}"
    return f"    log_format smartchunks escape=default '{line}';"


def _nginx_regex_literal(text: str) -> str:
    return "".join(f"\\{char}" if not char.isalnum() and char != "_" else char for char in text)


def front_cache_maps(layout: Layout) -> str:
    """The maps that pick the file a request may be answered from (smartchunks/front_cache.py):
    the same rules as page_cache.page_key and front_cache.relative_path."""
    if layout.front_cache_root is None:
        return ""
    cookies = "|".join(_nginx_regex_literal(name) for name in layout.front_cache_cookies)
    prefixes = "|".join(
        _nginx_regex_literal(prefix.strip("/"))
        for prefix in ("admin", "ckeditor", "preview", "media", "static")
    )
    return f"""
    # Page-cache hits from files (smartchunks/front_cache.py).  Only a GET or HEAD with no
    # newsroom cookie and no Authorization, outside the newsroom's and media paths, whose
    # address has nothing to decode (slug segments, at most ?page=N), looks for a file.
    map $request_method $front_cache_method {{
        GET 1;
        HEAD 1;
        default 0;
    }}
    map $http_cookie $front_cache_cookie {{
        "~({cookies})" 0;
        default 1;
    }}
    map $http_authorization $front_cache_authorization {{
        "" 1;
        default 0;
    }}
    map $request_uri $front_cache_file {{
        "~^/({prefixes})/" "";
        "~^(?<front_cache_path>/(?:[A-Za-z0-9_-]+/)*)$" "${{front_cache_path}}index.html";
        "~^(?<front_cache_paged>/(?:[A-Za-z0-9_-]+/)*)\\?page=(?<front_cache_page>[0-9]{{1,6}})$"
            "${{front_cache_paged}}index.page-${{front_cache_page}}.html";
        default "";
    }}
    map $http_host $front_cache_host {{
        "~^(?<front_cache_h>[a-z0-9-]+(?:\\.[a-z0-9-]+)*(?::[0-9]{{1,5}})?)$" $front_cache_h;
        default "";
    }}
    # "/-/none" is never written: the request goes on to gunicorn.
    map "$front_cache_method$front_cache_cookie$front_cache_authorization|$front_cache_host|$front_cache_file" $front_cache_try {{
        "~^111\\|(?<front_cache_th>[^|]+)\\|(?<front_cache_tf>/[^|]+)$"
            "/{layout.front_cache_link}/{layout.front_cache_release}/$scheme/$front_cache_th$front_cache_tf";
        default "/-/none";
    }}
"""


def _nginx_header_value(value: str) -> str:
    if any(char in value for char in '$"\\\n\r'):
        raise FrontServerError(f"A page-cache header cannot be written for nginx: {value!r}")
    return f'"{value}"'


def front_cache_location(layout: Layout) -> str:
    """``location /``: a file of the current generation if there is one, else gunicorn."""
    if layout.front_cache_root is None:
        return """        location / {
            try_files /-/none @app;
        }"""
    headers = "\n".join(
        f"            add_header {name} {_nginx_header_value(value)};"
        for name, value in layout.front_cache_headers
        if name.lower() != "content-type"
    )
    return f"""        location / {{
            root {layout.front_cache_root};
            try_files $front_cache_try @app;
            # The link to the current generation moves on every write: no cached file
            # handles, and symlinks followed (nginx's defaults, stated here because the cache
            # depends on them).
            open_file_cache off;
            disable_symlinks off;
            types {{ }}
            default_type "text/html; charset=utf-8";
{headers}
            # The file's time is made up from its content (smartchunks/front_cache.py): a date
            # that jumps back and forth would tell a CDN comparing dates that a new page is
            # older.  The ETag alone validates (If-Modified-Since is still tested first, so
            # only a client holding that very date could use it).
            add_header Last-Modified "";
            add_header X-Request-ID $request_id;
        }}"""


def nginx_config(layout: Layout, user: WorkerUser) -> str:
    error_pages = error_page_locations()
    types = "\n".join(f"        {mime} {exts};" for mime, exts in MIME_TYPES.items())
    user_line = f"user {user.name} {user.group};" if os.geteuid() == 0 and user.name else ""
    temp = layout.temp_dir
    return f"""# Generated by smartchunks/frontserver.py on every start: edit that file, not this one.
{user_line}
worker_processes auto;
daemon off;
pid {layout.nginx_pid};
error_log {layout.error_log} warn;
# A graceful stop (QUIT) waits at most this long for requests in flight.
worker_shutdown_timeout {SHUTDOWN_GRACE_SECONDS}s;

events {{
    worker_connections 1024;
}}

http {{
    types {{
{types}
    }}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    # The shape of every other log line (smartchunks/logging_format.py): time, level, logger,
    # request id, message; its fields as gunicorn's access line has them.  Everything a
    # client wrote is escaped (default: quote, backslash and control bytes as \\xNN).
{access_log_format(log_format_choice())}
    access_log {layout.access_log} smartchunks;

    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;

    # Slow clients are nginx's problem, never a gunicorn worker's.
    client_header_timeout {CLIENT_HEADER_TIMEOUT}s;
    client_body_timeout {CLIENT_BODY_TIMEOUT}s;
    send_timeout {SEND_TIMEOUT}s;
    keepalive_timeout {KEEPALIVE_TIMEOUT}s;
    keepalive_requests 1000;
    reset_timedout_connection on;
    # Refused from the declared Content-Length with 413, before the body is read.
    client_max_body_size {layout.max_body_bytes};
    client_body_buffer_size 128k;

    # Hashed names (whitenoise's manifest) never change content: cache them for a year.
    map $uri $static_cache_control {{
        "~\\.[0-9a-f]{{12}}\\.[A-Za-z0-9]+$" "public, max-age=31536000, immutable";
        default "public, max-age=60";
    }}

{front_cache_maps(layout)}
    upstream gunicorn {{
        server unix:{layout.socket} fail_timeout=0;
    }}

    server {{
        listen {layout.listen} default_server;
        server_name _;
{error_pages}

        location /static/ {{
            alias {layout.static_root}/;
            gzip_static on;
            gzip_vary on;
            add_header Cache-Control $static_cache_control;
            add_header X-Content-Type-Options nosniff;
        }}

{protected_media_location(layout)}

{front_cache_location(layout)}

        location @app {{
            proxy_pass http://gunicorn;
            proxy_request_buffering on;
            proxy_buffering on;
            proxy_redirect off;
            proxy_connect_timeout 5s;
            proxy_read_timeout 60s;
            proxy_send_timeout 60s;
            proxy_set_header Host $http_host;
            # The id of this line in nginx's access log; Django logs and returns it.
            proxy_set_header X-Request-ID $request_id;
            # Replaced, never appended to: whatever the client wrote is dropped.
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            # gunicorn would also read these as "https"; only X-Forwarded-Proto speaks for us.
            proxy_set_header X-Forwarded-Ssl "";
            proxy_set_header X-Forwarded-Protocol "";
            proxy_set_header X-Forwarded-Host "";
            proxy_set_header X-Forwarded-Port "";
        }}
    }}
}}
"""


def _die_with_parent() -> None:
    """Run in the child: get SIGTERM if the supervisor dies, so nothing is left behind."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _prepare_dirs(layout: Layout, user: WorkerUser) -> None:
    for folder in (layout.run_dir, layout.error_log.parent, layout.temp_dir):
        folder.mkdir(parents=True, exist_ok=True)
    layout.media_root.mkdir(parents=True, exist_ok=True)
    # Only nginx's workers (and root) may enter the socket's folder: whoever can reach
    # gunicorn directly could write their own X-Forwarded-For.
    sock_dir = layout.socket.parent
    sock_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chown(sock_dir, 0, user.gid)
        sock_dir.chmod(0o750)
    else:
        sock_dir.chmod(0o700)


def _check_port_free(layout: Layout) -> None:
    family = socket.AF_INET6 if ":" in layout.host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((layout.host.strip("[]"), layout.port))
        except OSError as error:
            raise FrontServerError(
                f"Cannot listen on {layout.listen} ({error.strerror}): "
                "choose another port, e.g. PORT=8080 make run."
            ) from error


def _check_static(layout: Layout) -> None:
    if not (layout.static_root / "staticfiles.json").exists():
        raise FrontServerError(
            f"No collected static files in {layout.static_root}: run `make prepare` "
            "(or manage.py collectstatic) first."
        )


class FrontServer:
    """gunicorn and nginx as children of this process, stopped gracefully together."""

    def __init__(self, layout: Layout, *, env: dict[str, str] | None = None):
        self.layout = layout
        self.env = dict(os.environ if env is None else env)
        self.gunicorn: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.drained = False
        self.front_cache_watcher = None

    def gunicorn_env(self) -> dict[str, str]:
        front = {"SMARTCHUNKS_FRONT_CACHE_WRITER": "1"} if self.layout.front_cache_root else {}
        return {
            **self.env,
            **front,
            # nginx writes exactly one X-Forwarded-For entry, the address it saw.
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "SMARTCHUNKS_MEDIA_ACCEL_PREFIX": PROTECTED_MEDIA_PREFIX,
            # Present while this server drains before stopping: /readyz then answers 503.
            "SMARTCHUNKS_DRAIN_FILE": str(self.drain_file),
        }

    @property
    def drain_file(self) -> Path:
        return self.layout.run_dir / "draining"

    def start(self) -> None:
        nginx = find_nginx()
        _check_static(self.layout)
        _check_port_free(self.layout)
        needed = [self.layout.static_root, self.layout.media_root, self.layout.run_dir]
        self.layout.media_root.mkdir(parents=True, exist_ok=True)
        if self.layout.front_cache_root is not None:
            from smartchunks import front_cache

            self.front_cache_watcher = front_cache.start_watcher()
            needed.append(self.layout.front_cache_root)
        self.layout.run_dir.mkdir(parents=True, exist_ok=True)
        self.drain_file.unlink(missing_ok=True)  # left by a server that was killed mid-drain
        user = choose_worker_user(needed)
        _prepare_dirs(self.layout, user)
        self.layout.conf.write_text(nginx_config(self.layout, user))
        self.gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:smartchunks.gunicorn_conf",
                "--bind",
                f"unix:{self.layout.socket}",
                "--pid",
                str(self.layout.gunicorn_pid),
            ],
            cwd=BASE_DIR,
            env=self.gunicorn_env(),
            process_group=0,  # Ctrl-C reaches this supervisor only; it stops them in order
            preexec_fn=_die_with_parent,
        )
        self._wait_for(lambda: self.layout.socket.exists(), "gunicorn's socket", self.gunicorn)
        if self.stopping.is_set():
            return
        self.nginx = subprocess.Popen(
            [
                nginx,
                "-p",
                str(self.layout.run_dir),
                "-c",
                str(self.layout.conf),
                "-e",
                str(self.layout.error_log),
            ],
            cwd=self.layout.run_dir,
            env=self.env,
            process_group=0,
            preexec_fn=_die_with_parent,
        )
        self._wait_for(self._answers, f"the site at {self.layout.url}", self.nginx)

    def _answers(self) -> bool:
        """True once gunicorn answers through nginx (a 502 means gunicorn is still booting)."""
        connection = http.client.HTTPConnection(self.layout.host, self.layout.port, timeout=5)
        try:
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            return connection.getresponse().status not in (502, 504)
        except OSError:
            return False
        finally:
            connection.close()

    def _wait_for(self, ready, what: str, process: subprocess.Popen, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping.is_set():
            if process.poll() is not None:
                self.stop()
                raise FrontServerError(f"{what} did not come up: {self._exit_reason(process)}")
            if ready():
                return
            time.sleep(0.1)
        if not self.stopping.is_set():
            self.stop()
            raise FrontServerError(f"{what} did not come up within {timeout:.0f} s")

    def _exit_reason(self, process: subprocess.Popen) -> str:
        if process is self.nginx:
            return f"nginx exited ({self._error_log_tail() or 'no message'})"
        return f"gunicorn exited with status {process.returncode} (see its output above)"

    def _error_log_tail(self) -> str:
        try:
            lines = self.layout.error_log.read_text().strip().splitlines()
        except FileNotFoundError:
            return ""
        return lines[-1] if lines else ""

    def wait(self) -> int:
        """Block until asked to stop or until a child dies; then stop both."""
        while not self.stopping.wait(0.5):
            for process in (self.nginx, self.gunicorn):
                if process is not None and process.poll() is not None:
                    print(f"error: {self._exit_reason(process)}; stopping.", file=sys.stderr)
                    self.stop()
                    return 1
            # Without it nginx would serve a generation past its end (front_cache.py).
            if self.front_cache_watcher is not None and not self.front_cache_watcher.alive():
                print("error: the front cache's expiry watcher stopped; stopping.", file=sys.stderr)
                self.stop()
                return 1
        self.stop()
        return 0

    def stop(self) -> None:
        """nginx first (QUIT: finish requests in flight, accept no new ones), then gunicorn
        (TERM: workers finish their request): nginx still needs gunicorn for what it holds.

        With ``SMARTCHUNKS_DRAIN_SECONDS``, first that long of serving every request while
        /readyz answers 503: a load balancer takes the machine out of rotation before
        nginx stops accepting connections, so no reader's connection is refused."""
        self.stopping.set()
        self._drain()
        self._stop(self.nginx, signal.SIGQUIT, SHUTDOWN_GRACE_SECONDS + 5)
        self._stop(self.gunicorn, signal.SIGTERM, SHUTDOWN_GRACE_SECONDS + 5)

    def _drain(self) -> None:
        seconds = float(self.env.get("SMARTCHUNKS_DRAIN_SECONDS") or 0)
        running = [p for p in (self.nginx, self.gunicorn) if p is not None and p.poll() is None]
        if seconds <= 0 or len(running) < 2 or self.drained:
            return
        self.drained = True
        self.drain_file.touch()
        print(f"Draining for {seconds:g} s (/readyz answers 503), then stopping.", flush=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and all(p.poll() is None for p in running):
            time.sleep(0.1)

    @staticmethod
    def _stop(process: subprocess.Popen | None, how: signal.Signals, grace: float) -> None:
        if process is None or process.poll() is not None:
            return
        process.send_signal(how)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def default_announcement(url: str) -> list[str]:
    return [
        f"Serving on {url}/  (admin: {url}/admin/)  nginx in front of gunicorn; Ctrl-C stops both."
    ]


def run(announce: Callable[[str], list[str]] = default_announcement) -> int:
    """Serve until Ctrl-C or SIGTERM; ``announce`` gives the lines printed once the site
    answers (smartchunks/site_start.py adds the admin login to them)."""
    layout = layout_from_settings()
    server = FrontServer(layout)

    def request_stop(signum, _frame):
        server.stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    server.start()
    if server.stopping.is_set():
        server.stop()
        return 0
    # One write: gunicorn's access log shares this output and must not land mid-block.
    sys.stdout.write("".join(f"{line}\n" for line in announce(layout.url)))
    sys.stdout.flush()
    return server.wait()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "run"
    try:
        if command == "run":
            return run()
        if command == "config":
            layout = layout_from_settings()
            print(nginx_config(layout, choose_worker_user([])), end="")
            return 0
    except FrontServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("usage: python -m smartchunks.frontserver run|config", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
