"""What the newsroom's work leaves behind: old URLs, share links and the audit trail."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models import states
from articles.models.article import Article


class SlugRedirect(models.Model):
    """An old URL of an article whose slug changed after publication: answered with a 301."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class ShareLinkQuerySet(models.QuerySet):
    def working(self):
        """Links that still open their article: not revoked, not expired (``is_active``)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ShareLink(models.Model):
    """A revocable, expiring preview link for someone without an account.

    The URL carries a signed token naming this row and its nonce; the row decides whether the
    link still works (expiry and revocation), so revoking takes effect at once.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="share_links")
    nonce = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Share link for {self.article} (until {self.expires_at:%Y-%m-%d %H:%M})"

    @property
    def is_active(self) -> bool:
        """This link as ``ShareLink.objects.working()`` counts it."""
        return self.revoked_at is None and self.expires_at > timezone.now()


class ArticleEvent(models.Model):
    """The audit trail: who did what to which article, and when."""

    Action = states.Action

    article = models.ForeignKey(
        Article, null=True, on_delete=models.SET_NULL, related_name="events"
    )
    article_title = models.CharField(
        max_length=200, help_text="Kept so the trail survives the article's deletion."
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        get_latest_by = "at"

    def __str__(self):
        who = self.actor or "someone"
        return f"{who} {self.get_action_display().lower()} “{self.article_title}”"
