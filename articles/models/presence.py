"""Who has an article's change form open: one row per person and article, renewed by the
form's heartbeat (articles/workflow/presence.py), so a colleague opening the same article is
told before their edits collide."""

from django.conf import settings
from django.db import models

from articles.models.article import Article


class EditingPresence(models.Model):
    """One person's presence on one article's form; their latest page (``visit``) speaks for
    them.  A page that closed leaves its row marked ``closed`` until it expires, so a
    heartbeat it sent just before (still on its way) cannot bring the person back."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editing_presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visit = models.CharField(
        max_length=32, help_text="The page (one load of the form) whose heartbeat came last."
    )
    closed = models.BooleanField(
        default=False, help_text="That page said it closed: not listed as editing."
    )
    opened_at = models.DateTimeField(
        help_text="When this person opened the form, as their pages tell (the earliest open one)."
    )
    last_seen = models.DateTimeField(
        db_index=True,
        help_text="The latest heartbeat or closing; listed as editing while recent and not closed.",
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
