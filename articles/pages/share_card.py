"""What an article's share card shows (smartchunks/media/share_cards.py draws it), and the card
itself once drawn: the frame's ``og:image``, ``twitter:image`` and ``NewsArticle.image`` when
the article has no hero image (articles/pages/frame.py)."""

from __future__ import annotations

from django.conf import settings

from smartchunks.media import share_cards
from smartchunks.media.renditions import Rendition


def card_content(article) -> share_cards.CardContent:
    """The card's content, from the article with its author and section loaded."""
    return share_cards.CardContent(
        headline=article.title or "",
        section=article.section.name if article.section_id else "",
        author=article.author.name if article.author_id else "",
        site_name=settings.SITE_NAME,
        hero_name=article.hero_image.name or "",
    )


def card_of(article) -> Rendition | None:
    """The article's card for its content as it is now, if it has been drawn."""
    if article.pk is None:
        return None
    return share_cards.existing_card(article.pk, card_content(article))
