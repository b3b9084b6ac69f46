"""The article page's own parts, rendered when the article is saved rather than per request.

What depends only on the article and its ordered parts (TL;DR, cleaned body, FAQ and sources
as HTML, the reading time, the FAQ's structured data) is rendered here by ``refresh``, which
save_edit calls after the parts are written.  The article page (articles/reader/article_page.py)
shows the stored result while it is current and otherwise renders the same parts live with
``render_parts``, so what a reader sees never depends on whether the row exists.

Current means: the row exists (triggers delete it when any input changes, see
articles/models/rendered.py) and its ``format`` matches this code and these templates, so a
deploy that changes a template never shows HTML made by the old one.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from functools import cache

from django.template import loader
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, RenderedArticle
from smartchunks.media import renditions

TEMPLATE = "includes/article_content.html"
# The templates the stored HTML comes from; their text is part of the format fingerprint.
TEMPLATES = (TEMPLATE, "includes/tldr.html", "includes/faq.html", "includes/sources.html")
# Bump when the code that shapes the stored parts changes (the rich_text and lazy_images
# filters, the reading-time rule, the FAQ data): rows made before then are rendered again.
CODE_VERSION = "1"
WORDS_PER_MINUTE = 220
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Parts:
    html: SafeString
    reading_minutes: int
    faq: list[list[str]]


@cache
def current_format() -> str:
    digest = hashlib.sha256(CODE_VERSION.encode())
    for name in TEMPLATES:
        digest.update(loader.get_template(name).template.source.encode())
    return digest.hexdigest()


def reading_minutes(article) -> int:
    """Minutes to read everything on the page, at least 1."""
    parts = [article.title, article.standfirst, strip_tags(article.body or "")]
    parts += [bullet.text for bullet in article.tldr_bullets.all()]
    for entry in article.faq_entries.all():
        parts += [entry.question, strip_tags(entry.answer or "")]
    words = sum(len(_WORD.findall(part or "")) for part in parts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def render_parts(article) -> Parts:
    """The parts as the page shows them, from the article and its TL;DR, FAQ and sources."""
    return Parts(
        html=mark_safe(loader.render_to_string(TEMPLATE, {"article": article}).strip()),  # noqa: S308
        reading_minutes=reading_minutes(article),
        faq=[[entry.question, entry.answer] for entry in article.faq_entries.all()],
    )


def stored_parts(article) -> Parts | None:
    """The parts stored at save, if they are current (select_related("rendered") saves a query)."""
    try:
        rendered = article.rendered
    except RenderedArticle.DoesNotExist:
        return None
    if rendered.format != current_format():
        return None
    return Parts(mark_safe(rendered.html), rendered.reading_minutes, rendered.faq)  # noqa: S308


def refresh(article) -> None:
    """Prepare what the article's page shows, once, at save: its stored parts, in the save's
    transaction, and its hero's renditions once that has committed, so a slow or failed
    rendition never costs the editor the save (smartchunks/media/renditions.py).  Called
    after its ordered parts are written."""
    renditions.make_renditions_after_commit(article.hero_image, "hero")
    store_parts(article.pk)


def store_parts(article_id: int) -> None:
    """Render and store one article's parts, from the rows as they are now."""
    article = Article.objects.prefetch_related("tldr_bullets", "faq_entries", "sources").get(
        pk=article_id
    )
    parts = render_parts(article)
    RenderedArticle.objects.update_or_create(
        article_id=article_id,
        defaults={
            "format": current_format(),
            "html": str(parts.html),
            "reading_minutes": parts.reading_minutes,
            "faq": parts.faq,
        },
    )
