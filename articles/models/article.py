"""The article, its sections and tags, and the one definition of what readers may see."""

from datetime import datetime

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models import states
from smartchunks.media.images import StoredImageField, hero_upload_to, validate_image_file
from smartchunks.media.richtext import CleanRichTextUploadingField
from smartchunks.quick_urls import quick_reverse


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return quick_reverse("articles:section", slug=self.slug)


class TagQuerySet(models.QuerySet):
    def public(self):
        """Tags on at least one published article.

        A tag is often made for one story ("Project Orion"); until that story is live, its
        page and feed answer like an unknown URL, so the tag's name cannot leak it.
        """
        return self.filter(
            pk__in=Article.tags.through.objects.filter(
                article__in=Article.objects.published()
            ).values("tag_id")
        )


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return quick_reverse("articles:tag", slug=self.slug)


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at: datetime | None = None):
        """The one definition of what readers may see.

        Status Published, publication time passed, and not expired.  Decided at query
        time, so a scheduled article goes live with no cron job.  The application clock
        (not the database's) is used, the same one ``is_published`` reads, so the two
        always agree and tests can move it.  ``at`` (default: now) is for queries compiled
        once and run with each request's time (articles/reader/compiled_query.py).
        """
        now = at or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )

    def scheduled(self, *, at: datetime | None = None):
        """Published with a publication time still to come: what the newsroom calls Scheduled
        (``editorial_state``).  Readers see none of it until that time."""
        now = at or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=now)

    def expired(self, *, at: datetime | None = None):
        """Published, but past its expiry: off the site again (``editorial_state`` Expired)."""
        now = at or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, expires_at__lte=now)

    def for_listing(self):
        """Cards and feed items: never the body or the search vector, the big (TOAST) columns."""
        return (
            self.select_related("author", "section")
            .defer("body", "search_vector")
            .order_by("-published_at", "-id")
        )


class Article(models.Model):
    Status = states.Status

    title = models.CharField("headline", max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the article's address, e.g. how-batteries-age.",
    )
    standfirst = models.CharField(
        max_length=300, blank=True, help_text="One sentence shown under the headline."
    )
    body = CleanRichTextUploadingField(blank=True)
    author = models.ForeignKey(
        "authors.Author",
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="The byline. Only active authors can be chosen.",
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    hero_image = StoredImageField(
        upload_to=hero_upload_to,
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
        validators=[validate_image_file],
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_alt = models.CharField(
        "hero alt text",
        max_length=250,
        blank=True,
        help_text="Describes the image for readers who cannot see it. Required with an image.",
    )
    hero_credit = models.CharField(
        "hero caption / credit", max_length=250, blank=True, help_text="e.g. Photo: Jane Doe"
    )
    meta_description = models.CharField(
        max_length=300,
        blank=True,
        help_text="For search results and social shares: at most 160 characters to publish.",
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=(
            "Visible to readers when status is Published and the publication time has "
            "passed (and the expiry, if any, has not)."
        ),
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="A future time schedules the article; it goes live at that moment.",
    )
    expires_at = models.DateTimeField(
        "expiry", null=True, blank=True, help_text="Optional: off the site again after this."
    )
    public_updated_at = models.DateTimeField(
        "updated (shown to readers)",
        null=True,
        blank=True,
        help_text="Set when a live article is edited; readers see “Updated …” after this time.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Bumped on each save; refuses stale edits."
    )
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        # The reader's listings read their counts and their pages' ids off these indexes
        # alone (index-only scans): each carries every column published() tests -- status,
        # published_at, expires_at -- so no row of the table is opened to learn whether an
        # article is live.  See migration 0010.
        indexes = [
            # Home, feeds, the news sitemap: newest published first.
            models.Index(
                fields=["status", "-published_at", "-id"],
                include=["expires_at"],
                name="article_public_idx",
            ),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            # Section and author pages, their feeds and sitemap lastmods, previous/next in a
            # section: newest first within one section or author, without sorting them all.
            models.Index(
                fields=["section", "status", "-published_at", "-id"],
                include=["expires_at"],
                name="article_section_pub_idx",
            ),
            models.Index(
                fields=["author", "status", "-published_at", "-id"],
                include=["expires_at"],
                name="article_author_pub_idx",
            ),
            # Tag pages and search reach articles by id (from a tag's links, from the search
            # candidates): whether each is live, and when, from the index alone.
            models.Index(
                fields=["id"],
                include=["status", "published_at", "expires_at"],
                name="article_id_public_idx",
            ),
            # The sitemap's latest change: the newest "updated" time in one index lookup.
            models.Index(
                fields=["-public_updated_at"],
                name="article_updated_idx",
                condition=Q(public_updated_at__isnull=False),
            ),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish articles"),
            ("edit_any_article", "Can edit any article, whoever wrote it, in any state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(expires_at__gt=models.F("published_at")),
                name="article_expires_after_publication",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return quick_reverse("articles:detail", slug=self.slug)

    @property
    def is_published(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def editorial_state(self) -> str:
        """What the newsroom calls it: Published articles with a future time are Scheduled."""
        now = timezone.now()
        if self.status == self.Status.PUBLISHED:
            if self.published_at and self.published_at > now:
                return "Scheduled"
            if self.expires_at and self.expires_at <= now:
                return "Expired"
        return self.get_status_display()

    @property
    def show_updated(self) -> bool:
        """Whether readers are told the article was updated: an edit after it went live."""
        return bool(
            self.public_updated_at
            and self.published_at
            and self.public_updated_at > self.published_at
        )
