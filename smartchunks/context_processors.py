from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.reader.navigation import navigation as current_navigation
from articles.reader.privacy import is_private_request


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
    # Kept only from a reader's request (articles/reader/privacy.py).
    keep = not is_private_request(request)
    return {"navigation": SimpleLazyObject(lambda: current_navigation(keep=keep))}
