import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartchunks.settings")
django_application = get_wsgi_application()

# Page-cache hits are answered here, before Django builds a request (smartchunks/page_cache.py).
from smartchunks.logging_format import with_request_id  # noqa: E402
from smartchunks.page_cache import wrap_wsgi  # noqa: E402 (needs Django set up first)

# Outermost: cache hits get a request id too, and a stored page never keeps an old one.
application = with_request_id(wrap_wsgi(django_application))

BENCH_STATIC_COPY_PATH = "/_bench/static-copy/"


def with_bench_static_copy(app, source: Path):
    """`make bench`'s reference: fixed bytes answered from memory before Django runs.

    Only when SMARTCHUNKS_BENCH_STATIC_COPY names a file (tests/bench/run_bench.py sets it);
    the file is read on the first request, so the bench can write it after start-up.
    """
    body = None

    def answer(environ, start_response):
        nonlocal body
        if environ.get("PATH_INFO") != BENCH_STATIC_COPY_PATH:
            return app(environ, start_response)
        if body is None:
            body = source.read_bytes()
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]

    return answer


if os.environ.get("SMARTCHUNKS_BENCH_STATIC_COPY"):
    application = with_bench_static_copy(
        application, Path(os.environ["SMARTCHUNKS_BENCH_STATIC_COPY"])
    )
