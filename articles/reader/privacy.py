"""Responses that show unpublished work to the one person allowed to see it."""

from django.utils.cache import add_never_cache_headers, patch_cache_control


def keep_private(response):
    """Mark a response only its requester may see (drafts, previews, share links).

    ``private, no-store`` keeps it out of every shared cache (proxy, CDN, a page cache);
    the robots header keeps it out of search indexes should the URL ever be crawled.
    """
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
