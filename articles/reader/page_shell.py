"""A reader's article page: its template rendered once, then filled per request.

An article page is base.html's header and footer around what changes from one article to
the next: its title, its stored frame (articles/pages/frame.py) and its neighbours.  Running
the template for every uncached page cost about 0.4 ms of the 1.8 ms such a page took, most
of it on what all article pages share: the section menu, the footer's pages and links.  So
the template is rendered once with stand-ins for those parts (``HOLES``), split where they
landed, and each request joins the pieces with its own values, escaped as the template
escapes them: the same argument as the frame's ``ORIGIN``.

A shell depends on nothing but its key: the navigation (read again with each publication
generation, articles/reader/navigation.py), the year in the footer, the site's name and
language, and which navigation link, if any, is the page's own.  With DEBUG on, templates
are read again when they change, so no shell is kept (``shell_for`` answers None and the
view renders the template as usual).  tests/reader/test_page_shell.py compares filled pages
with the template's own rendering, byte for byte.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.template import loader
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.reader.navigation import Navigation, navigation
from articles.reader.privacy import is_private_request
from smartchunks.quick_urls import quick_reverse

TEMPLATE = "articles/article_detail.html"
# What the template shows of the article on a reader's path, each exactly once: the title
# (escaped here, as {{ article.title }} is), and three parts that arrive as safe HTML.
HOLES = ("title", "head", "body", "neighbours")
# Keys are few (a navigation per generation, a year): more means a test changed settings.
MAX_SHELLS = 16

logger = logging.getLogger(__name__)


class ShellError(RuntimeError):
    """The template no longer shows each hole exactly once: render it in full instead."""


def _stand_in(name: str) -> str:
    # A control character no title or link text from a form can hold, around a name.
    return f"\x1fshell-{name}\x1f"


@dataclass(frozen=True)
class Shell:
    pieces: tuple[str, ...]  # the text before the first hole, between holes, after the last
    order: tuple[str, ...]  # the holes in the order they appear

    def fill(self, *, title: str, head: str, body: str, neighbours: str) -> SafeString:
        values = {"title": escape(title), "head": head, "body": body, "neighbours": neighbours}
        parts = [self.pieces[0]]
        for name, piece in zip(self.order, self.pieces[1:], strict=True):
            parts += (values[name], piece)
        return mark_safe("".join(parts))  # noqa: S308 (template output; the title escaped)


def split(html: str) -> Shell:
    """The rendered template cut at each hole's stand-in."""
    found = []
    for name in HOLES:
        mark = _stand_in(name)
        if html.count(mark) != 1:
            raise ShellError(f"{TEMPLATE} shows the {name} {html.count(mark)} times, not once.")
        found.append((html.index(mark), name))
    found.sort()
    pieces, start = [], 0
    for position, name in found:
        pieces.append(html[start:position])
        start = position + len(_stand_in(name))
    pieces.append(html[start:])
    return Shell(tuple(pieces), tuple(name for _, name in found))


def _own_link(request, nav: Navigation) -> str | None:
    """The page's path when a header or footer link points to it (it is marked current)."""
    own = request.path in nav.urls or request.path == quick_reverse("articles:corrections")
    return request.path if own else None


def _render(request, nav: Navigation) -> Shell:
    stand_ins = {name: mark_safe(_stand_in(name)) for name in HOLES}  # noqa: S308 (constants)
    context = {
        "article": SimpleNamespace(title=_stand_in("title"), is_published=True),
        "page_head": stand_ins["head"],
        "page_body": stand_ins["body"],
        "page_neighbours": stand_ins["neighbours"],
        "navigation": nav,
    }
    return split(loader.render_to_string(TEMPLATE, context, request))


_shells: dict[tuple, Shell] = {}
_lock = threading.Lock()


def shell_for(request) -> Shell | None:
    """The shell for a reader's live article page at ``request``, or None to render in full."""
    if settings.DEBUG:
        return None
    # As the navigation context processor decides (smartchunks/context_processors.py).
    nav = navigation(keep=not is_private_request(request))
    key = (
        nav,
        timezone.localtime().year,  # {% now "Y" %} in the footer
        settings.SITE_NAME,
        settings.SITE_LANGUAGE,
        _own_link(request, nav),
    )
    shell = _shells.get(key)
    if shell is None:
        try:
            shell = _render(request, nav)
        except ShellError:
            logger.exception("Article page: rendering the whole template on every request")
            return None
        with _lock:
            if len(_shells) >= MAX_SHELLS:
                _shells.clear()
            _shells[key] = shell
    return shell
