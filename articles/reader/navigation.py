"""What every public page's header and footer list: the section menu and the site pages.

Both are on every page, so both must cost nothing per page.  They change only with a write
that also renews the publication generation (articles/workflow/page_generation.py: a
section's save, an article going live or off, a site page's save), so each worker keeps the
lists it read under the current generation token and reads them again, two small queries,
only once a write has replaced the token.  The lists are read *after* the record is, so they
hold at least that record's data: the same argument that keeps cached pages exact.

The generation is kept with the page cache switched off too, and a record that has run out
is worked out again here (one query, as the page cache's miss does).  When no record can be
had (the database or the store down) the lists are read for that page and not kept; nor are
they kept from a page only staff or a preview link see.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef

from articles.models import Article, Section, SitePage
from articles.workflow import page_generation


@dataclass(frozen=True)
class Link:
    name: str
    url: str


@dataclass(frozen=True)
class Navigation:
    sections: tuple[Link, ...]
    site_pages: tuple[Link, ...]

    @cached_property
    def urls(self) -> frozenset[str]:
        """Every address the lists link to: once per lists, which are kept per generation."""
        return frozenset(link.url for link in (*self.sections, *self.site_pages))


def _read() -> Navigation:
    # Only sections with a published article: a section without one is an empty page (or
    # one about to fill with an unpublished story); the sitemap lists the same sections.
    live = Article.objects.published().filter(section=OuterRef("pk"))
    sections = Section.objects.filter(Exists(live)).order_by("name").only("name", "slug")
    pages = SitePage.objects.in_footer().only("title", "slug")
    return Navigation(
        sections=tuple(Link(section.name, section.get_absolute_url()) for section in sections),
        site_pages=tuple(Link(page.title, page.get_absolute_url()) for page in pages),
    )


_kept: tuple[str, Navigation] | None = None  # (namespace and token, lists)
_lock = threading.Lock()


def _current_token() -> str | None:
    try:
        record = page_generation.current_or_renewed()
    except Exception:
        return None
    if not record.is_valid(time.time()):
        return None
    return f"{page_generation.namespace()}:{record.token}"


def navigation(*, keep: bool = True) -> Navigation:
    """The lists as of now.  ``keep=False`` (a page the page cache would never store: staff,
    previews) reads them without keeping them: a preview of staged changes renders inside a
    transaction that is rolled back (articles/workflow/staging.py), and what it reads there
    must not stay behind for readers."""
    global _kept
    token = _current_token() if keep else None
    kept = _kept
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    found = _read()
    if token is not None:
        with _lock:
            _kept = (token, found)
    return found


def forget() -> None:
    """Drop the kept lists (tests)."""
    global _kept
    _kept = None
