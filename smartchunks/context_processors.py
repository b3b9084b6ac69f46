from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.reader.navigation import navigation as current_navigation
from smartchunks.page_cache import page_key


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_DESCRIPTION": settings.SITE_DESCRIPTION,
        "SITE_LANGUAGE": settings.SITE_LANGUAGE,
    }


def navigation(request):
    """The section menu and the footer's site pages, read only when a template shows them
    (a feed or sitemap never does) and kept per publication generation
    (articles/reader/navigation.py)."""
    # Kept only from a request the page cache could store: an anonymous reader's public page.
    return {
        "navigation": SimpleLazyObject(
            lambda: current_navigation(keep=page_key(request.META) is not None)
        )
    }
