"""The admin's two-factor pages: "Set up two-factor sign-in" and "Enter your code".

Both are wrapped in ``admin.site.admin_view`` (smartchunks/urls.py): only a signed-in
newsroom account reaches them, never cached, CSRF-protected.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.contrib import admin
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from authors.sign_in import two_factor
from authors.sign_in.middleware import SETUP_URL_NAME, VERIFY_URL_NAME

WRONG_CODE = (
    "That code did not work. Type the newest code your authenticator app shows "
    "(each code works once), or one of your recovery codes."
)
WRONG_SETUP_CODE = (
    "That code did not match. Check that you scanned this page's QR code (or typed the "
    "secret below) and type the newest code the app shows."
)


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "size": 12,
            }
        ),
    )


def _next_url(request) -> str:
    """Where to go afterwards: ``next`` if it stays on this site, else the admin index."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _render(request, template: str, title: str, **context):
    return render(
        request,
        template,
        {
            **admin.site.each_context(request),
            # Nothing of the newsroom is open yet, so no app list beside the form.
            "is_nav_sidebar_enabled": False,
            "title": title,
            "next": _next_url(request),
            **context,
        },
    )


def setup(request):
    user = request.user
    next_url = _next_url(request)
    if two_factor.has_authenticator(user):
        # Replacing an authenticator is an admin's job (manage.py reset_2fa), never a page's.
        return redirect(next_url if user.is_verified() else _with_next(VERIFY_URL_NAME, next_url))
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = two_factor.confirm_authenticator(request, device, form.cleaned_data["otp_token"])
        if codes is not None:
            return _render(
                request,
                "admin/sign_in/recovery_codes.html",
                "Save your recovery codes",
                codes=codes,
            )
        form.add_error("otp_token", WRONG_SETUP_CODE)
    return _render(
        request,
        "admin/sign_in/setup.html",
        "Set up two-factor sign-in",
        form=form,
        qr_code=two_factor.qr_code_svg(device),
        secret=two_factor.readable_secret(device),
    )


def verify(request):
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not two_factor.has_authenticator(user):
        return redirect(_with_next(SETUP_URL_NAME, next_url))
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return _locked_out(request, credentials)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if two_factor.check_code(request, user, form.cleaned_data["otp_token"]):
            # The sign-in is complete: now the password's and codes' failures are forgiven.
            AxesProxyHandler.get_implementation().reset_user_attempts(request, credentials)
            return redirect(next_url)
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request, credentials)
        form.add_error("otp_token", WRONG_CODE)
    return _render(request, "admin/sign_in/verify.html", "Enter your sign-in code", form=form)


def _locked_out(request, credentials):
    """Sign the half-signed-in session out: after the lockout it starts again at the password."""
    logout(request)
    # axes' middleware would answer with the same page; answering here keeps the flow readable.
    request.axes_locked_out = False
    return get_lockout_response(request, None, credentials)
