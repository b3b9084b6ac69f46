"""Corrections: a published article's public record of what it got wrong.

A correction is printed the way news sites print one, as a dated note in a sentence or two
the editor writes: "Correction, 1 December 2026: An earlier version of this article said the
vote was on 3 March. It was on 3 April."  One text, not "wrong" and "right" fields glued
together by code: the sentence an editor writes reads better than any template, and it is
what CorrectionComment.text carries in the structured data.

``published_at`` is when readers first saw it: set when it goes live (publishing the staged
changes that carry it, articles/workflow/corrections.py), never typed in.
"""

from django.db import models
from django.utils import timezone

from articles.models.article import Article
from articles.models.parts import OrderedChild

TEXT_LIMIT = 600
EXAMPLE = "An earlier version of this article said the vote was on 3 March. It was on 3 April."


class Correction(OrderedChild):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField(
        "correction",
        max_length=TEXT_LIMIT,
        help_text=f"Say what was wrong and what is right, e.g. “{EXAMPLE}” Readers see it "
        "under the byline, dated the moment it is published, and on the Corrections page.",
    )
    published_at = models.DateTimeField(
        "published", default=timezone.now, help_text="When readers first saw it."
    )

    class Meta(OrderedChild.Meta):
        indexes = [models.Index(fields=["-published_at", "-id"], name="correction_newest")]

    def __str__(self):
        return self.text
