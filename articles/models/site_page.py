"""Site pages: About, Editorial standards and any other simple page the newsroom adds.

Not articles: no author, workflow, revisions or TL;DR; a page is live while ``published``
is ticked.  The body is rich text cleaned like every other (smartchunks/media/richtext.py)
but without uploads: an uploaded image is served to readers only while a published
*article* uses it (articles/reader/media.py), so a site page could not show one.
"""

from django.db import models

from smartchunks.media.richtext import CleanRichTextField
from smartchunks.quick_urls import quick_reverse


class SitePageQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: ticked published, nothing else."""
        return self.filter(published=True)

    def in_footer(self):
        return self.published().filter(show_in_footer=True).order_by("footer_position", "title")


class SitePage(models.Model):
    title = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The page's address: /pages/<slug>/. Changing it breaks links to the page.",
    )
    description = models.CharField(
        max_length=160,
        blank=True,
        help_text="One sentence for search results and link previews (at most 160 characters).",
    )
    body = CleanRichTextField()
    published = models.BooleanField(
        default=False, help_text="Readers see the page only while this is ticked."
    )
    show_in_footer = models.BooleanField(
        default=True, help_text="Link to the page from the footer of every page."
    )
    footer_position = models.PositiveSmallIntegerField(
        default=0, help_text="Footer links run from the lowest number to the highest."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SitePageQuerySet.as_manager()

    class Meta:
        ordering = ["footer_position", "title"]
        verbose_name = "site page"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return quick_reverse("articles:site-page", slug=self.slug)
