"""Who has an article's change form open: one row per person and article, renewed by the
form's heartbeat (articles/workflow/presence.py), so a colleague opening the same article is
told before their edits collide."""

from django.conf import settings
from django.db import models

from articles.models.article import Article


class EditingPresence(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editing_presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(
        help_text="When this person opened the form: the first heartbeat after an absence."
    )
    last_seen = models.DateTimeField(
        db_index=True,
        help_text="The latest heartbeat; the person counts as editing while it is recent.",
    )

    class Meta:
        ordering = ["opened_at"]
        get_latest_by = "last_seen"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], name="one_presence_per_article_and_user"
            )
        ]

    def __str__(self):
        return f"{self.user} on “{self.article}” (seen {self.last_seen:%H:%M:%S})"
