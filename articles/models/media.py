"""Which stored files each article shows, so /media/ can tell whose they are."""

from django.db import models

from articles.models.article import Article


class ArticleMedia(models.Model):
    """A stored file an article shows: its hero image, or an image (or file link) in its
    body or FAQ answers.  Renditions are found from their source's name.

    Written by the workflow on every save of the article (articles/workflow/media_record.py),
    read by the media view (articles/reader/media.py): a file is public while an article
    that shows it is published.  A row per file, not an array on the article: the lookup
    by name is a plain b-tree probe (the unique index leads with ``path``), joined to the
    article's published rule, and the rows go away with their article.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="media_files")
    path = models.CharField(max_length=255, help_text="The file's name below MEDIA_ROOT.")

    class Meta:
        ordering = ["path"]
        verbose_name = "article media file"
        constraints = [
            models.UniqueConstraint(fields=["path", "article"], name="article_media_path_unique")
        ]

    def __str__(self):
        return self.path
