"""The frame of an article's page: its head (description, canonical and social tags, feeds,
structured data) and the article itself (breadcrumbs, header and byline, TL;DR, hero, body,
FAQ, sources, tags, author box).  The TL;DR comes straight after the byline, before the hero,
so that on every screen the reader meets the summary above the fold.

The frame depends only on the article and the rows it points to (author, section, tags, hero
image), never on other articles or on its own publication state, so the workflow renders it
when the article is saved (articles/workflow/prerender.py) and the reader shows it as stored;
what other articles decide (previous/next, related) and what the state decides (the
newsroom's notices, ``noindex``) are added around it per request
(templates/articles/article_detail.html).

Absolute URLs are rendered against ``ORIGIN``, a stand-in the page replaces with the origin
the reader asked (``Frame.for_origin``), so one stored frame serves every allowed host and
both schemes.  ``ORIGIN`` is under ``.invalid``, a name that can never resolve: the only text
the replacement could change is that very address, which no real link uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.http import QueryDict
from django.template import loader
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from articles.pages import jsonld
from articles.pages.share_card import card_of
from smartchunks.media import renditions

ORIGIN = "https://origin.smartchunks.invalid"
HEAD_TEMPLATE = "articles/article_head.html"
BODY_TEMPLATE = "articles/article_body.html"
# Every template the frame is made of: their text is part of the stored frame's fingerprint.
TEMPLATES = (
    HEAD_TEMPLATE,
    BODY_TEMPLATE,
    "includes/meta/social.html",
    "includes/meta/feed_links.html",
    "includes/breadcrumbs.html",
    "includes/byline.html",
    "includes/corrections.html",
    "includes/tldr.html",
    "includes/hero.html",
    "includes/tags.html",
    "includes/author_box.html",
    "includes/author_photo.html",
    "includes/profile_links.html",
)


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


def breadcrumbs(article) -> list[Crumb]:
    """Home > Section > Article: the visible trail and the BreadcrumbList share this."""
    crumbs = [Crumb("Home", reverse("articles:home"))]
    if article.section_id:
        crumbs.append(Crumb(article.section.name, article.section.get_absolute_url()))
    crumbs.append(Crumb(article.title, article.get_absolute_url()))
    return crumbs


@dataclass(frozen=True)
class Frame:
    head: str
    body: str

    def for_origin(self, origin: str) -> tuple[SafeString, SafeString]:
        """Head and body with absolute URLs on ``origin`` (``scheme://host[:port]``)."""
        return (
            mark_safe(self.head.replace(ORIGIN, origin)),  # noqa: S308 (rendered by our templates)
            mark_safe(self.body.replace(ORIGIN, origin)),  # noqa: S308
        )


class _FrameRequest:
    """What the frame's templates ask of a request: the article's path and absolute URLs."""

    def __init__(self, path: str):
        self.path = path
        self.GET = QueryDict()

    def build_absolute_uri(self, location: str) -> str:
        return urljoin(ORIGIN + self.path, location)  # an absolute URL (media on a CDN) stays


def render(article, *, content: SafeString, reading_minutes: int, faq) -> Frame:
    """The frame of ``article`` (with author, section, tags and TL;DR loaded), around its own
    parts (``content``: body, FAQ and sources as HTML, articles/workflow/prerender.py)."""
    request = _FrameRequest(article.get_absolute_url())
    crumbs = breadcrumbs(article)
    hero = renditions.responsive_image(article.hero_image, "hero")
    # Without a hero, social sites and search engines get the share card instead.
    card = None if hero else card_of(article)
    context = {
        "request": request,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_DESCRIPTION": settings.SITE_DESCRIPTION,
        "article": article,
        "article_content": content,
        "breadcrumbs": crumbs,
        "hero": hero,
        "hero_sizes": renditions.HERO_SIZES,
        "share_image": hero.largest if hero else card,
        "share_image_alt": article.hero_alt if hero else article.title,
        "reading_minutes": reading_minutes,
        "structured_data": jsonld.article_graph(
            article,
            absolute=request.build_absolute_uri,
            crumbs=crumbs,
            hero=hero,
            faq=faq,
            card=card,
        ),
    }
    return Frame(
        head=loader.render_to_string(HEAD_TEMPLATE, context).strip(),
        body=loader.render_to_string(BODY_TEMPLATE, context).strip(),
    )
