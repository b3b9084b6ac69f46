"""The models of articles: the article and its taxonomy, its ordered parts, and the records
the workflow keeps.  Revisions hold the whole explainer: the article with its parts."""

import reversion

from articles.models.article import Article, ArticleQuerySet, Section, Tag, TagQuerySet
from articles.models.corrections import Correction
from articles.models.media import ArticleMedia
from articles.models.parts import FaqEntry, OrderedChild, Source, TldrBullet
from articles.models.presence import EditingPresence
from articles.models.records import ArticleEvent, ShareLink, SlugRedirect
from articles.models.rendered import RenderedArticle
from articles.models.site_page import SitePage
from articles.models.staged import StagedEdit

__all__ = [
    "Article",
    "ArticleEvent",
    "ArticleMedia",
    "ArticleQuerySet",
    "Correction",
    "EditingPresence",
    "FaqEntry",
    "OrderedChild",
    "RenderedArticle",
    "Section",
    "ShareLink",
    "SitePage",
    "SlugRedirect",
    "Source",
    "StagedEdit",
    "Tag",
    "TagQuerySet",
    "TldrBullet",
]

reversion.register(TldrBullet)
reversion.register(FaqEntry)
reversion.register(Source)
reversion.register(Correction)
reversion.register(
    Article,
    exclude=["search_vector", "version", "modified_at"],
    follow=["tldr_bullets", "faq_entries", "sources", "corrections"],
)
