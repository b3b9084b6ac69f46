"""Site-wide response headers."""

from django.utils.cache import add_never_cache_headers, patch_cache_control

from articles.reader.privacy import keep_private

# Staff previews and share links (articles/reader/urls.py).
PREVIEW_PREFIX = "/preview/"


class PrivateResponsesMiddleware:
    """Keep anything a signed-in user sees out of shared caches.

    Staff see drafts, previews and the admin; none of that may be stored by a proxy or CDN
    and served to someone else.  Anonymous pages get a short public lifetime with
    revalidation, so an unpublished article leaves caches at once.  Everything under
    /preview/, its 404s and refusals included, is private and kept out of search indexes:
    a shared cache must not remember that a preview address exists, nor answer for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        is_private = (user is not None and user.is_authenticated) or request.path.startswith(
            "/admin/"
        )
        if request.path_info.startswith(PREVIEW_PREFIX):
            keep_private(response)
        elif is_private:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        elif request.method in ("GET", "HEAD") and not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response
