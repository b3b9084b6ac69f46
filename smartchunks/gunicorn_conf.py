"""gunicorn's settings for Smart Chunks: ``gunicorn -c python:smartchunks.gunicorn_conf``.

Sync workers, behind nginx (smartchunks/frontserver.py, which starts gunicorn with this file
and its own ``--bind``): nginx hands over only whole requests, so a worker never waits on a
slow client and a few workers per core are enough.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from smartchunks.frontserver import DEFAULT_RUN_DIR, SHUTDOWN_GRACE_SECONDS, socket_path
from smartchunks.logging_format import gunicorn_logging_config

# More than this many workers by default only adds memory and database connections.
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    configured = os.environ.get("WEB_CONCURRENCY", "").strip()
    if configured:
        return max(1, int(configured))
    return min(2 * multiprocessing.cpu_count() + 1, MAX_DEFAULT_WORKERS)


wsgi_app = "smartchunks.wsgi:application"
bind = [f"unix:{socket_path(DEFAULT_RUN_DIR)}"]
workers = default_workers()
worker_class = "sync"
# The application is imported once, in the master, and every worker is forked from it: a
# worker replaced after max_requests starts in milliseconds instead of importing Django for
# about a second and a half of CPU (page-cache hits run at thousands a second, so each worker
# was replaced every few seconds and the imports took a tenth of the machine), and the
# workers share the imported code's memory.  Nothing opens a database connection or starts
# a thread at import (stalled_queries starts its watchdog on first use, in the worker).
# New code needs a restart of the service, not a HUP: the master holds the old import.
preload_app = True
# A request that runs longer than this is a bug; its worker is killed and replaced.
timeout = 30
# SIGTERM: workers finish the request in hand within this many seconds.
graceful_timeout = SHUTDOWN_GRACE_SECONDS - 5
# Workers are replaced after about this many requests (staggered by the jitter, so they do
# not all restart at once): a slow leak in a library cannot grow without bound.  Page-cache
# hits run at thousands a second, so 1,000 restarted each worker every fraction of a second
# and cut the cached throughput by three quarters (measured by make bench); 20,000 requests
# is the span over which issue 9 asks a worker's memory to stay within 20%
# (tests/soak/test_worker_memory.py measures it with replacement off: GUNICORN_MAX_REQUESTS=0).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000 if max_requests else 0
# gunicorn 27 otherwise opens a control socket in ~/.gunicorn; nothing here uses it.
control_socket_disable = True
# Heartbeat files on tmpfs: a busy disk must not make healthy workers look dead.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# Only X-Forwarded-Proto, which nginx always sets, decides the scheme; gunicorn's default
# also believed a client's X-Forwarded-Ssl / X-Forwarded-Protocol.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Error and access lines in the shape Django's and nginx's have (smartchunks/logging_format.py;
# DJANGO_LOG_FORMAT=json for JSON): access lines on stdout, everything else on stderr.  The
# access line is written by GunicornLogger (reader's address as nginx saw it, request line,
# status, bytes, seconds, user agent, and the request id), so access_log_format is unused.
accesslog = "-"
logger_class = "smartchunks.logging_format.GunicornLogger"
logconfig_dict = gunicorn_logging_config()
# GUNICORN_LOG_LEVEL=warning leaves out the start-up lines ("Starting gunicorn", "Listening
# at", one "Booting worker" a worker): `make run` sets it to keep its output short
# (smartchunks/site_start.py).  Warnings, errors and the access log still show.
if os.environ.get("GUNICORN_LOG_LEVEL"):
    loglevel = os.environ["GUNICORN_LOG_LEVEL"]
    logconfig_dict["loggers"]["gunicorn.error"]["level"] = loglevel.upper()
