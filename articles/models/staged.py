"""Work on an article that is not in its row yet: what readers must not see."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from articles.models.article import Article


class StagedEdit(models.Model):
    """An article's unpublished changes, one set per article, kept beside its row.

    Saving a Published article (live, scheduled or expired) in the admin puts the changes
    here, and autosave puts work in progress here for an article in any state; readers'
    queries read only ``Article`` rows, so nothing here can reach a public page.  An editor's
    "Publish changes" writes them into the row through the workflow's save_edit and deletes
    this (articles/workflow/staging.py).

    ``changes`` holds only what differs from the row: article fields by name, and ``tags``,
    ``tldr``, ``faq`` and ``sources`` as whole lists when they differ.  What the article
    would be is always the row as it is now with these changes on top, so a change made to
    the row meanwhile (a new publication time, a restored revision) is kept by a publish
    unless these changes touch the same field.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="staged_edit"
    )
    changes = models.JSONField(default=dict, help_text="What differs from the article's row.")
    media = ArrayField(
        models.CharField(max_length=255),
        default=list,
        blank=True,
        help_text="Stored files the changed article shows, so previews may load them.",
    )
    based_on_version = models.PositiveIntegerField(
        help_text="The article's version the person saving these changes was looking at."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField()
    autosaved = models.BooleanField(
        default=False, help_text="The last save was an autosave, not a Save button."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while the changes wait for an editor's review."
    )

    class Meta:
        ordering = ["-saved_at"]
        get_latest_by = "saved_at"
        verbose_name = "unpublished change"
        indexes = [
            # The article list's and dashboard's "waiting for review".
            models.Index(
                fields=["submitted_at"],
                name="staged_edit_waiting_idx",
                condition=models.Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Unpublished changes to article {self.article_id}"

    @property
    def is_waiting_for_review(self) -> bool:
        return self.submitted_at is not None
