"""Responses that show unpublished work to the one person allowed to see it, and the
requests that may be asking for it."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control

# The newsroom's and the previews' addresses: never answered from, nor kept in, a shared cache.
PRIVATE_PREFIXES = ("/admin/", "/ckeditor/", "/preview/")


def is_private_request(request) -> bool:
    """Staff (a session) or a newsroom or preview address: what is read for such a request
    (a preview renders staged changes in a rolled-back transaction) is never kept for
    readers, and what it is answered is never shared."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or request.path.startswith(
        PRIVATE_PREFIXES
    )


def keep_private(response):
    """Mark a response only its requester may see (drafts, previews, share links).

    ``private, no-store`` keeps it out of every shared cache (proxy, CDN, a page cache);
    the robots header keeps it out of search indexes should the URL ever be crawled.
    """
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
