"""Media in an S3-compatible bucket (SMARTCHUNKS_MEDIA_BUCKET), against moto's real S3 server.

Every upload, rendition, share card and editor image lands in the bucket, nothing in
MEDIA_ROOT; pages keep linking /media/<name>, which still decides who may have each file;
the bucket itself gives nothing to anyone without its keys.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils.http import http_date
from PIL import Image

from articles.models import Article, RenderedArticle
from articles.workflow import services
from smartchunks import page_cache
from smartchunks.media import renditions as renditions_module
from tests.factories import image_upload, make_article, make_author
from tests.helpers.object_storage import Bucket
from tests.helpers.stack import free_port
from tests.reader.test_images import assert_no_metadata, exif_with_gps

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/ckeditor/upload/"
BROWSE_URL = "/ckeditor/browse/"
ACCEL_PREFIX = "/_protected_media/"
RENDITION = re.compile(r"^heroes/[A-Za-z0-9_-]+\.jpg\.(480|800|1200)x0_q80\.(webp|jpg)$")
CARD = re.compile(r"^cards/\d{3}/article-(\d+)\.[0-9a-f]{20}\.jpg$")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def files_under(folder) -> list[Path]:
    folder = Path(folder)
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def anonymous_status(url: str) -> int:
    """What someone without the bucket's keys gets for a plain GET of ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def saved(article, editor, capture):
    """``article`` saved through the workflow as the admin saves it, committed (renditions
    and the share card are made once the save commits)."""
    with capture(execute=True):
        services.save_edit(article, by=editor)
    article.refresh_from_db()
    return article


@pytest.fixture
def illustrated(editor, django_capture_on_commit_callbacks):
    """A draft with a phone photo (EXIF and GPS) as its hero, saved by an editor."""
    upload = image_upload("phone.jpg", size=(1300, 700), image_format="JPEG", exif=exif_with_gps())
    draft = make_article(status=Article.Status.DRAFT, hero_image=upload, hero_alt="A street")
    return saved(draft, editor, django_capture_on_commit_callbacks)


def renditions_of(bucket: Bucket, article) -> set[str]:
    hero = article.hero_image.name
    return {
        key for key in bucket.object_keys() if key.startswith(f"{hero}.") and RENDITION.match(key)
    }


def test_a_hero_lands_in_the_private_bucket_without_exif_or_gps(bucket, illustrated, settings):
    name = illustrated.hero_image.name
    assert name in bucket.object_keys()
    assert_no_metadata(Image.open(BytesIO(bucket.read(name))))
    assert bucket.public_grants(name) == []
    assert illustrated.hero_image.url == f"/media/{name}", "pages link the site, not the bucket"
    assert files_under(settings.MEDIA_ROOT) == []


def test_renditions_and_the_share_card_are_made_in_the_bucket(
    bucket, editor, illustrated, django_capture_on_commit_callbacks
):
    assert len(renditions_of(bucket, illustrated)) == 6  # 3 widths, WebP and JPEG
    assert [CARD.match(key).group(1) for key in bucket.object_keys() if CARD.match(key)] == [
        str(illustrated.pk)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        services.publish(illustrated, by=editor)
    cards = [key for key in bucket.object_keys() if CARD.match(key)]
    assert len(cards) == 1, "the draft's card, replaced by the published one's"
    page = Client().get(illustrated.get_absolute_url()).content.decode()
    for key in renditions_of(bucket, illustrated):
        assert f"/media/{key}" in page, key
    (card,) = cards
    card_response = Client().get(f"/media/{card}")
    assert card_response.status_code == 200
    sent = body(card_response)
    assert sent == bucket.read(card)
    assert Image.open(BytesIO(sent)).size == (1200, 630)


def test_an_editor_upload_lands_in_the_bucket_and_browse_lists_it(bucket, editor_client, editor):
    upload = image_upload("figure.jpg", size=(300, 200), image_format="JPEG", exif=exif_with_gps())
    response = editor_client.post(UPLOAD_URL, {"upload": upload})
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    name = url.removeprefix("/media/")
    assert name.startswith(f"uploads/{editor.pk}/")
    assert name in bucket.object_keys()
    assert_no_metadata(Image.open(BytesIO(bucket.read(name))))

    browse = editor_client.get(BROWSE_URL)
    assert browse.status_code == 200
    assert url in browse.content.decode()
    # The uploader sees it; the bucket gives it to nobody without keys.
    mine = editor_client.get(url)
    assert mine.status_code == 200 and body(mine) == bucket.read(name)
    assert anonymous_status(bucket.anonymous_url(name)) == 403


def test_published_media_is_served_from_the_bucket_and_a_drafts_only_to_its_newsroom(
    bucket, editor, editor_client, illustrated
):
    hero = illustrated.hero_image.name
    rendition = sorted(renditions_of(bucket, illustrated))[0]
    urls = {f"/media/{hero}": hero, f"/media/{rendition}": rendition}
    reader = Client()

    for url, name in urls.items():
        assert reader.get(url).status_code == 404, "a draft's image, to a reader"
        preview = editor_client.get(url)
        assert preview.status_code == 200, url
        assert body(preview) == bucket.read(name)
        assert "private" in preview["Cache-Control"] and "no-store" in preview["Cache-Control"]

    services.publish(illustrated, by=editor)
    for url, name in urls.items():
        response = reader.get(url)
        assert response.status_code == 200, url
        assert body(response) == bucket.read(name)
        assert response["Cache-Control"] == "public, max-age=60, s-maxage=0, must-revalidate"
        assert response["Content-Type"] in ("image/jpeg", "image/webp")
        again = reader.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert again.status_code == 304

    services.unpublish(illustrated, by=editor)
    assert {reader.get(url).status_code for url in urls} == {404}


def test_the_bucket_gives_nothing_to_anyone_without_its_keys(bucket, editor, illustrated):
    """moto refuses an anonymous GET of an object with no public grant, as S3 does: so a
    draft's images cannot be had from the bucket by someone who guessed or saw its key."""
    names = [illustrated.hero_image.name, *sorted(renditions_of(bucket, illustrated))]
    for name in names:
        assert anonymous_status(bucket.anonymous_url(name)) == 403, name
        assert bucket.public_grants(name) == []
    services.publish(illustrated, by=editor)  # published ones too: only /media/ serves them
    assert anonymous_status(bucket.anonymous_url(names[0])) == 403


def test_behind_the_front_server_django_hands_nginx_a_short_lived_signed_url(
    bucket, editor, illustrated, settings
):
    settings.MEDIA_ACCEL_PREFIX = ACCEL_PREFIX
    hero = illustrated.hero_image.name
    reader = Client()
    draft = reader.get(f"/media/{hero}")
    assert draft.status_code == 404 and "X-Accel-Redirect" not in draft

    services.publish(illustrated, by=editor)
    response = reader.get(f"/media/{hero}")
    assert response.status_code == 200
    assert response.content == b"", "the bytes come from the bucket, through nginx"
    target = response["X-Accel-Redirect"]
    assert target.startswith(f"{ACCEL_PREFIX}{bucket.name}/{hero}?")
    assert "X-Amz-Expires=60&" in target and "X-Amz-Signature=" in target
    signed = f"{bucket.endpoint}/{target.removeprefix(ACCEL_PREFIX)}"
    with urllib.request.urlopen(signed, timeout=10) as fetched:  # noqa: S310 (loopback)
        assert fetched.read() == bucket.read(hero)


def test_a_key_prefix_keeps_the_sites_media_below_it(moto_server, settings, editor, client):
    bucket = moto_server.new_bucket(prefix="site-a/media")
    settings.MEDIA_BUCKET = bucket.name
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage_settings()}
    article = make_article(hero_image=image_upload("hero.png", size=(320, 200)), hero_alt="x")
    assert article.is_published
    name = article.hero_image.name
    assert f"site-a/media/{name}" in bucket.object_keys()
    assert {key.startswith("site-a/media/heroes/") for key in bucket.object_keys()} == {True}
    response = client.get(f"/media/{name}")
    assert response.status_code == 200 and body(response) == bucket.read(name)


def test_easy_thumbnails_own_default_storage_is_the_bucket_too(bucket):
    from easy_thumbnails.storage import thumbnail_default_storage

    thumbnail_default_storage.save("probe/easy.txt", ContentFile(b"thumbnail"))
    assert bucket.read("probe/easy.txt") == b"thumbnail"


def test_a_bucket_that_does_not_answer_is_a_503_for_media_and_pages_still_open(
    bucket, editor, illustrated, settings
):
    services.publish(illustrated, by=editor)
    gone = Bucket(bucket.name, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    settings.STORAGES = {**settings.STORAGES, "default": gone.storage_settings()}
    reader = Client()
    response = reader.get(f"/media/{illustrated.hero_image.name}")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert reader.get(illustrated.get_absolute_url()).status_code == 200
    # Rendered live too (no stored page, nothing remembered): renditions and share card are
    # looked for in the bucket, which does not answer; the page shows without them.
    RenderedArticle.objects.all().delete()
    renditions_module._cache.clear()
    page_cache.clear()
    live = reader.get(illustrated.get_absolute_url())
    assert live.status_code == 200
    assert illustrated.title in live.content.decode()


def test_a_media_file_the_bucket_lost_is_a_404(bucket, editor, illustrated):
    services.publish(illustrated, by=editor)
    name = illustrated.hero_image.name
    bucket.client.delete_object(Bucket=bucket.name, Key=name)
    assert Client().get(f"/media/{name}").status_code == 404


def test_last_modified_is_the_objects(bucket, editor, illustrated):
    services.publish(illustrated, by=editor)
    name = illustrated.hero_image.name
    head = bucket.client.head_object(Bucket=bucket.name, Key=name)
    response = Client().get(f"/media/{name}")
    assert response["Last-Modified"] == http_date(head["LastModified"].timestamp())


def test_make_renditions_and_prerender_articles_fill_in_what_the_bucket_lacks(bucket, illustrated):
    """The commands an upgrade runs (operator's guide, Upgrades) work on the bucket too."""
    made = renditions_of(bucket, illustrated) | {k for k in bucket.object_keys() if CARD.match(k)}
    for key in made:
        bucket.client.delete_object(Bucket=bucket.name, Key=key)
    renditions_module._cache.clear()  # this process remembered them

    call_command("make_renditions", verbosity=0, stdout=StringIO())
    call_command("prerender_articles", verbosity=0, stdout=StringIO())

    assert len(renditions_of(bucket, illustrated)) == 6
    assert [k for k in bucket.object_keys() if CARD.match(k)] != []


def test_an_author_photo_is_in_the_bucket_stripped_and_public_like_the_author_page(bucket):
    upload = image_upload("me.jpg", size=(300, 300), image_format="JPEG", exif=exif_with_gps())
    author = make_author(photo=upload)
    name = author.photo.name
    assert name.startswith("authors/") and name in bucket.object_keys()
    assert_no_metadata(Image.open(BytesIO(bucket.read(name))))
    response = Client().get(author.photo.url)
    assert response.status_code == 200 and body(response) == bucket.read(name)
    assert anonymous_status(bucket.anonymous_url(name)) == 403, "public through the site only"
