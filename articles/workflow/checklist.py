"""The pre-publish checklist: every reason an article cannot go live yet, all at once.

``problems()`` works on plain values, so the admin can check what is in the form before
anything is saved, and the workflow services can check what is in the database.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.utils.html import strip_tags

from smartchunks.media.citation_markers import marker_numbers, stray_source_links
from smartchunks.media.richtext import clean_html

TLDR_MIN, TLDR_MAX = 3, 5
META_DESCRIPTION_MAX = 160


@dataclass
class Draft:
    """What the checklist looks at, wherever it comes from."""

    title: str = ""
    slug: str = ""
    author_id: int | None = None
    body: str = ""
    has_hero_image: bool = False
    hero_alt: str = ""
    meta_description: str = ""
    tldr: list[str] = field(default_factory=list)
    faq: list[tuple[str, str]] = field(default_factory=list)
    source_urls: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    expires_at: datetime | None = None


def draft_from_article(article) -> Draft:
    return Draft(
        title=article.title,
        slug=article.slug,
        author_id=article.author_id,
        body=article.body,
        has_hero_image=bool(article.hero_image),
        hero_alt=article.hero_alt,
        meta_description=article.meta_description,
        tldr=[bullet.text for bullet in article.tldr_bullets.all()],
        faq=[(entry.question, entry.answer) for entry in article.faq_entries.all()],
        source_urls=[source.url for source in article.sources.all()],
        published_at=article.published_at,
        expires_at=article.expires_at,
    )


def has_text(rich_text: str | None) -> bool:
    """Whether rich text holds words a reader would see.

    An "empty" CKEditor leaves ``<p>&nbsp;</p>``: no tags and no (non-breaking) spaces count.
    """
    return bool(html.unescape(strip_tags(rich_text or "")).strip())


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def expiry_problem(published_at, expires_at) -> str | None:
    """An expiry at or before the publication time: the article would never be live."""
    if published_at and expires_at and expires_at <= published_at:
        return "Set the expiry after the publication time, or clear it."
    return None


def problems(draft: Draft) -> list[str]:
    """Readable sentences, one per failure; an empty list means ready to publish."""
    found = []
    if not draft.title.strip():
        found.append("Add a headline.")
    if not draft.slug.strip():
        found.append("Add a slug (the article's URL).")
    if not draft.author_id:
        found.append("Choose an author.")
    tldr = [text for text in draft.tldr if text.strip()]
    if not TLDR_MIN <= len(tldr) <= TLDR_MAX:
        found.append(
            f"Publishing needs {TLDR_MIN} to {TLDR_MAX} TL;DR bullets; "
            f"this article has {len(tldr)}."
        )
    if not has_text(draft.body):
        found.append("Write the body: it is empty.")
    if not any(_is_web_url(url) for url in draft.source_urls):
        found.append("Add at least one source with an http:// or https:// URL.")
    if draft.has_hero_image and not draft.hero_alt.strip():
        found.append("Describe the hero image in its alt text.")
    if len(draft.meta_description) > META_DESCRIPTION_MAX:
        found.append(
            f"Shorten the meta description to {META_DESCRIPTION_MAX} characters at most "
            f"(it has {len(draft.meta_description)})."
        )
    for number, (question, answer) in enumerate(draft.faq, start=1):
        if not question.strip() or not has_text(answer):
            found.append(f"FAQ entry {number} needs both a question and an answer.")
    if problem := expiry_problem(draft.published_at, draft.expires_at):
        found.append(problem)
    found += dangling_citations(draft.body, len(draft.source_urls))
    return found


def dangling_citations(body: str, source_count: int) -> list[str]:
    """One sentence per number cited in ``body`` that no source has (judged on the body as
    it would be saved: cleaned, so only markers the page would show count)."""
    cleaned = clean_html(body)
    numbers = sorted({n for n in marker_numbers(cleaned) if n > source_count})
    has = f"{source_count} source" + ("" if source_count == 1 else "s")
    return [
        f"Citation marker [{number}] in the body points to source {number}, but the article "
        f"has {has}: add that source or remove the marker."
        for number in numbers
    ] + [
        f"A link in the body points at “{target}” but is not a citation marker: remove it "
        "and cite the source with the Cite source button."
        for target in dict.fromkeys(stray_source_links(cleaned))
    ]
