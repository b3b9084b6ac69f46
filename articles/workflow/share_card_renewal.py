"""An author or section renamed in the admin: their articles' share cards show the old name,
so new ones are drawn once the rename has committed (the article's own save draws its card,
articles/workflow/prerender.py).

Each card is ~50–200 ms, drawn in the admin's request after its commit, so the newest
RENEWED_AT_SAVE articles are done there and any older ones by ``manage.py
prerender_articles`` (run by ``make run``); until then their pages go without a card
(``og:image`` falls back to the site's logo), never with a stale one.  A save that changes
nothing a card shows costs one query and a file check per article.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save

from articles.models import Article, Section
from articles.workflow import prerender
from articles.workflow.page_generation import public_pages_changed
from authors.models import Author

logger = logging.getLogger(__name__)

RENEWED_AT_SAVE = 100


def renew_cards(article_ids) -> int:
    """Draw the missing cards of these articles and store their frames again with them."""
    drawn = 0
    for article_id in article_ids:
        try:
            if prerender.make_card(article_id):
                prerender.store_parts(article_id)
                drawn += 1
        except Exception:  # the rename is kept; the command draws it later
            logger.exception("The share card of article %s was not drawn again.", article_id)
    if drawn:
        public_pages_changed()
    return drawn


def _renamed(sender, instance, created, **kwargs):
    if created:
        return
    field = "author" if isinstance(instance, Author) else "section"
    ids = list(
        Article.objects.filter(**{field: instance})
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
        .values_list("pk", flat=True)[: RENEWED_AT_SAVE + 1]
    )
    if len(ids) > RENEWED_AT_SAVE:
        logger.info("Older cards of %s are left to manage.py prerender_articles.", instance)
    transaction.on_commit(lambda: renew_cards(ids[:RENEWED_AT_SAVE]))


def connect() -> None:
    for model in (Author, Section):
        post_save.connect(_renamed, sender=model, dispatch_uid=f"share-cards-{model.__name__}")
