"""The article list's "By publication" filter: where a published article stands in time.

The status filter says Published for an article that is live, one still to come and one
past its expiry alike; the newsroom asks which.  The dashboard's "see all" links land on
these choices, so a panel and its list are made by the same functions (``SOON`` is their
shared week).
"""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone

# "Soon" on the dashboard and in this filter: the week ahead (or the week just gone).
SOON = timedelta(days=7)


def scheduled(articles, now):
    return articles.scheduled(at=now)


def live(articles, now):
    return articles.published(at=now)


def expiring_soon(articles, now):
    """Live now, and off the site again within the week."""
    return articles.published(at=now).filter(expires_at__lte=now + SOON)


def expired(articles, now):
    return articles.expired(at=now)


CHOICES = {
    "scheduled": ("Scheduled", scheduled),
    "live": ("Live now", live),
    "expiring": ("Expiring within 7 days", expiring_soon),
    "expired": ("Expired", expired),
}


class PublicationFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in CHOICES.items()]

    def queryset(self, request, queryset):
        choice = CHOICES.get(self.value())
        if choice is None:
            return queryset
        _, articles = choice
        return articles(queryset, timezone.now())
