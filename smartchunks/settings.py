"""Smart Chunks settings: one file, read from the environment in one place.

Every variable is documented in docs/operator-guide.md ("Configuration").  Production
(``DJANGO_ENV=production``) refuses to start without what it needs.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from smartchunks import localdb, logging_format

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("DJANGO_ENV", "development")
IS_PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    if IS_PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    # Development: one random key per checkout, kept in git-ignored var/.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or (None if IS_PRODUCTION else localdb.saved_url())
    if not url:
        raise ImproperlyConfigured(
            "No database: set DATABASE_URL, or run `make db` to start the local PostgreSQL."
        )
    return url


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
if IS_PRODUCTION and not os.environ.get("DJANGO_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "ckeditor",
    "ckeditor_uploader",
    "reversion",
    "easy_thumbnails",
    # Drag-and-drop order of the article's TL;DR, FAQ and sources (its static files).
    "adminsortable2",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "authors",
    "articles",
]

MIDDLEWARE = [
    # First, so it stores pages with every header the others add; it also answers cache
    # hits for anything not served through smartchunks/wsgi.py (which answers them earlier).
    "smartchunks.page_cache.PageCacheMiddleware",
    # Below the cache (a hit reads no database), above everything that reads: an anonymous
    # reader's request reads from a replica that has caught up, if there is one.
    "smartchunks.replicas.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # The admin's and CKEditor's own policy on the paths the readers' policy leaves out.
    "smartchunks.middleware.NewsroomContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database outage is a styled 503 with Retry-After, never a 500 (smartchunks/outage.py).
    "smartchunks.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Above CommonMiddleware and CSRF, so it also marks the responses they make themselves
    # (the add-a-slash redirect, a CSRF refusal).  It reads request.user on the way out,
    # which AuthenticationMiddleware below has set by then.
    "smartchunks.middleware.PrivateResponsesMiddleware",
    # A NUL in the address or a form is a clean 400, before anything can query with it.
    "smartchunks.bad_requests.RefuseNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks whether this session has passed the second factor (request.user.is_verified()),
    # then keeps newsroom accounts that have not passed it at the two-factor step (authors/sign_in/).
    "django_otp.middleware.OTPMiddleware",
    "authors.sign_in.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees authentication failures from the views above it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smartchunks.urls"
WSGI_APPLICATION = "smartchunks.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartchunks.context_processors.site",
                "smartchunks.context_processors.navigation",
            ],
            # The reader's template tags live with the reader package, not in an app's
            # templatetags/ folder (articles/reader/templatetags.py).
            "libraries": {"reader": "articles.reader.templatetags"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        _database_url(),
        # Persistent connections: measured ~10x faster pages than reconnecting per request.
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A server that is gone must not hold a request: give up connecting after a few seconds, so
# the outage page (smartchunks/outage.py) and /healthz answer promptly (libpq's minimum is 2).
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "2"))
)
# The reader's compiled queries (articles/reader/compiled_query.py) are prepared on the
# connection after this many runs, so PostgreSQL stops planning them per request (planning
# cost more than running them); Django's own queries bind on the client and are never
# prepared.  "off" behind a pooler that cannot keep prepared statements (PgBouncer before
# 1.21 in transaction mode).
_prepare_threshold = os.environ.get("DJANGO_DB_PREPARE_THRESHOLD", "2").strip().lower()
DATABASES["default"]["OPTIONS"].setdefault(
    "prepare_threshold", None if _prepare_threshold in ("off", "") else int(_prepare_threshold)
)
# Prepared, they run PostgreSQL's generic plan from the first run (only they are prepared, so
# nothing else is affected).  Left to choose, PostgreSQL kept planning the neighbour query per
# run at 100,000 articles (its generic estimate looked worse): 2.0 ms a run against 0.7 ms.
if _prepare_threshold not in ("off", ""):
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c plan_cache_mode=force_generic_plan")
# ...and a server that stops answering mid-query neither: a request's query that has waited
# this long has its connection cut and the request gets the 503 (smartchunks/stalled_queries.py).
# Our pages' queries take milliseconds; 0 turns the watchdog off.
DB_STALL_SECONDS = float(os.environ.get("DJANGO_DB_STALL_SECONDS", "2"))
# Parallel test runs on one server (several checkouts, or helpers) need distinct test databases.
if os.environ.get("DJANGO_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DB_NAME"]}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(
        "Smart Chunks runs on PostgreSQL only: DATABASE_URL must be postgres://"
    )

# Read replicas (streaming replicas of the primary): anonymous readers' pages are read from
# them, everything else from the primary (smartchunks/replicas.py says when a replica may be
# used: only once it has replayed every write the current page generation knows of).
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _replica = dj_database_url.parse(
        _url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    if not _replica["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must be postgres:// URLs")
    # The primary's timeouts and prepared-statement options, unless the URL sets its own.
    _replica["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], **_replica.get("OPTIONS", {})}
    # Tests never create a replica's database: reads there see the test database.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(f"replica_{_number}")
    DATABASES[DATABASE_REPLICAS[-1]] = _replica
DATABASE_ROUTERS = ["smartchunks.replicas.ReplicaRouter"] if DATABASE_REPLICAS else []
# A replica that failed (down, refused, cut off) is left alone this long before it is tried again.
DATABASE_REPLICA_RETRY_SECONDS = float(os.environ.get("DATABASE_REPLICA_RETRY_SECONDS", "5"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins from a locked-out client before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A username+address pair is locked after AXES_FAILURE_LIMIT failures (axes' own rule); one
# address, whatever usernames it tries, after LOGIN_ADDRESS_FAILURE_LIMIT (our handler adds it,
# authors/sign_in/lockout.py).  Wrong second-factor codes count as failures too.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout are refused unread, so the cool-off counts down (Retry-After holds).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "authors.sign_in.lockout.PairAndAddressLockout"
# 429 with Retry-After and one message whether or not the username exists.
AXES_LOCKOUT_CALLABLE = "authors.sign_in.lockout.lockout_response"
# Kept out of axes' attempt records (its defaults plus the second-factor code).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_CLIENT_IP_CALLABLE = "smartchunks.client_ip.client_ip"
# How many proxies we run in front of gunicorn (load balancer, nginx): 0 trusts no header.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
# Answer /media/ from Django, which decides who may have each file: an unpublished
# article's images are the newsroom's only (articles/reader/media.py).  Turning it off
# leaves /media/ to whatever serves it then, which must apply the same rule.
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=True)
# With a front server (nginx): Django answers an allowed /media/ request with an empty
# response and "X-Accel-Redirect: <prefix><name>", and nginx sends the file from an
# internal location aliased to MEDIA_ROOT (with a bucket, one that fetches it from the
# bucket: smartchunks/media/serving.py).  Empty: Django sends the file itself.
MEDIA_ACCEL_PREFIX = os.environ.get("SMARTCHUNKS_MEDIA_ACCEL_PREFIX", "")
if MEDIA_ACCEL_PREFIX and not (
    MEDIA_ACCEL_PREFIX.startswith("/") and MEDIA_ACCEL_PREFIX.endswith("/")
):
    raise ImproperlyConfigured(
        "SMARTCHUNKS_MEDIA_ACCEL_PREFIX must start and end with '/', e.g. /_protected_media/"
    )

STORAGES = {
    # Re-encodes every stored image without EXIF/GPS (smartchunks/media/storage.py).
    "default": {"BACKEND": "smartchunks.media.storage.MetadataStrippingStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media in an S3-compatible bucket (AWS S3, MinIO, R2...) instead of MEDIA_ROOT, so every
# application server sees every upload (smartchunks/media/object_storage.py).  The bucket
# stays private: objects are written with no ACL (the bucket's own, private), pages link
# /media/<name> as always, and only the front server ever gets a signed URL, valid for
# MEDIA_SIGNED_URL_SECONDS, once Django has allowed the request (articles/reader/media.py).
MEDIA_BUCKET = os.environ.get("SMARTCHUNKS_MEDIA_BUCKET", "").strip()
MEDIA_SIGNED_URL_SECONDS = int(os.environ.get("SMARTCHUNKS_MEDIA_SIGNED_URL_SECONDS", "60"))
# DNS servers the front server's nginx asks for the bucket's host ("": /etc/resolv.conf's).
NGINX_RESOLVER = os.environ.get("SMARTCHUNKS_NGINX_RESOLVER", "").strip()


def media_bucket_storage(environ, signed_url_seconds: int) -> dict:
    """STORAGES["default"] for the bucket the environment names (tests use it too)."""
    prefix = environ.get("SMARTCHUNKS_MEDIA_PREFIX", "").strip().strip("/")
    # The key prefix is part of every signed URL nginx proxies: the characters of our own
    # names only (smartchunks/media/media_paths.py), no "..".
    if prefix and not re.fullmatch(
        r"[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*", prefix
    ):
        raise ImproperlyConfigured(
            "SMARTCHUNKS_MEDIA_PREFIX may hold only letters, digits, '.', '_', '-' and '/'."
        )
    from botocore.config import Config as BotoConfig  # only with a bucket

    return {
        "BACKEND": "smartchunks.media.object_storage.MetadataStrippingS3Storage",
        "OPTIONS": {
            "bucket_name": environ["SMARTCHUNKS_MEDIA_BUCKET"].strip(),
            "location": prefix,
            # Empty: AWS itself; MinIO, R2 or moto: their address.
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None,
            "region_name": environ.get("AWS_S3_REGION_NAME", "").strip() or None,
            # Unset: boto3's own chain (an instance role, ~/.aws).
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": signed_url_seconds,
            # A bucket that is down or hung fails a save (a form error) or a /media/ request
            # (a 503) within seconds, not a worker held past gunicorn's timeout: 2 attempts
            # in all ("max_attempts" would count retries only: 3 attempts), each given 2 s
            # to connect and 3 s of silence.  S3 answers a PUT as soon as it has the body
            # (big uploads go in parts), so 3 s of silence is a hung server, not a slow
            # upload.  After such a failure the bucket is not asked again for a few seconds
            # (smartchunks/media/object_storage.py): one request waits once, not per file.
            "client_config": BotoConfig(
                signature_version="s3v4",
                connect_timeout=2,
                read_timeout=3,
                retries={"mode": "standard", "total_max_attempts": 2},
            ),
            # Like the file system: a name in use gets another, never overwrites an upload.
            "file_overwrite": False,
            # A read is held in memory up to this size, then in a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }


if MEDIA_BUCKET:
    STORAGES["default"] = media_bucket_storage(os.environ, MEDIA_SIGNED_URL_SECONDS)

# Responsive images (smartchunks/media/renditions.py): each alias is one rendition width, made by
# easy-thumbnails once per image in WebP and in JPEG/PNG for browsers without WebP.
THUMBNAIL_ALIASES = {
    "": {
        "hero-480": {"size": (480, 0)},
        "hero-800": {"size": (800, 0)},
        "hero-1200": {"size": (1200, 0)},
        "author-96": {"size": (96, 96), "crop": "smart"},
        "author-192": {"size": (192, 192), "crop": "smart"},
        "author-240": {"size": (240, 240), "crop": "smart"},
    }
}
THUMBNAIL_QUALITY = 80
THUMBNAIL_IMAGE_SAVE_OPTIONS = {"WEBP": {"method": 4}}
THUMBNAIL_PROCESSORS = (
    "easy_thumbnails.processors.colorspace",
    "easy_thumbnails.processors.scale_and_crop",
    "easy_thumbnails.processors.filters",
)

# The page cache (smartchunks/page_cache.py): public pages for anonymous readers, keyed by
# the publication generation (articles/workflow/page_generation.py), so never stale.
# SMARTCHUNKS_PAGE_CACHE=off turns it off (benchmarks, debugging).
PAGE_CACHE_ENABLED = env_bool("SMARTCHUNKS_PAGE_CACHE", default=True)
PAGE_CACHE_ALIAS = "pages"
# Shared by every worker on the machine: the generation record and, without Redis, the pages.
PAGE_CACHE_DIR = Path(os.environ.get("SMARTCHUNKS_PAGE_CACHE_DIR", VAR_DIR / "page-cache"))
# Several machines: the pages and the generation in Redis (Django's own Redis backend).
REDIS_URL = os.environ.get("REDIS_URL", "")
PAGE_CACHE_GENERATION_IN_CACHE = bool(REDIS_URL)
# Cache hits answered by nginx from files, without Python (smartchunks/front_cache.py): only
# with the generation on this machine (no REDIS_URL: a per-machine link could not follow a
# write made on another machine at the same moment).  SMARTCHUNKS_FRONT_CACHE=off turns it off.
FRONT_CACHE_ENABLED = env_bool("SMARTCHUNKS_FRONT_CACHE", default=True) and not REDIS_URL
# Set by the front server (smartchunks/frontserver.py) for its gunicorn only: these workers
# write the files nginx serves.  Anything else (tests' client, manage.py) writes none.
FRONT_CACHE_WRITER = env_bool("SMARTCHUNKS_FRONT_CACHE_WRITER")
# A generation is worked out again at least this often, even with no write and nothing
# scheduled: the bound on anything no write announces (the footer's year, a lost renewal).
PAGE_CACHE_MAX_SECONDS = int(os.environ.get("SMARTCHUNKS_PAGE_CACHE_MAX_SECONDS", "300"))
# Each worker keeps this many MB of the current generation's pages in memory (the hot pages;
# the rest come from the shared store).
PAGE_CACHE_WORKER_BYTES = int(os.environ.get("SMARTCHUNKS_PAGE_CACHE_WORKER_MB", "8")) << 20
# s-maxage for a CDN in front (seconds).  0: shared caches revalidate every time (ETag, 304),
# so an unpublished article leaves them at once; N > 0 lets them keep a page N seconds,
# which is also how long an unpublished article can stay on the CDN.
PAGE_CACHE_SHARED_MAX_AGE = int(os.environ.get("SMARTCHUNKS_CDN_MAX_AGE", "0"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    PAGE_CACHE_ALIAS: (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer is a miss within half a second, not a stall.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(PAGE_CACHE_DIR / "pages"),
            # Past this many files a write drops a third of them at random (and lists the
            # folder each time), so a crawl of a large archive keeps the folder bounded.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    ),
}

# Sessions stay in PostgreSQL (shared by every machine, durable).  With Redis, reading them
# from it spares a query per signed-in request; writes still go to PostgreSQL first, and a
# Redis outage neither signs anyone out nor fails a request (smartchunks/sessions.py).
SESSIONS_IN_REDIS = env_bool("SMARTCHUNKS_SESSIONS_IN_REDIS")
if SESSIONS_IN_REDIS:
    if not REDIS_URL:
        raise ImproperlyConfigured("SMARTCHUNKS_SESSIONS_IN_REDIS needs REDIS_URL.")
    SESSION_ENGINE = "smartchunks.sessions"
    SESSION_CACHE_ALIAS = "sessions"
    CACHES[SESSION_CACHE_ALIAS] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "sessions",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"
# Where a sign-in goes when `next` is missing or points off the site.
LOGIN_REDIRECT_URL = "admin:index"

# Two-factor sign-in (django-otp: an authenticator app, plus recovery codes) for every newsroom
# account.  On by default in production; `make run` and the tests leave it off unless set.
SMARTCHUNKS_REQUIRE_2FA = env_bool("SMARTCHUNKS_REQUIRE_2FA", default=IS_PRODUCTION)
# Device secrets stay out of the admin's device pages.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Uploads: images only, checked with Pillow, at most this many bytes.
MAX_IMAGE_UPLOAD_BYTES = int(os.environ.get("MAX_IMAGE_UPLOAD_BYTES", str(5 * 1024 * 1024)))
# Pixels, not bytes, decide the memory needed to decode an image (a tiny PNG can claim
# 20,000×20,000); 40 megapixels is above any camera photo a newsroom needs.
MAX_IMAGE_PIXELS = int(os.environ.get("MAX_IMAGE_PIXELS", str(40_000_000)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644

CKEDITOR_UPLOAD_PATH = "uploads/"
CKEDITOR_IMAGE_BACKEND = "ckeditor_uploader.backends.PillowBackend"
CKEDITOR_ALLOW_NONIMAGE_FILES = False
# Each user's editor uploads in their own folder (by id, not the login name, which would
# show in public image URLs), so "browse server" lists only their own pictures.
CKEDITOR_RESTRICT_BY_USER = "pk"
CKEDITOR_FILENAME_GENERATOR = "smartchunks.media.images.ckeditor_filename"
CKEDITOR_BROWSE_SHOW_DIRS = False
CKEDITOR_CONFIGS = {
    # The toolbar matches the nh3 allowlist in smartchunks/media/richtext.py: what the
    # editor can make is exactly what survives cleaning.
    "default": {
        "toolbar": "SmartChunks",
        "toolbar_SmartChunks": [
            ["Format", "Bold", "Italic"],
            ["NumberedList", "BulletedList", "Blockquote"],
            ["Link", "Unlink"],
            ["CiteSource"],
            ["Image"],
            ["RemoveFormat", "Source"],
        ],
        "format_tags": "p;h2;h3",
        "height": 360,
        "width": "100%",
        "removePlugins": "exportpdf",
        "disallowedContent": "script; *[on*]",
        # The image dialog asks only for what the page keeps: alt text (required), width and
        # height in pixels, a link (static/editor/imagerules/plugin.js).
        "removeDialogTabs": "image:advanced",
        # Links keep only their address and title: a target, id, class or style is dropped
        # by the cleaner, so the link dialog does not offer them.
        "linkShowTargetTab": False,
        "linkShowAdvancedTab": False,
        # Sends Django's CSRF token with every image upload (smartchunks/media/editor_uploads.py).
        # "Cite source" inserts a citation marker (static/editor/citations/plugin.js).
        "extra_plugins": ["djangocsrf", "imagerules", "citations"],
        "external_plugin_resources": [
            ("djangocsrf", f"{STATIC_URL}editor/djangocsrf/", "plugin.js"),
            ("imagerules", f"{STATIC_URL}editor/imagerules/", "plugin.js"),
            ("citations", f"{STATIC_URL}editor/citations/", "plugin.js"),
        ],
    },
    "simple": {
        "toolbar": "Simple",
        "toolbar_Simple": [
            ["Bold", "Italic"],
            ["BulletedList", "NumberedList"],
            ["Link", "Unlink"],
        ],
        "height": 160,
        "width": "100%",
        "removePlugins": "exportpdf",
        "linkShowTargetTab": False,
        "linkShowAdvancedTab": False,
    },
}

SITE_NAME = os.environ.get("SITE_NAME", "Smart Chunks")
# The one-line description pages, feeds and share cards fall back to.
SITE_DESCRIPTION = os.environ.get(
    "SITE_DESCRIPTION",
    "Short, structured explainers: the TL;DR first, then the detail, with sources.",
)
SITE_LANGUAGE = "en"
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = SITE_NAME

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the admin's JavaScript reads it
# Refused editor uploads answer in CKEditor's format; other CSRF refusals are Django's page.
CSRF_FAILURE_VIEW = "smartchunks.media.editor_uploads.csrf_failure"
# No page of this site may be framed, by anyone: the one exception is the answer of
# /ckeditor/upload/, which CKEditor's upload dialog shows in its own frame
# (xframe_options_sameorigin on that view).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("DJANGO_HTTPS", default=IS_PRODUCTION):
    # Only a proxy of ours may say the reader came over https: otherwise any client's
    # X-Forwarded-Proto would flip canonical, feed and sitemap links on cacheable pages.
    if TRUSTED_PROXY_COUNT > 0:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    # Covers the site's own subdomains (cdn.news.example, not example's other sites);
    # DJANGO_HSTS_INCLUDE_SUBDOMAINS=false if one of them must still speak plain HTTP.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preloading is a commitment the owner of the registrable domain makes at hstspreload.org;
    # it is theirs to turn on (security.W021 is silenced below for that reason).
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=True)
# Load balancers check health over plain HTTP and count a redirect as down.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Content-Security-Policy (django-csp) on reader pages: they run no JavaScript at all (the
# JSON-LD blocks are data, never executed), so an injected script or inline handler that got
# past nh3 would still not run.  The admin and CKEditor need inline scripts and styles, so
# they are left out here and get the newsroom's policy below.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/ckeditor/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# The newsroom's policy, on the paths excluded above (NewsroomContentSecurityPolicyMiddleware).
# CKEditor 4 writes inline <script>s (numbered callbacks, so no hash or nonce fits) into its
# editing and upload frames, puts onclick handlers on its toolbar, and styles inline, hence
# 'unsafe-inline'; everything else is this site only: no plugins, no foreign <base>, no
# framing by other sites, no posting or fetching elsewhere.  Measured in Chromium
# (tests/browser/test_newsroom_content_security_policy.py).
NEWSROOM_CONTENT_SECURITY_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "frame-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
}

SILENCED_SYSTEM_CHECKS = [
    # django-ckeditor bundles CKEditor 4.22.1, which upstream no longer supports. The
    # product owner fixed django-ckeditor as the editor; every rich-text value is cleaned
    # with nh3 on save (smartchunks/media/richtext.py), so what the editor emits never reaches
    # readers unfiltered.
    "ckeditor.W001",
    # HSTS preload is opt-in (DJANGO_HSTS_PRELOAD): submitting a domain to browsers' preload
    # lists binds every site under it for months, a decision for the domain's owner.
    "security.W021",
]

# Every line in one shape, gunicorn's too (smartchunks/logging_format.py): "time level logger
# [req=id] message", or one JSON object a line with DJANGO_LOG_FORMAT=json.  Django's own
# "django" and "django.server" loggers are given the same handler (and stop there): their
# defaults would print a second copy in another shape.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
# Python's warnings (a library's DeprecationWarning, a CacheKeyWarning) go through logging
# ("py.warnings"), so they keep the one line format (and JSON) instead of raw stderr lines.
logging.captureWarnings(True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": logging_format.formatter_config(),
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "one_line"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
