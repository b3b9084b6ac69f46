"""The article page's own parts, rendered when the article is saved rather than per request.

What depends only on the article and the rows it points to is rendered here by ``refresh``,
which save_edit calls after the parts are written: its cleaned body, FAQ and sources as HTML,
the reading time and the FAQ's structured data, and around them the page's *frame*
(articles/pages/frame.py: head tags, structured data, header, TL;DR, hero, tags, author box).  The
article page (articles/reader/article_page.py) shows the stored result while it is current and
otherwise renders the same parts live, so what a reader sees never depends on whether the row
exists.

Current means: the row exists (triggers delete it when any input changes, see
articles/models/rendered.py) and its ``format`` matches this code, these templates and the
settings they read, so a deploy that changes any of them never shows HTML made by the old one
(``manage.py prerender_articles`` stores the new one).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import math
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import transaction
from django.template import loader
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, RenderedArticle
from articles.pages import citations, frame, jsonld, share_card
from articles.workflow.page_generation import public_pages_changed
from smartchunks.media import renditions, share_cards

logger = logging.getLogger(__name__)

TEMPLATE = "includes/article_content.html"
# The templates the stored HTML comes from; their text is part of the format fingerprint.
TEMPLATES = (
    TEMPLATE,
    "includes/faq.html",
    "includes/sources.html",
    "includes/source_backlinks.html",
)
# Bump when code outside the fingerprinted modules shapes the stored parts differently (the
# rich_text and lazy_images filters, the image renditions): rows made before are not shown.
CODE_VERSION = "4"  # 4: citation markers (smartchunks/media/citation_markers.py)
# What else the stored HTML is made of: these modules' source and these settings.  The share
# card's drawing is in its name (share_cards.DRAWING_VERSION), which the frame links to.
FINGERPRINTED_MODULES = (frame, jsonld, citations, share_card, share_cards)
FINGERPRINTED_SETTINGS = (
    "SITE_NAME",
    "SITE_DESCRIPTION",
    "SITE_LANGUAGE",
    "TIME_ZONE",
    "STATIC_URL",
    "MEDIA_URL",
)
WORDS_PER_MINUTE = 220
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Parts:
    html: SafeString
    reading_minutes: int
    faq: list[list[str]]


def current_format() -> str:
    """The fingerprint of what shapes the stored frames: worked out once per process, but on
    every call with DEBUG on (`make dev`), where templates change under a running server."""
    return _fingerprint.__wrapped__() if settings.DEBUG else _fingerprint()


@cache
def _fingerprint() -> str:
    digest = hashlib.sha256(CODE_VERSION.encode())
    for name in (*TEMPLATES, *frame.TEMPLATES):
        digest.update(loader.get_template(name).template.source.encode())
    for module in FINGERPRINTED_MODULES:
        digest.update(inspect.getsource(module).encode())
    for name in FINGERPRINTED_SETTINGS:
        digest.update(repr(getattr(settings, name, None)).encode())
    digest.update(static(jsonld.LOGO_PATH).encode())  # its hashed name changes with the file
    return digest.hexdigest()


current_format.cache_clear = _fingerprint.cache_clear


def reading_minutes(article) -> int:
    """Minutes to read everything on the page, at least 1."""
    parts = [article.title, article.standfirst, strip_tags(article.body or "")]
    parts += [bullet.text for bullet in article.tldr_bullets.all()]
    for entry in article.faq_entries.all():
        parts += [entry.question, strip_tags(entry.answer or "")]
    words = sum(len(_WORD.findall(part or "")) for part in parts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def render_parts(article) -> Parts:
    """The parts as the page shows them, from the article and its FAQ and sources (the
    TL;DR, shown above the hero, is the frame's)."""
    return Parts(
        html=mark_safe(loader.render_to_string(TEMPLATE, {"article": article}).strip()),  # noqa: S308
        reading_minutes=reading_minutes(article),
        faq=[[entry.question, entry.answer] for entry in article.faq_entries.all()],
    )


def stored_frame(article) -> frame.Frame | None:
    """The page frame stored at save, if it is current."""
    rendered = _current_row(article)
    if rendered is None or not rendered.head:
        return None
    return frame.Frame(rendered.head, rendered.body)


def render_frame(article, parts: Parts) -> frame.Frame:
    """The frame around ``parts``, from the article with its author, section and tags."""
    return frame.render(
        article, content=parts.html, reading_minutes=parts.reading_minutes, faq=parts.faq
    )


def _current_row(article) -> RenderedArticle | None:
    try:
        rendered = article.rendered
    except RenderedArticle.DoesNotExist:
        return None
    return rendered if rendered.format == current_format() else None


def refresh(article) -> None:
    """Prepare what the article's page shows, once, at save: its stored parts and frame, in
    the save's transaction; once that has committed, its hero's renditions and its share
    card, so a slow or failed picture never costs the editor the save
    (smartchunks/media/renditions.py); the frame is then stored again, with them.  Called
    after its ordered parts are written."""
    _store_or_leave_live(article.pk)
    if article.hero_image:
        renditions.make_renditions_after_commit(article.hero_image, "hero")
    article_id, has_hero = article.pk, bool(article.hero_image)
    transaction.on_commit(lambda: _make_card_and_store(article_id, has_hero))  # after those


def make_card(article_id: int) -> bool:
    """Draw the article's share card for its content as it is now, unless it exists (True
    when drawn).  ~50–200 ms: at save after commit, or by ``manage.py prerender_articles``."""
    article = _card_articles().filter(pk=article_id).first()
    return article is not None and _make_card_of(article)


def make_missing_cards() -> list[int]:
    """Draw every article's card that is missing, reading the articles in one pass (a file
    check each when none is): the ids of the articles whose card was drawn."""
    articles = _card_articles().order_by("pk").iterator(chunk_size=1000)
    return [article.pk for article in articles if _make_card_of(article)]


def _card_articles():
    return Article.objects.select_related("author", "section")


def _make_card_of(article) -> bool:
    content = share_card.card_content(article)

    def still_current() -> bool:
        # Another save may have committed while this card was drawn, and drawn its own:
        # then that one is kept, and this one is the one left over.
        now = _card_articles().filter(pk=article.pk).first()
        return now is not None and share_card.card_content(now) == content

    return share_cards.make_card(article.pk, content, still_current=still_current)


def _make_card_and_store(article_id: int, has_hero: bool) -> None:
    try:
        drawn = make_card(article_id)
    except Exception:  # the save is kept; the page goes without a card until the command
        logger.exception("The share card of article %s was not drawn.", article_id)
        drawn = False
    if drawn or has_hero:
        _store_with_renditions(article_id)


def _store_or_leave_live(article_id: int) -> None:
    """Store the parts in a savepoint: if rendering them fails (a template or setting broken
    by a deploy), the editor's save is kept and the page renders them live meanwhile."""
    try:
        with transaction.atomic():
            store_parts(article_id)
    except Exception:
        logger.exception("The page parts of article %s were not stored.", article_id)
        RenderedArticle.objects.filter(article_id=article_id).delete()


def _store_with_renditions(article_id: int) -> None:
    try:
        store_parts(article_id)
    except Article.DoesNotExist:
        return  # deleted since: nothing to show
    except Exception:  # the save is kept; its page renders the frame live meanwhile
        logger.exception("The page frame of article %s was not stored again.", article_id)
    # A page cached since the renditions were announced may hold the frame without them.
    public_pages_changed()


def store_parts(article_id: int) -> None:
    """Render and store one article's parts and frame, from the rows as they are now."""
    article = (
        Article.objects.select_related("author", "section")
        .prefetch_related("tldr_bullets", "faq_entries", "sources", "corrections", "tags")
        .get(pk=article_id)
    )
    parts = render_parts(article)
    page = render_frame(article, parts)
    RenderedArticle.objects.update_or_create(
        article_id=article_id,
        defaults={
            "format": current_format(),
            "html": str(parts.html),
            "reading_minutes": parts.reading_minutes,
            "faq": parts.faq,
            "head": page.head,
            "body": page.body,
        },
    )


def store_if_missing(article_id: int) -> None:
    """Store the parts again when a write dropped them (a state change that moved the
    publication time, shown in the byline)."""
    if not RenderedArticle.objects.filter(article_id=article_id).exists():
        store_parts(article_id)
