"""The parts of the article page that depend only on the article itself, rendered at save."""

from django.db import models

from articles.models.article import Article


class RenderedArticle(models.Model):
    """The TL;DR, cleaned body, FAQ and sources as page HTML, the reading time and the FAQ's
    structured data, made by the workflow when the article is saved
    (articles/workflow/prerender.py) so the article page does not rebuild them per request.

    Never stale: database triggers (migration 0008) delete the row as soon as the article's
    headline, standfirst or body, or any of its TL;DR bullets, FAQ entries or sources change
    by any path (the admin, a shell, SQL, a fixture), and ``format`` names the templates and
    code that made it.  A missing or outdated row makes the page render these parts live.
    Everything that other rows decide (author box, section, tags, neighbours) stays live.
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
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "rendered article"

    def __str__(self):
        return f"Rendered parts of article {self.article_id}"
