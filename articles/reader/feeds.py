"""RSS 2.0 and Atom feeds: the whole site, and per author, section and tag.

Items are published articles only, newest first; each item's summary is the article's
TL;DR (the standfirst when it has none), after its newest correction if it has one, and its
author is the byline author.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from articles.models import Article, Correction, Section, Tag
from articles.reader.xmltext import xml_text
from authors.models import Author

FEED_SIZE = 20
# A corrected article's item: RSS 2.0 has no "updated" for an item (Django's RSS writer
# leaves it out) and feed readers key items by guid, so a changed pubDate would read as a new
# story.  What readers do show of an item is its categories and description: the item keeps
# its pubDate and gets this category and the correction note above its summary.  Atom items
# also carry the correction's time in <updated>, which Atom readers use to mark an entry
# updated.
CORRECTED = "Correction"


def feed_items(**filters):
    return list(
        with_latest_correction(Article.objects.published().filter(**filters))
        .for_listing()
        .prefetch_related("tldr_bullets", "tags")[:FEED_SIZE]
    )


def with_latest_correction(articles):
    """Each article with its newest correction's time and text (None without one), in the
    same query: a feed item marks its article corrected (see ArticleFeed)."""
    newest = Correction.objects.filter(article=OuterRef("pk")).order_by("-published_at", "-id")
    return articles.annotate(
        corrected_at=Subquery(newest.values("published_at")[:1]),
        correction_text=Subquery(newest.values("text")[:1]),
    )


def correction_note(item) -> str:
    """ "Correction, 1 December 2026: …", as the article prints it, or ""."""
    if item.corrected_at is None:
        return ""
    when = date_format(timezone.localtime(item.corrected_at), "j F Y")
    return format_html("<p><strong>Correction, {}:</strong> {}</p>", when, item.correction_text)


class XmlSafeFeedMixin:
    """Feed writers that drop characters XML 1.0 cannot hold instead of raising a 500."""

    def __init__(self, *args, **kwargs):
        super().__init__(*xml_text(args), **{key: xml_text(v) for key, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*xml_text(args), **{key: xml_text(v) for key, v in kwargs.items()})


class XmlSafeRssFeed(XmlSafeFeedMixin, Rss201rev2Feed):
    pass


class XmlSafeAtomFeed(XmlSafeFeedMixin, Atom1Feed):
    pass


class ArticleFeed(Feed):
    """The site-wide RSS feed; subclasses narrow ``items`` and rename the feed."""

    feed_type = XmlSafeRssFeed

    def title(self, obj=None):
        return settings.SITE_NAME

    def link(self, obj=None):
        return reverse("articles:home")

    def description(self, obj=None):
        return settings.SITE_DESCRIPTION

    def items(self, obj=None):
        return feed_items()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return correction_note(item) + self.item_summary(item)

    def item_summary(self, item):
        bullets = list(item.tldr_bullets.all())
        if not bullets:
            return format_html("<p>{}</p>", item.standfirst) if item.standfirst else ""
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((b.text,) for b in bullets))
        )

    def item_author_name(self, item):
        return item.author.name

    def item_author_link(self, item):
        return self._absolute(item.author.get_absolute_url())

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        updated = item.public_updated_at if item.show_updated else item.published_at
        return max(updated, item.corrected_at) if item.corrected_at else updated

    def item_categories(self, item):
        names = [item.section.name] if item.section_id else []
        names += [tag.name for tag in item.tags.all()]
        return names + [CORRECTED] if item.corrected_at else names

    def get_feed(self, obj, request):
        # One Feed instance serves every request: per-request state goes on a copy.
        feed = copy.copy(self)
        feed._absolute = request.build_absolute_uri
        return super(ArticleFeed, feed).get_feed(obj, request)


class AtomMixin:
    feed_type = XmlSafeAtomFeed

    def subtitle(self, obj=None):
        return self.description(obj)


class SiteAtomFeed(AtomMixin, ArticleFeed):
    pass


class ScopedFeed(ArticleFeed):
    """The feed of one author, section or tag: the same page, narrowed by its slug."""

    model = None
    items_filter = ""
    # Not Feed.description_template: Django loads that name as an item template.
    scope_description = ""

    def scope_queryset(self):
        return self.model.objects.all()

    def get_object(self, request, slug):
        return get_object_or_404(self.scope_queryset(), slug=slug)

    def title(self, obj=None):
        return f"{obj.name} — {settings.SITE_NAME}"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def description(self, obj=None):
        return self.scope_description.format(name=obj.name)

    def items(self, obj=None):
        return feed_items(**{self.items_filter: obj})


class AuthorFeed(ScopedFeed):
    model = Author
    items_filter = "author"
    scope_description = "Explainers by {name}."


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass


class SectionFeed(ScopedFeed):
    model = Section
    items_filter = "section"
    scope_description = "Explainers in {name}."

    def description(self, obj=None):
        return obj.description or super().description(obj)


class SectionAtomFeed(AtomMixin, SectionFeed):
    pass


class TagFeed(ScopedFeed):
    model = Tag
    items_filter = "tags"
    scope_description = "Explainers tagged {name}."

    def scope_queryset(self):
        return Tag.objects.public()  # like the tag page: unknown until a tagged story is live


class TagAtomFeed(AtomMixin, TagFeed):
    pass
