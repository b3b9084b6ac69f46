"""Load the demo publication: 2 authors, 2 sections, 3 explainers. Safe to run again."""

from datetime import timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from articles import demo_content
from articles.models import Article, FaqEntry, Section, Source, Tag, TldrBullet
from articles.search import refresh_search_vector
from authors.models import Author


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
    help = "Create or refresh the demo authors, sections, tags and articles."

    @transaction.atomic
    def handle(self, *args, **options):
        authors = {data["slug"]: self._author(data) for data in demo_content.AUTHORS}
        sections = {
            data["slug"]: Section.objects.update_or_create(
                slug=data["slug"],
                defaults={"name": data["name"], "description": data["description"]},
            )[0]
            for data in demo_content.SECTIONS
        }
        for data in demo_content.ARTICLES:
            self._article(data, authors, sections)
        self.stdout.write(f"Demo content ready: {len(demo_content.ARTICLES)} articles.")

    def _author(self, data):
        fields = {k: v for k, v in data.items() if k not in {"slug", "colour"}}
        author, _ = Author.objects.update_or_create(slug=data["slug"], defaults=fields)
        if not author.photo:
            author.photo.save("photo.png", _png((240, 240), data["colour"], (255, 255, 255)))
        return author

    def _article(self, data, authors, sections):
        published_at = timezone.now() - timedelta(days=data["days_ago"])
        article = Article.objects.filter(slug=data["slug"]).first()
        fields = {
            "title": data["title"],
            "standfirst": data["standfirst"],
            "body": data["body"].strip(),
            "author": authors[data["author"]],
            "section": sections[data["section"]],
            "hero_alt": data["hero_alt"],
            "hero_credit": data["hero_credit"],
            "meta_description": data["meta_description"],
            "status": Article.Status.PUBLISHED,
        }
        if article is None:
            article = Article(slug=data["slug"], published_at=published_at, **fields)
        else:
            for name, value in fields.items():
                setattr(article, name, value)
        article.save()
        if not article.hero_image:
            article.hero_image.save("hero.png", _png((1200, 675), (24, 38, 56), (124, 183, 255)))
        article.tags.set(
            [
                Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                for name in data["tags"]
            ]
        )
        article.tldr_bullets.all().delete()
        article.faq_entries.all().delete()
        article.sources.all().delete()
        TldrBullet.objects.bulk_create(
            TldrBullet(article=article, text=text, position=i)
            for i, text in enumerate(data["tldr"])
        )
        for i, (question, answer) in enumerate(data["faq"]):
            FaqEntry.objects.create(article=article, question=question, answer=answer, position=i)
        Source.objects.bulk_create(
            Source(article=article, name=name, url=url, note=note, position=i)
            for i, (name, url, note) in enumerate(data["sources"])
        )
        refresh_search_vector(article.pk)
        return article
