"""The parts of the article page that depend only on the article itself, rendered at save."""

from django.db import models

from articles.models.article import Article


class RenderedArticle(models.Model):
    """The TL;DR, cleaned body, FAQ and sources as page HTML, the reading time and the FAQ's
    structured data, and the page's frame around them (articles/pages/frame.py), made by the
    workflow when the article is saved (articles/workflow/prerender.py) so the article page
    does not rebuild them per request.

    Never stale: database triggers (migrations 0009 and 0010) delete the row as soon as
    anything it is made of changes by any path (the admin, a shell, SQL, a fixture): the
    article's own columns (all but its state, version and search data), its TL;DR bullets,
    FAQ entries, sources and tags, and its author, section or tags' rows.  ``format`` names
    the templates, code and settings that made it.  A missing or outdated row makes the page
    render these parts live.  What other articles decide (previous/next, related) and what
    the article's state decides are never stored.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="rendered"
    )
    format = models.CharField(
        max_length=64, help_text="Fingerprint of the templates and code that rendered it."
    )
    html = models.TextField(help_text="TL;DR, body, FAQ and sources, as the page shows them.")
    reading_minutes = models.PositiveIntegerField()
    faq = models.JSONField(
        default=list, help_text="[question, answer] pairs for the FAQPage structured data."
    )
    head = models.TextField(
        blank=True, help_text="The page's head tags and structured data (empty: not stored)."
    )
    body = models.TextField(
        blank=True, help_text="Breadcrumbs and the article element, as the page shows them."
    )
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "rendered article"

    def __str__(self):
        return f"Rendered parts of article {self.article_id}"
