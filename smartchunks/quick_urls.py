"""Addresses of named URL patterns, worked out once per process and then filled in.

Django's ``reverse()`` walks the resolver, quotes each value and matches the result against
the pattern on every call: about 25 µs.  An uncached article page asked for nine (the site
header and footer, previous/next, related), a listing for more: together about a tenth of
the page's time in Python.  A pattern's address only changes with the URLconf and the script
prefix, so ``quick_reverse`` reverses it once with stand-ins (per pattern, argument names,
URLconf and prefix) and afterwards only puts the values where the stand-ins were.

Only values a slug converter accepts (letters, digits, ``-`` and ``_``) are filled in: those
need no quoting and match every pattern the stand-in matched.  Anything else, and any pattern
the stand-ins do not fit (an ``int`` converter), goes to ``reverse()`` as before, so the
answer is always ``reverse()``'s.
"""

from __future__ import annotations

import functools
import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_FILLABLE = re.compile(r"[-a-zA-Z0-9_]+\Z")
_STAND_IN = "quickurlstandin{}x"


def quick_reverse(viewname: str, **kwargs: str) -> str:
    """``reverse(viewname, kwargs=kwargs)``, without walking the resolver every time."""
    if not all(isinstance(value, str) and _FILLABLE.match(value) for value in kwargs.values()):
        return reverse(viewname, kwargs=kwargs or None)
    names = tuple(sorted(kwargs))
    shape = _shape(viewname, names, get_urlconf(), get_script_prefix())
    if shape is None:
        return reverse(viewname, kwargs=kwargs or None)
    pieces, order = shape
    filled = [pieces[0]]
    for name, piece in zip(order, pieces[1:], strict=True):
        filled.append(kwargs[name])
        filled.append(piece)
    return "".join(filled)


@functools.lru_cache(maxsize=256)
def _shape(viewname, names, urlconf, script_prefix) -> tuple[list[str], list[str]] | None:
    """The address cut where each value goes, and which value goes in each cut; None when
    the stand-ins do not fit the pattern or do not come back exactly once each."""
    stand_ins = {name: _STAND_IN.format(index) for index, name in enumerate(names)}
    try:
        address = reverse(viewname, kwargs=stand_ins or None, urlconf=urlconf)
    except NoReverseMatch:
        return None
    by_stand_in = {stand_in: name for name, stand_in in stand_ins.items()}
    parts = (
        re.split("(" + "|".join(map(re.escape, by_stand_in)) + ")", address) if names else [address]
    )
    pieces, order = parts[0::2], [by_stand_in[part] for part in parts[1::2]]
    if sorted(order) != sorted(names):
        return None
    return pieces, order


@functools.lru_cache(maxsize=64)
def quick_static(path: str) -> str:
    """``{% static path %}``, looked up in the manifest once per process."""
    return static(path)


@receiver(setting_changed)
def _forget_addresses(*, setting, **kwargs):
    # Tests change these; a deployed process never does.
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _shape.cache_clear()
    if setting in {"STATIC_URL", "STORAGES", "STATIC_ROOT"}:
        quick_static.cache_clear()
