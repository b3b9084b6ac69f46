"""Test data in one place: small functions that build valid objects with overridable fields."""

import itertools
import struct
import zlib
from datetime import timedelta
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, FaqEntry, Section, Source, Tag, TldrBullet
from articles.workflow.media_record import record_media
from authors.models import Author

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_seq)}"


def image_upload(name="picture.png", size=(64, 48), image_format="PNG", colour="navy", exif=None):
    buffer = BytesIO()
    image = Image.new("RGB", size, colour)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=image_format, **kwargs)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}.get(
        image_format, "application/octet-stream"
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def bomb_png(width=20000, height=20000) -> SimpleUploadedFile:
    """A tiny PNG file whose header claims an enormous picture (a decompression bomb)."""
    buffer = BytesIO()
    Image.new("1", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    # IHDR starts at byte 8: length(4) type(4) width(4) height(4) ...; CRC follows its 13 bytes.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return SimpleUploadedFile("bomb.png", bytes(data), content_type="image/png")


def make_user(
    username=None, *, staff=False, superuser=False, password="correct-horse-42!", **extra
):
    User = get_user_model()
    username = username or unique("user")
    if superuser:
        return User.objects.create_superuser(username=username, password=password, **extra)
    return User.objects.create_user(username=username, password=password, is_staff=staff, **extra)


def _prerender():
    # Imported when first used: easy-thumbnails, imported with it, reads the storage settings,
    # which tests/conftest.py changes after this module is imported.
    from articles.workflow import prerender

    return prerender


def _renditions():
    from smartchunks.media import renditions

    return renditions


def make_author(**fields):
    name = fields.pop("name", None) or unique("Author")
    defaults = {
        "name": name,
        "slug": fields.pop("slug", None) or unique("author"),
        "job_title": "Technology editor",
        "experience": "12+ years in editorial",
        "bio": "<p>Writes about things.</p>",
        "linkedin_url": "https://www.linkedin.com/in/someone",
    }
    defaults.update(fields)
    author = Author.objects.create(**defaults)
    _renditions().make_renditions(author.photo, "author")  # as the author admin's save does
    return author


def make_section(**fields):
    slug = fields.pop("slug", None) or unique("section")
    return Section.objects.create(name=fields.pop("name", slug.title()), slug=slug, **fields)


def make_tag(**fields):
    slug = fields.pop("slug", None) or unique("tag")
    return Tag.objects.create(name=fields.pop("name", slug.title()), slug=slug, **fields)


def make_article(*, tldr=3, faq=1, sources=1, tags=(), **fields):
    """A complete article; published an hour ago unless told otherwise."""
    status = fields.pop("status", Article.Status.PUBLISHED)
    defaults = {
        "title": unique("Headline"),
        "standfirst": "A one-sentence summary.",
        "body": "<h2>Section</h2><p>Body text.</p>",
        "meta_description": "A short description.",
        "status": status,
        "published_at": timezone.now() - timedelta(hours=1)
        if status == Article.Status.PUBLISHED
        else None,
    }
    defaults.update(fields)
    defaults.setdefault("slug", unique("article"))
    if "author" not in defaults:
        defaults["author"] = make_author()
    article = Article.objects.create(**defaults)
    for i in range(tldr):
        TldrBullet.objects.create(
            article=article, text=f"Bullet {i + 1} of {article.title}", position=i
        )
    for i in range(faq):
        FaqEntry.objects.create(
            article=article,
            question=f"Question {i + 1}?",
            answer=f"<p>Answer {i + 1}.</p>",
            position=i,
        )
    for i in range(sources):
        Source.objects.create(
            article=article, name=f"Outlet {i + 1}", url=f"https://example.com/{i + 1}", position=i
        )
    if tags:
        article.tags.set(tags)
    # Rows made directly skip save_edit: record the files the article shows, store its
    # rendered page parts and make its hero's renditions, as it would (those once it has
    # committed, which a test's own transaction never does: made here).
    record_media(article)
    _prerender().refresh(article)
    if article.hero_image:
        _renditions().make_renditions(article.hero_image, "hero")
        _prerender().store_parts(article.pk)  # the frame, with them
    return article


def make_complete_article(**fields):
    """An article with every part a reader can see: hero, standfirst, section, tag, FAQ,
    a "Fortune" source, and an author with photo, title line, bio and all profile links."""
    author = fields.pop("author", None) or make_author(
        photo=image_upload("author-face.png", size=(120, 120)),
        bio="<p>Writes explainers about <strong>chips</strong>.</p>",
        x_url="https://x.com/someone",
        website_url="https://someone.example.org/",
    )
    article = make_article(
        author=author,
        section=fields.pop("section", None) or make_section(),
        tags=fields.pop("tags", None) or [make_tag()],
        hero_image=image_upload("hero-original-name.png", size=(320, 180)),
        hero_alt="A chip under a microscope",
        hero_credit="Photo: Jane Doe",
        sources=0,
        **fields,
    )
    Source.objects.create(
        article=article,
        name="Fortune",
        url="https://fortune.com/story",
        note="original report",
        position=0,
    )
    _prerender().store_parts(article.pk)  # the new source made the stored parts out of date
    return article


def make_role_user(role: str, *, author=None, **extra):
    """A staff account in one of the newsroom groups (Writer, Editor, Admin).

    With ``author``, the account writes as that Author profile (Author.user).
    """
    from django.contrib.auth.models import Group

    user = make_user(
        username=extra.pop("username", None) or unique(role.lower()), staff=True, **extra
    )
    user.groups.add(Group.objects.get(name=role))
    if author is not None:
        author.user = user
        author.save(update_fields=["user"])
    return user


def searchable(article):
    """Tests create rows directly, so build the search vector the admin would."""
    from articles.workflow.search_index import refresh_search_vector

    refresh_search_vector(article.pk)
    article.refresh_from_db()
    return article
