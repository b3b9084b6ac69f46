"""The newsroom dashboard on the admin index: what is waiting, and what changes this week.

Six panels (my drafts, waiting for review, changes to published articles waiting for
review, scheduled and expiring in the next 7 days, recently published), each with its count, its first few articles and a link to all of them
in the article list.  Everything starts from the article admin's own queryset, so a writer
sees here exactly the articles the admin lists for them (their own): there is no second
rule to keep in step.

The admin index is everyone's first page, so its cost does not grow with the archive: one
query for all six panels (each part is LIMITed, and carries its panel's total, counted
before the LIMIT, as ``COUNT(*) OVER ()``), and one for the author profile that "my drafts"
links to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import admin
from django.db.models import Count, F, Value, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from articles.admin import publication_filter
from articles.admin.publication_filter import SOON
from articles.models import Article
from authors.models import Author

# Articles listed in each panel; the count and "see all" cover the rest.
PANEL_SIZE = 5
NO_PROFILE = "No author profile is linked to your account, so no article is yours."


@dataclass(frozen=True)
class Scope:
    """What every panel starts from: the articles the admin lists for this person, now."""

    articles: object  # the article admin's queryset for this request
    now: datetime
    user: object


@dataclass(frozen=True)
class PanelRule:
    key: str
    title: str
    window: str  # the stretch of time the panel covers, "" for none
    articles: Callable[[Scope], object]
    moment: str  # the time shown beside each article
    moment_label: str
    newest_first: bool
    see_all_label: str
    empty: str


@dataclass
class Item:
    pk: int
    title: str
    moment: datetime

    @property
    def url(self) -> str:
        return reverse("admin:articles_article_change", args=[self.pk])


@dataclass
class Panel:
    rule: PanelRule
    count: int = 0
    items: list[Item] = field(default_factory=list)
    see_all_url: str | None = None
    note: str = ""


RULES = (
    PanelRule(
        key="drafts",
        title="My drafts",
        window="",
        # Bylined to this account's author profile: the rulebook's "own" (permissions.is_own).
        articles=lambda s: s.articles.filter(status=Article.Status.DRAFT, author__user=s.user),
        moment="modified_at",
        moment_label="Edited",
        newest_first=True,
        see_all_label="See all my drafts",
        empty="No drafts.",
    ),
    PanelRule(
        key="in_review",
        title="Waiting for review",
        window="",
        articles=lambda s: s.articles.filter(status=Article.Status.IN_REVIEW),
        moment="modified_at",
        moment_label="Edited",
        # The one left longest first.
        newest_first=False,
        see_all_label="See all in review",
        empty="Nothing is waiting for review.",
    ),
    PanelRule(
        key="changes_in_review",
        title="Changes waiting for review",
        window="",
        # Changes to published articles that a writer handed over (articles/workflow/staging.py).
        articles=lambda s: s.articles.filter(staged_edit__submitted_at__isnull=False),
        moment="staged_edit__submitted_at",
        moment_label="Submitted",
        newest_first=False,
        see_all_label="See all changes in review",
        empty="No changes to published articles are waiting.",
    ),
    PanelRule(
        key="scheduled",
        title="Scheduled",
        window="Next 7 days",
        articles=lambda s: publication_filter.scheduled(s.articles, s.now).filter(
            published_at__lte=s.now + SOON
        ),
        moment="published_at",
        moment_label="Goes live",
        newest_first=False,
        see_all_label="See all scheduled",
        empty="Nothing goes live in the next 7 days.",
    ),
    PanelRule(
        key="published",
        title="Recently published",
        window="Last 7 days",
        articles=lambda s: publication_filter.live(s.articles, s.now).filter(
            published_at__gt=s.now - SOON
        ),
        moment="published_at",
        moment_label="Published",
        newest_first=True,
        see_all_label="See all live articles",
        empty="Nothing was published in the last 7 days.",
    ),
    PanelRule(
        key="expiring",
        title="Expiring soon",
        window="Next 7 days",
        articles=lambda s: publication_filter.expiring_soon(s.articles, s.now),
        moment="expires_at",
        moment_label="Expires",
        newest_first=False,
        see_all_label="See all expiring",
        empty="Nothing expires in the next 7 days.",
    ),
)


def _changelist(**query) -> str:
    return f"{reverse('admin:articles_article_changelist')}?{urlencode(query)}"


def _see_all_urls(user) -> dict[str, str | None]:
    own_profile = Author.objects.filter(user=user).values_list("pk", flat=True).first()
    return {
        # The article list filters by byline; an account with no profile has no drafts.
        "drafts": None
        if own_profile is None
        else _changelist(status__exact=Article.Status.DRAFT, author__id__exact=own_profile),
        "in_review": _changelist(status__exact=Article.Status.IN_REVIEW),
        "changes_in_review": _changelist(changes="review"),
        "scheduled": _changelist(publication="scheduled"),
        "published": _changelist(publication="live"),
        "expiring": _changelist(publication="expiring"),
    }


def _first_rows(rule: PanelRule, scope: Scope):
    """The panel's first articles, each row carrying the panel's total."""
    direction = "-" if rule.newest_first else ""
    return (
        rule.articles(scope)
        .annotate(panel=Value(rule.key), moment=F(rule.moment), total=Window(Count("pk")))
        .order_by(f"{direction}moment", f"{direction}pk")
        .values("pk", "title", "panel", "moment", "total")[:PANEL_SIZE]
    )


def panels_for(request) -> list[Panel]:
    """The dashboard for this person: no panels for someone the article admin is closed to."""
    model_admin = admin.site.get_model_admin(Article)
    if not model_admin.has_view_or_change_permission(request):
        return []
    scope = Scope(model_admin.get_queryset(request), timezone.now(), request.user)
    first, *others = (_first_rows(rule, scope) for rule in RULES)
    panels = {rule.key: Panel(rule) for rule in RULES}
    for row in first.union(*others, all=True):
        panel = panels[row["panel"]]
        panel.count = row["total"]
        panel.items.append(Item(row["pk"], row["title"], row["moment"]))
    see_all = _see_all_urls(request.user)
    for panel in panels.values():
        # UNION ALL keeps no order of its own: each panel's rows sorted again here.
        panel.items.sort(key=lambda item: (item.moment, item.pk), reverse=panel.rule.newest_first)
        panel.see_all_url = see_all[panel.rule.key]
        if panel.see_all_url is None:
            panel.note = NO_PROFILE
    return list(panels.values())


def newsroom_index(request):
    """The admin index with the dashboard above the app list.  Wired in front of Django's own
    index in smartchunks/urls.py, like the admin's other replaced URLs, so ``admin.site``
    stays Django's own class."""
    return admin.site.index(request, extra_context={"dashboard": panels_for(request)})
