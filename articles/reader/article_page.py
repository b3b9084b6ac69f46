"""The article page: what it loads, the view that renders it, and its neighbours (previous
and next in its section, related articles).

The page is the article's *frame* (articles/pages/frame.py: head tags, structured data,
breadcrumbs, header, TL;DR, hero, body, FAQ, sources, tags, author box), stored when the
article is saved (articles/workflow/prerender.py), plus what is decided per request: the
neighbours, which other articles decide, and the newsroom's notices, which its state decides.

Two paths give the same page:

- a reader (not signed in) of a live article whose frame is stored: **two queries**, the
  article's row with its frame and the neighbours, each compiled to SQL once per process
  (articles/reader/compiled_query.py), so the ORM's per-request cost is not paid;
- everyone else (the newsroom, previews, share links, a frame not stored yet or made by an
  older deploy): the ORM path, three queries (the article with author, section and stored
  parts; its tags; the neighbours), rendering the frame live when it is not stored.

Every neighbour comes from ``Article.objects.published()``: a draft never appears as
"related" or "next", even on a page a staff member is previewing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import F, IntegerField, Value, prefetch_related_objects
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpResponse
from django.template import loader
from django.utils import timezone
from django.views.generic import DetailView

from articles.models import Article
from articles.pages import frame
from articles.reader import page_shell
from articles.reader.compiled_query import CompiledQuery, Statement, where_of
from articles.reader.privacy import keep_private
from articles.workflow import prerender
from smartchunks.quick_urls import quick_reverse

NEIGHBOURS_TEMPLATE = "includes/article_neighbours.html"
RELATED_LIMIT = 3
# Each part of the related choice asks for this many more than it shows: previous and next
# are never listed as related too, and at most these two can drop out of a part.
RELATED_SPARE = 2
# Related articles are chosen among the newest this many of each of the article's tags, so
# the work is bounded however many articles a tag gathers over the years.  An index on
# (tag_id, article_id DESC) (migration 0012) walks each tag newest first.  At 100,000
# articles (about 1,000 a tag) ranking a tag in full took 25 ms; the newest 100 took 1.9 ms
# of PostgreSQL's time and the newest 30 take 0.2 ms, which is what an uncached article page
# can afford.  An older article sharing a tag drops out of "related" once 30 newer ones share
# that tag, and a tag counts as shared only while the other article is among its newest 30.
CANDIDATES_PER_TAG = 30
# The articles sharing the most of this article's tags, each tag counted where the other
# article is among that tag's newest CANDIDATES_PER_TAG: the count comes with the candidates,
# where counting every shared tag took a probe per candidate and tag (616 buffers against 251
# at 100,000 articles, 0.38 against 0.19 ms).  The ORM has no join to a grouped subquery;
# what is public is still Article.objects.published()'s conditions ({published}).
SHARING_TAGS = """
    SELECT {columns}, 'related', shared.tags::integer
    FROM (
        SELECT candidate.article_id, count(*) AS tags
        FROM articles_article_tags own
        CROSS JOIN LATERAL (
            SELECT tagged.article_id FROM articles_article_tags tagged
            WHERE tagged.tag_id = own.tag_id AND tagged.article_id <> own.article_id
            ORDER BY tagged.article_id DESC
            LIMIT %s
        ) candidate
        WHERE own.article_id = %s
        GROUP BY candidate.article_id
    ) shared
    JOIN articles_article ON articles_article.id = shared.article_id
    WHERE {published}
    ORDER BY shared.tags DESC, articles_article.published_at DESC, articles_article.id DESC
    LIMIT %s
"""
NEWEST = ("-published_at", "-id")
NEIGHBOUR_COLUMNS = ("pk", "title", "slug", "standfirst", "published_at", "kind", "shared_tags")
SHARING_COLUMNS = ", ".join(
    f"articles_article.{column}" for column in ("id", "title", "slug", "standfirst", "published_at")
)

# Stand-ins no constant of these queries can equal (compiled_query.py checks where they land).
_PK, _SECTION = -7_654_321, -7_654_322
_PUBLISHED_AT = datetime(1901, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
_NOW = datetime(1902, 3, 4, 5, 6, 7, 8, tzinfo=UTC)
_SLUG = "\x1fstand-in-slug\x1f"


def page_frame(article: Article) -> frame.Frame:
    """The frame stored at save, else rendered now from the same inputs (more queries).

    A current row always holds the frame with the parts inside it (prerender.store_parts
    writes both), so there is nothing to reuse from a row that is not current."""
    stored = prerender.stored_frame(article)
    if stored is not None:
        return stored
    prefetch_related_objects([article], "tldr_bullets", "faq_entries", "sources", "corrections")
    return prerender.render_frame(article, prerender.render_parts(article))


def _neighbours(pk, section_id, published_at, now):
    """Previous and next in the section, and the best candidates for related, in one query.

    Related: published articles sharing the most tags, then the same section, newest first;
    two bounded parts (the best ``RELATED_LIMIT`` sharing a tag, among the newest
    ``CANDIDATES_PER_TAG`` of each of its tags, and the newest of its section, an index probe),
    each with ``RELATED_SPARE`` more to fill in for previous and next, which ``neighbours``
    leaves out of related.  Previous/next: a row comparison on (published_at, id) walks the
    (section, published_at, id) index.
    """
    others = Article.objects.published(at=now).exclude(pk=pk)
    in_section = others.filter(section_id=section_id)
    position = Tuple(F("published_at"), F("id"))
    here = (published_at, pk)

    def part(queryset, kind, shared_tags, order):
        return (
            queryset.annotate(kind=Value(kind), shared_tags=shared_tags)
            .order_by(*order)
            .values_list(*NEIGHBOUR_COLUMNS)
        )

    no_tags = Value(0, output_field=IntegerField())
    older = part(in_section.filter(TupleLessThan(position, here)), "previous", no_tags, NEWEST)
    newer = part(
        in_section.filter(TupleGreaterThan(position, here)), "next", no_tags, ("published_at", "id")
    )
    section_related = part(in_section, "related", no_tags, NEWEST)
    candidates = RELATED_LIMIT + RELATED_SPARE
    listed = older[:1].union(newer[:1], section_related[:candidates], all=True)
    sql, params = listed.query.sql_with_params()
    published = where_of(Article.objects.published(at=now))
    sharing = SHARING_TAGS.format(columns=SHARING_COLUMNS, published=published.sql)
    return Statement(
        f"{sql} UNION ALL ({sharing})",
        (*params, CANDIDATES_PER_TAG, pk, *published.params, candidates),
        Article,
    )


NEIGHBOURS = CompiledQuery(
    _neighbours, pk=_PK, section_id=_SECTION, published_at=_PUBLISHED_AT, now=_NOW
)


@dataclass(frozen=True)
class Neighbour:
    """A link to another published article: what previous/next and related show of it."""

    pk: int
    title: str
    slug: str
    standfirst: str
    published_at: datetime

    def get_absolute_url(self) -> str:
        return quick_reverse("articles:detail", slug=self.slug)


def neighbours(article: Article | LiveArticle) -> dict:
    """previous_article, next_article and related_articles for ``article``'s page.

    An article linked as previous or next is not listed under related as well: a reader
    would be offered the same story twice; the next best candidates take its place."""
    found = {"previous_article": None, "next_article": None, "related_articles": []}
    if article.published_at is None:
        return found
    rows = NEIGHBOURS.rows(
        pk=article.pk,
        section_id=article.section_id,
        published_at=article.published_at,
        now=timezone.now(),
    )
    related = []
    for pk, title, slug, standfirst, published_at, kind, shared_tags in rows:
        other = Neighbour(pk, title, slug, standfirst, published_at)
        if kind == "related":
            related.append((shared_tags, other))
        else:
            found[f"{kind}_article"] = other
    related.sort(key=lambda row: (-row[0], -row[1].published_at.timestamp(), -row[1].pk))
    shown = {found[key].pk for key in ("previous_article", "next_article") if found[key]}
    best = {}
    for _shared, other in related:
        if other.pk in shown:
            continue
        best.setdefault(other.pk, other)
    found["related_articles"] = list(best.values())[:RELATED_LIMIT]
    return found


def _live_article_row(slug, now):
    return (
        Article.objects.published(at=now)
        .filter(slug=slug)
        .values_list(
            "pk",
            "title",
            "section_id",
            "section__name",
            "published_at",
            "expires_at",
            "rendered__format",
            "rendered__head",
            "rendered__body",
        )
    )


LIVE_ARTICLE_ROW = CompiledQuery(_live_article_row, slug=_SLUG, now=_NOW)


@dataclass(frozen=True)
class SectionName:
    name: str


@dataclass(frozen=True)
class LiveArticle:
    """What a reader's page needs of a live article beside its stored frame: its title, and
    what finds its neighbours.  Not a model instance: building an Article took about a tenth
    of an uncached page's time (its fields, descriptors and init signals), for these few."""

    pk: int
    title: str
    slug: str
    section_id: int | None
    section: SectionName | None
    published_at: datetime
    expires_at: datetime | None
    # Only live articles are read this way (Article.objects.published() in the query).
    is_published = True


def stored_live_article(slug: str) -> tuple[LiveArticle, frame.Frame] | None:
    """The live article at ``slug`` and its stored frame, when the frame is current."""
    rows = LIVE_ARTICLE_ROW.rows(slug=slug, now=timezone.now())
    if not rows:
        return None
    pk, title, section_id, section_name, published_at, expires_at, fmt, head, body = rows[0]
    if fmt != prerender.current_format() or not head:
        return None
    section = SectionName(section_name) if section_id is not None else None
    article = LiveArticle(pk, title, slug, section_id, section, published_at, expires_at)
    return article, frame.Frame(head, body)


def article_page_context(
    article: Article | LiveArticle, request, page: frame.Frame | None = None
) -> dict:
    """Everything the article page shows besides the article's own fields."""
    page_head, page_body = (page or page_frame(article)).for_origin(_origin(request))
    return {"page_head": page_head, "page_body": page_body, "page_neighbours": _links(article)}


def _links(article: Article | LiveArticle) -> str:
    """Previous/next and related, as HTML (no request: the template needs none)."""
    context = {"article": article, **neighbours(article)}
    return loader.render_to_string(NEIGHBOURS_TEMPLATE, context)


def _origin(request) -> str:
    return request.build_absolute_uri("/")[:-1]


def article_page_queryset(base):
    """Everything the ORM path needs, in a fixed number of queries: the article with its
    author, section and stored parts, then its tags (body and search vector stay in the
    database: the stored parts already hold the body as shown)."""
    return (
        base.select_related("author", "section", "rendered")
        .defer("body", "search_vector")
        .prefetch_related("tags")
    )


class ArticlePageView(DetailView):
    """Renders one article with everything around it; private when it is not live."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(article_page_context(self.object, self.request))
        return context

    def respond_from_stored_frame(self, slug: str):
        """The page from the stored frame (two queries), or None to take the ORM path; put
        in the page's shell when there is one (articles/reader/page_shell.py), else rendered
        by the template."""
        found = stored_live_article(slug)
        if found is None:
            return None
        self.object, page = found
        parts = article_page_context(self.object, self.request, page)
        shell = page_shell.shell_for(self.request)
        if shell is None:
            context = {"object": self.object, "article": self.object, "view": self, **parts}
            return self.render_to_response(context)
        html = shell.fill(
            title=self.object.title,
            head=parts["page_head"],
            body=parts["page_body"],
            neighbours=parts["page_neighbours"],
        )
        return self.kept_private_if_needed(HttpResponse(html))

    # Previews are private even when the article is live: the URL is not the article's.
    always_private = False

    def render_to_response(self, context, **kwargs):
        return self.kept_private_if_needed(super().render_to_response(context, **kwargs))

    def kept_private_if_needed(self, response):
        if self.always_private or not self.object.is_published:
            keep_private(response)  # someone allowed to see unpublished work
        return response
