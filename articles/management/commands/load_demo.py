"""Load the demo publication: 2 authors, 2 sections, 3 explainers, and the About and Editorial
standards pages. Safe to run again: what already exists is never overwritten."""

from datetime import timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from articles.management import demo_content
from articles.models import Article, FaqEntry, Section, SitePage, Source, Tag, TldrBullet
from articles.workflow import services
from authors.models import Author
from smartchunks.media import renditions
from smartchunks.progress import track


def _png(size, colour, accent) -> ContentFile:
    """A simple generated picture, so the demo needs no image files in the repository."""
    width, height = size
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, width, max(width // 12, 1)):
        draw.ellipse(
            (step, height // 3, step + width // 6, height // 3 + width // 6),
            outline=accent,
            width=4,
        )
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="demo.png")


class Command(BaseCommand):
    help = "Create the demo authors, sections, tags and articles that do not exist yet."

    @transaction.atomic
    def handle(self, *args, **options):
        # Create-only: `make run` calls this every time, and an editor's changes to a demo
        # article or profile must survive the next start.
        authors = {data["slug"]: self._author(data) for data in demo_content.AUTHORS}
        sections = {
            data["slug"]: Section.objects.get_or_create(
                slug=data["slug"],
                defaults={"name": data["name"], "description": data["description"]},
            )[0]
            for data in demo_content.SECTIONS
        }
        created = [
            data["slug"]
            for data in demo_content.ARTICLES
            if not Article.objects.filter(slug=data["slug"]).exists()
        ]
        to_create = [data for data in demo_content.ARTICLES if data["slug"] in created]
        for data in track(
            to_create, "load_demo: articles", stream=self.stderr, verbosity=options["verbosity"]
        ):
            self._create_article(data, authors, sections)
        for data in demo_content.SITE_PAGES:
            fields = {key: value for key, value in data.items() if key != "slug"}
            SitePage.objects.get_or_create(
                slug=data["slug"],
                defaults={**fields, "body": fields["body"].strip(), "published": True},
            )
        self.stdout.write(
            f"Demo content ready: {len(demo_content.ARTICLES)} articles "
            f"({len(created)} created, the rest left as they are)."
        )

    def _author(self, data):
        fields = {k: v for k, v in data.items() if k not in {"slug", "colour"}}
        author, created = Author.objects.get_or_create(slug=data["slug"], defaults=fields)
        if created:
            author.photo.save("photo.png", _png((240, 240), data["colour"], (255, 255, 255)))
            renditions.make_renditions_after_commit(author.photo, "author")
        return author

    def _create_article(self, data, authors, sections):
        article = Article(
            slug=data["slug"],
            title=data["title"],
            standfirst=data["standfirst"],
            body=data["body"].strip(),
            author=authors[data["author"]],
            section=sections[data["section"]],
            hero_alt=data["hero_alt"],
            hero_credit=data["hero_credit"],
            meta_description=data["meta_description"],
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=data["days_ago"]),
        )
        article.hero_image.save(
            "hero.png", _png((1200, 675), (24, 38, 56), (124, 183, 255)), save=False
        )

        def write_children():
            article.tags.set(
                [
                    Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                    for name in data["tags"]
                ]
            )
            TldrBullet.objects.bulk_create(
                TldrBullet(article=article, text=text, position=i)
                for i, text in enumerate(data["tldr"])
            )
            FaqEntry.objects.bulk_create(
                FaqEntry(article=article, question=question, answer=answer, position=i)
                for i, (question, answer) in enumerate(data["faq"])
            )
            Source.objects.bulk_create(
                Source(article=article, name=name, url=url, note=note, position=i)
                for i, (name, url, note) in enumerate(data["sources"])
            )

        # The same save as the admin's: search vector, revision and audit event.
        return services.save_edit(
            article,
            by=None,
            created=True,
            write_children=write_children,
            comment="Demo content loaded",
        )
