"""Lockout after repeated sign-in failures: per username+address pair, and per address.

django-axes has one failure limit for its lockout parameters.  Its own rule locks a
username+address pair after ``AXES_FAILURE_LIMIT`` failures; this handler adds a second,
higher limit for one address across every username it tries (``LOGIN_ADDRESS_FAILURE_LIMIT``),
so guessing one common password for many accounts is stopped too.  Both limits count the
same AccessAttempt rows axes keeps (one per username, address and browser), within the same
cool-off window, so axes' admin pages and ``axes_reset`` see and clear both.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from authors.sign_in.two_factor import second_factor_required

LOCKED_TEMPLATE = "admin/sign_in/locked_out.html"


class PairAndAddressLockout(AxesDatabaseHandler):
    """axes' database handler, plus a lock on an address after many failures across usernames."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._address_is_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self._address_is_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def user_logged_in(self, sender, request, user, **kwargs):
        # With a second factor to come, the password alone is half a sign-in: its failures are
        # forgiven only once the code is right too (the code step resets them), or else each
        # correct password would wipe the count of wrong codes.
        request.axes_keep_failures = second_factor_required(user)
        super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        if getattr(request, "axes_keep_failures", False):
            return 0
        return super().reset_user_attempts(request, credentials)

    def _address_is_locked(self, request) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def _recent_attempts(request, **filters):
    return AccessAttempt.objects.filter(
        attempt_time__gte=get_cool_off_threshold(request), **filters
    ).order_by("-attempt_time")


def address_failures(request) -> int:
    """Failures from this request's address within the cool-off, whatever the username."""
    total = _recent_attempts(request, ip_address=request.axes_ip_address).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def _lock_ends(attempts, limit: int, cool_off: timedelta) -> datetime | None:
    """When a lock over ``attempts`` (newest first) ends: once the attempt that reached the
    limit, counting back from the newest, leaves the cool-off window."""
    failures = 0
    for attempt in attempts:
        failures += attempt.failures_since_start
        if failures >= limit:
            return attempt.attempt_time + cool_off
    return None


def seconds_until_unlocked(request, credentials: dict | None) -> int:
    """Seconds until this request's client may try again (the Retry-After value)."""
    cool_off = get_cool_off(request)
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    username = get_client_username(request, credentials)
    address = request.axes_ip_address
    locks = [
        _lock_ends(
            _recent_attempts(request, username=username, ip_address=address),
            get_failure_limit(request, credentials),
            cool_off,
        ),
        _lock_ends(
            _recent_attempts(request, ip_address=address),
            settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            cool_off,
        ),
    ]
    # No lock left means the last one ended just now (axes drops attempts at the window's
    # edge while answering): trying again at once is right.
    ends = max((end for end in locks if end is not None), default=now)
    return max(1, math.ceil((ends - now).total_seconds()))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429, Retry-After, and one message for every username.

    The page says nothing about the account (not even the username typed), so it cannot tell
    anyone whether a username exists.
    """
    retry_after = seconds_until_unlocked(request, credentials)
    context = {
        **admin.site.each_context(request),
        "title": "Too many sign-in attempts",
        "minutes": math.ceil(retry_after / 60),
    }
    response = render(request, LOCKED_TEMPLATE, context, status=429)
    response["Retry-After"] = str(retry_after)
    return response
