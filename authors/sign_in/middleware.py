"""Hold a newsroom account at the two-factor step until it has passed it.

Chosen over django-otp's OTPAdminSite: swapping the class of ``django.contrib.admin.site``
would touch every registration and the admin views wired by hand in smartchunks/urls.py,
and OTPAdminSite guards only the admin.  This one rule covers every URL: after the password,
admin pages (and anything else under the admin's prefix) redirect to the set-up page (no
authenticator yet) or the code page; everywhere else (previews, editor uploads, the reader's
pages) the request continues as an anonymous visitor's, so no draft or staff-only data is
shown before the second factor.  With ``SMARTCHUNKS_REQUIRE_2FA`` off it does nothing.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from authors.sign_in.two_factor import has_authenticator, second_factor_required

SETUP_URL_NAME = "two_factor_setup"
VERIFY_URL_NAME = "two_factor_verify"


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not second_factor_required(user) or user.is_verified():
            return self.get_response(request)
        if request.path in _open_to_unverified():
            return self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            return _redirect_to_second_factor(request, user)
        _treat_as_anonymous(request)
        return self.get_response(request)


def _open_to_unverified() -> set[str]:
    """The two-factor pages themselves, and signing out (to start again as someone else)."""
    return {reverse(SETUP_URL_NAME), reverse(VERIFY_URL_NAME), reverse("admin:logout")}


def _redirect_to_second_factor(request, user):
    step = VERIFY_URL_NAME if has_authenticator(user) else SETUP_URL_NAME
    # After the password, the admin's login page sends people on to `next` (or the index);
    # either way they come back here, so keep where they were going.
    if request.path == reverse("admin:login"):
        destination = request.GET.get("next", "")
    else:
        destination = request.get_full_path()
    url = reverse(step)
    if destination:
        url = f"{url}?{urlencode({'next': destination})}"
    return redirect(url)


def _treat_as_anonymous(request) -> None:
    anonymous = AnonymousUser()
    request.user = anonymous

    async def auser():
        return anonymous

    request.auser = auser
