"""Make the missing renditions of every hero image and author photo, e.g. after upgrading
to renditions made at save (smartchunks/media/renditions.py): until then those pages show
the original images.  The stored page frames of articles with a hero are stored again, with
their renditions (articles/workflow/prerender.py)."""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.workflow import prerender
from articles.workflow.page_generation import public_pages_changed
from authors.models import Author
from smartchunks.media import renditions
from smartchunks.progress import track


class Command(BaseCommand):
    help = "Make the missing renditions of every hero image and author photo."

    def handle(self, *args, **options):
        heroes = list(Article.objects.exclude(hero_image="").only("hero_image"))
        images = [(article.hero_image, "hero") for article in heroes]
        images += [(author.photo, "author") for author in Author.objects.exclude(photo="")]
        shown = {"stream": self.stderr, "verbosity": options["verbosity"]}
        unusable = [
            fieldfile.name
            for fieldfile, kind in track(images, "make_renditions: images", **shown)
            if renditions.make_renditions(fieldfile, kind) is None
        ]
        for article in track(heroes, "make_renditions: article pages", **shown):
            prerender.store_parts(article.pk)
        if heroes:
            # Making a rendition renewed the pages, but the frames naming them are stored
            # only now: a page rendered in between holds the old frame (after a storage
            # outage, one with no hero at all).  Stored frames send no signal of their own.
            public_pages_changed()
        for name in unusable:
            self.stderr.write(f"Not a usable image, no renditions: {name}")
        self.stdout.write(f"Renditions ready for {len(images) - len(unusable)} images.")
