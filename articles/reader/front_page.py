"""The front page's first screen: the lead story, and the latest articles of each section.

A fixed number of queries however many sections and articles there are: the lead is the
first row of the page of latest articles (already read), its TL;DR one query; the sections'
latest articles two: each section's newest ids through its (section, published_at) index,
then those rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from articles.models import Article, Section, TldrBullet
from articles.pages import share_card
from smartchunks.media import renditions

PER_SECTION = 4


@dataclass(frozen=True)
class Lead:
    article: Article
    hero: renditions.ResponsiveImage | None
    bullets: list[TldrBullet]
    # Without a hero, the lead shows its share card (a published article's card is public).
    card: renditions.Rendition | None = None


@dataclass(frozen=True)
class SectionLatest:
    section: Section
    latest: list[Article]


def lead_story(newest: Article | None) -> Lead | None:
    """The newest published article, with its hero's renditions and its TL;DR."""
    if newest is None:
        return None
    bullets = list(TldrBullet.objects.filter(article=newest).order_by("position"))
    hero = renditions.responsive_image(newest.hero_image, "hero")
    card = None if hero else share_card.card_of(newest)
    return Lead(newest, hero, bullets, card)


def latest_by_section(per_section: int = PER_SECTION) -> list[SectionLatest]:
    """Each section with a published article, by name, with its newest ``per_section``."""
    newest_ids = (
        Article.objects.published()
        .filter(section=OuterRef("pk"))
        .order_by("-published_at", "-id")
        .values("pk")[:per_section]
    )
    sections = [
        section
        for section in Section.objects.annotate(newest=ArraySubquery(newest_ids))
        .only("name", "slug")
        .order_by("name")
        if section.newest
    ]
    wanted = [pk for section in sections for pk in section.newest]
    articles = {
        article.pk: article
        for article in Article.objects.published().for_listing().filter(pk__in=wanted)
    }
    return [
        SectionLatest(section, [articles[pk] for pk in section.newest if pk in articles])
        for section in sections
    ]
