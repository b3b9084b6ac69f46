"""The ordered parts of an explainer: TL;DR bullets, FAQ entries and sources."""

from django.db import models

from articles.models.article import Article
from smartchunks.media.richtext import CleanRichTextField
from smartchunks.media.web_addresses import WebAddressField


class OrderedChild(models.Model):
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class TldrBullet(OrderedChild):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tldr_bullets")
    text = models.CharField(max_length=300)

    class Meta(OrderedChild.Meta):
        verbose_name = "TL;DR bullet"

    def __str__(self):
        return self.text


class FaqEntry(OrderedChild):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.CharField(max_length=300)
    answer = CleanRichTextField(config_name="simple")

    class Meta(OrderedChild.Meta):
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self):
        return self.question


class Source(OrderedChild):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=120, help_text="The outlet, e.g. Fortune")
    url = WebAddressField("URL", max_length=500)
    note = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.name
