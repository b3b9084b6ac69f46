"""The article form's "who else is editing" heartbeat: its URL, its view, and the settings
the form's banner reads (templates/admin/articles/article/editing_aids.html).

The view answers JSON only, errors included, so the form's script never has to read a page.
"""

import re
from datetime import timedelta

from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article
from articles.workflow import permissions, presence, transitions

EVENTS = ("heartbeat", "left")
# The id a page makes for itself when it loads (static/js/editing-presence.js).
VISIT = re.compile(r"[A-Za-z0-9_-]{8,32}")


def _error(status: int, message: str, **headers) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, headers=headers)


def _opened(moment, now) -> str:
    """The local time, with the date when it was not today: "10:32", "3 Dec, 17:20"."""
    moment, now = timezone.localtime(moment), timezone.localtime(now)
    if moment.date() == now.date():
        return date_format(moment, "H:i")
    return date_format(moment, "j M, H:i")


def _as_json(colleagues, now) -> list[dict]:
    return [
        {
            "id": colleague.user_id,
            "name": colleague.name,
            "opened_at": colleague.opened_at.isoformat(),
            "opened": _opened(colleague.opened_at, now),
            "seen_seconds_ago": max(0, round((now - colleague.last_seen).total_seconds())),
        }
        for colleague in colleagues
    ]


def _seconds(value: str | None) -> timedelta | None:
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    return timedelta(seconds=int(value))


class EditingPresenceMixin:
    """Adds the heartbeat URL to the article admin and tells its change form where to beat."""

    def get_urls(self):
        heartbeat = self.admin_site.admin_view(self.presence_view)
        return [
            path("<str:article_id>/presence/", heartbeat, name="articles_article_presence"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["editing_presence"] = (
            {
                "url": reverse("admin:articles_article_presence", args=[obj.pk]),
                "heartbeat_seconds": presence.HEARTBEAT_SECONDS,
            }
            if obj is not None and transitions.may(request.user, obj, "edit")
            else None
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def presence_view(self, request, article_id: str):
        """POST ``event=heartbeat`` with ``visit`` (the page's id) and ``opened_seconds_ago``
        (how long it has been open): the others editing; ``event=left`` with ``visit``: that
        page closed."""
        if request.method != "POST":
            return _error(405, "Send the heartbeat with POST.", Allow="POST")
        article = None
        if article_id.isascii() and article_id.isdigit() and len(article_id) < 19:
            article = Article.objects.filter(pk=int(article_id)).first()
        # Whoever may not even preview it learns no more than for an id that does not exist.
        if article is None or not permissions.can_preview(request.user, article):
            return _error(404, "No article with that id that you may see.")
        if not transitions.may(request.user, article, "edit"):
            return _error(403, "You may not edit this article, so you are not shown as editing it.")
        event, visit = request.POST.get("event"), request.POST.get("visit", "")
        if event not in EVENTS:
            return _error(400, "Say event=heartbeat or event=left.")
        if not VISIT.fullmatch(visit):
            return _error(400, "Say which page this is: visit=<8 to 32 letters, digits, - or _>.")
        if event == "left":
            presence.leave(article, by=request.user, visit=visit)
            return JsonResponse({"left": True})
        open_for = _seconds(request.POST.get("opened_seconds_ago"))
        if open_for is None:
            return _error(400, "Say how long the page has been open: opened_seconds_ago=<seconds>.")
        now = timezone.now()
        others = presence.heartbeat(
            article, by=request.user, visit=visit, open_for=open_for, at=now
        )
        return JsonResponse(
            {"others": _as_json(others, now), "heartbeat_seconds": presence.HEARTBEAT_SECONDS}
        )
