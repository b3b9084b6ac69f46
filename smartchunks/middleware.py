"""Site-wide response headers."""

from csp.constants import HEADER
from csp.utils import build_policy
from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control

from articles.reader.privacy import keep_private

# Staff previews and share links (articles/reader/urls.py).
PREVIEW_PREFIX = "/preview/"


class PrivateResponsesMiddleware:
    """Keep anything a signed-in user sees out of shared caches.

    Staff see drafts, previews and the admin; none of that may be stored by a proxy or CDN
    and served to someone else.  Anonymous pages get a short public lifetime with
    revalidation, so an unpublished article leaves caches at once.  A response that sets a
    cookie, or answers a request carrying a session cookie, is private too.  Everything under
    /preview/, its 404s and refusals included, is private and kept out of search indexes:
    a shared cache must not remember that a preview address exists, nor answer for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "database_outage", False):
            return response  # marked without the database, which cannot say who asks
        user = getattr(request, "user", None)
        is_private = (
            (user is not None and user.is_authenticated)
            or request.path.startswith("/admin/")
            # A cookie set (a new CSRF token for a malformed one) or a session cookie sent
            # (SessionMiddleware, above, may clear it): no shared cache may keep the answer.
            or bool(response.cookies)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        )
        if request.path_info.startswith(PREVIEW_PREFIX):
            keep_private(response)
        elif is_private:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        elif request.method in ("GET", "HEAD") and not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response


class NewsroomContentSecurityPolicyMiddleware:
    """The admin's and the editor uploads' own Content-Security-Policy.

    django-csp sets the readers' strict policy and leaves out the paths in its
    EXCLUDE_URL_PREFIXES (/admin/, /ckeditor/), whose pages run the admin's and CKEditor 4's
    scripts; those paths get settings.NEWSROOM_CONTENT_SECURITY_POLICY instead, so no
    response goes without a policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.CONTENT_SECURITY_POLICY["EXCLUDE_URL_PREFIXES"])
        self.policy = build_policy(config=settings.NEWSROOM_CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.prefixes) and HEADER not in response:
            response[HEADER] = self.policy
        return response
