"""Which writes make the cached public pages stale: every save or delete of a model a
public page shows.

Signals, not calls sprinkled over the write paths: a page cache that is "always right" must
hear of every write, and the admin's own saves and deletes of authors, sections and tags,
its bulk "delete selected", cascades, ``load_demo``, restores and a shell session all go
through ``Model.save``/``delete`` and the tags' ``m2m_changed``, while no list of call sites
stays complete.  What skips signals calls ``page_generation.public_pages_changed`` itself:
the workflow's state change (``QuerySet.update``, articles/workflow/services.py).  The other
bulk writes in the code base are inside a transaction that also saves an article, whose
commit renews the generation (``load_demo``'s children, the search vector); a test lists
every bulk write so a new one is looked at (tests/workflow/test_page_cache_invalidation.py).
New renditions of an image are files, not rows: they are made after the save has committed,
and their own signal (``renditions.renditions_made``) renews the pages rendered in between.

Connected in ``ArticlesConfig.ready``.  A draft's edit also renews the generation: telling
whether a write can change a public page would need the row as it was, and an extra render
of each cached page after a draft's save costs little.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.models import (
    Article,
    Correction,
    FaqEntry,
    Section,
    SitePage,
    SlugRedirect,
    Source,
    Tag,
    TldrBullet,
)
from articles.workflow.page_generation import public_pages_changed
from authors.models import Author
from smartchunks.media import renditions

# What a public page shows: the article and its parts (corrections too), its section, tags and author, the
# old addresses that answer with a redirect, and the site pages (each its own page, and
# linked from the footer of every page).
PUBLIC_MODELS = (
    Article,
    TldrBullet,
    FaqEntry,
    Source,
    Correction,
    Section,
    Tag,
    Author,
    SlugRedirect,
    SitePage,
)


def _saved_or_deleted(sender, instance, **kwargs):
    if isinstance(instance, Article):
        public_pages_changed(instants=(instance.published_at, instance.expires_at))
    else:
        public_pages_changed()


def _tags_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        public_pages_changed()


def _renditions_made(sender, **kwargs):
    # Made after the save's commit: a page rendered in between shows the original image.
    public_pages_changed()


def connect() -> None:
    for model in PUBLIC_MODELS:
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"page-cache-{model}")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"page-cache-del-{model}")
    m2m_changed.connect(_tags_changed, sender=Article.tags.through, dispatch_uid="page-cache-tags")
    renditions.renditions_made.connect(_renditions_made, dispatch_uid="page-cache-renditions")
