import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartchunks.settings")
django_application = get_wsgi_application()

# Page-cache hits are answered here, before Django builds a request (smartchunks/page_cache.py).
from smartchunks.page_cache import wrap_wsgi  # noqa: E402 (needs Django set up first)

application = wrap_wsgi(django_application)
