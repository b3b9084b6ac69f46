"""Make the missing renditions of every hero image and author photo, e.g. after upgrading
to renditions made at save (smartchunks/media/renditions.py): until then those pages show
the original images."""

from django.core.management.base import BaseCommand

from articles.models import Article
from authors.models import Author
from smartchunks.media import renditions


class Command(BaseCommand):
    help = "Make the missing renditions of every hero image and author photo."

    def handle(self, *args, **options):
        images = [
            (article.hero_image, "hero")
            for article in Article.objects.exclude(hero_image="").only("hero_image")
        ]
        images += [(author.photo, "author") for author in Author.objects.exclude(photo="")]
        unusable = [
            fieldfile.name
            for fieldfile, kind in images
            if renditions.make_renditions(fieldfile, kind) is None
        ]
        for name in unusable:
            self.stderr.write(f"Not a usable image, no renditions: {name}")
        self.stdout.write(f"Renditions ready for {len(images) - len(unusable)} images.")
