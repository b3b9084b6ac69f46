"""The media bucket down, hung, or back without its objects, against a real moto S3 server.

An editor never gets a server error and never loses text: a new image the bucket cannot
take is an error on the image field, with the rest of the form as they typed it.  Publishing
does not depend on the bucket: the page goes live without whatever picture work could not be
done (renditions, the share card), and ``make_renditions`` / ``prerender_articles`` do it
once the bucket is back.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from articles.models import Article, StagedEdit
from authors.models import Author
from tests.authors.test_author_admin import ADD_URL as ADD_AUTHOR_URL
from tests.authors.test_author_admin import author_form
from tests.factories import image_upload, make_article
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import error_texts, field_errors, reading_order, rendered_form_data
from tests.helpers.object_storage import OutageMotoServer
from tests.media.conftest import _forget_ckeditor_storage
from tests.media.test_object_storage import CARD, renditions_of

pytestmark = pytest.mark.django_db

NOT_STORED = "The image could not be stored: the media storage is not answering."


@pytest.fixture(scope="module")
def outage_server():
    with OutageMotoServer() as server:
        yield server


@pytest.fixture
def bucket(outage_server, settings):
    """A new bucket on a server this test may take down; it is back after the test."""
    outage_server.come_back()
    bucket = outage_server.new_bucket()
    settings.MEDIA_BUCKET = bucket.name
    _use_storage(settings, bucket)
    yield bucket
    outage_server.come_back()
    _forget_ckeditor_storage()


def _use_storage(settings, bucket):
    # A new storage object, as a new process has: one that found the bucket not answering
    # leaves it alone for a few seconds (smartchunks/media/object_storage.py).
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage_settings()}
    _forget_ckeditor_storage()


@pytest.fixture
def run_after_the_bucket_is_back(settings, bucket, django_capture_on_commit_callbacks):
    """``manage.py <command>``, run by the operator (a new process) once the bucket is back."""

    def run(command: str) -> str:
        _use_storage(settings, bucket)
        out = StringIO()
        # Run in autocommit, as from a shell: what waits for a commit runs.
        with django_capture_on_commit_callbacks(execute=True):
            call_command(command, stdout=out, stderr=StringIO())
        return out.getvalue()

    return run


def reader_page(article) -> str:
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def cards_in(bucket) -> list[str]:
    return sorted(key for key in bucket.object_keys() if CARD.match(key))


# A new image the bucket cannot take: a form error, the text kept ----------------------------


@pytest.mark.parametrize("outage", ["go_down", "hang"])
def test_a_new_hero_the_bucket_cannot_take_is_an_error_on_the_image_and_the_text_is_kept(
    bucket, outage_server, editor_client, django_capture_on_commit_callbacks, settings, outage
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(
            status=Article.Status.DRAFT, hero_image=image_upload("old.png"), hero_alt="Old"
        )
    old_hero = draft.hero_image.name
    data = change_form(editor_client, draft, standfirst="An hour of careful rewording.")
    data["hero_image"] = image_upload("new.png", size=(300, 200))
    getattr(outage_server, outage)()  # stopped, or hung (only the client's timeout ends it)

    response = editor_client.post(change_url(draft), data)

    assert response.status_code == 200, "the form again, not an error page"
    (error,) = field_errors(response.content, "hero_image")
    assert error.startswith(NOT_STORED) and "kept in this form" in error
    shown = rendered_form_data(response.content)
    assert shown["standfirst"] == "An hour of careful rewording."
    draft.refresh_from_db()
    assert draft.standfirst == "A one-sentence summary." and draft.hero_image.name == old_hero

    outage_server.come_back()
    _use_storage(settings, bucket)
    shown["hero_image"] = image_upload("new.png", size=(300, 200))  # chosen again
    shown["_continue"] = "Save"
    with django_capture_on_commit_callbacks(execute=True):
        again = editor_client.post(change_url(draft), shown)
    assert again.status_code == 302, error_texts(again.content)
    draft.refresh_from_db()
    assert draft.standfirst == "An hour of careful rewording."
    assert draft.hero_image.name != old_hero and draft.hero_image.name in bucket.object_keys()


def test_a_live_articles_unpublished_changes_are_untouched_by_a_save_the_bucket_refused(
    bucket, outage_server, editor_client
):
    live = make_article(hero_image=image_upload("hero.png"), hero_alt="A hero")
    saved = editor_client.post(
        change_url(live),
        {**change_form(editor_client, live, title="Staged title"), "_continue": "Save"},
    )
    assert saved.status_code == 302, error_texts(saved.content)
    staged_before = StagedEdit.objects.get(article=live).changes
    assert staged_before["title"] == "Staged title"

    data = change_form(editor_client, live, standfirst="More words, with a new picture.")
    data["hero_image"] = image_upload("new.png", size=(300, 200))
    data["_continue"] = "Save"
    outage_server.go_down()
    response = editor_client.post(change_url(live), data)

    assert response.status_code == 200
    assert field_errors(response.content, "hero_image")[0].startswith(NOT_STORED)
    shown = rendered_form_data(response.content)
    assert shown["standfirst"] == "More words, with a new picture."
    assert shown["title"] == "Staged title"
    assert StagedEdit.objects.get(article=live).changes == staged_before
    assert "More words" not in reader_page(live) and "Staged title" not in reader_page(live)


def test_an_author_photo_the_bucket_cannot_take_is_an_error_on_the_photo(
    bucket, outage_server, admin_client
):
    data = author_form(admin_client, photo=image_upload("ada.png", size=(200, 200)))
    outage_server.go_down()
    response = admin_client.post(ADD_AUTHOR_URL, data)
    assert response.status_code == 200
    assert field_errors(response.content, "photo")[0].startswith(NOT_STORED)
    shown = rendered_form_data(response.content)
    assert shown["bio"] == "<p>Ada reads the papers.</p>" and shown["name"] == "Ada Writer"
    assert not Author.objects.filter(slug="ada-writer").exists()


def test_an_editor_image_the_bucket_cannot_take_is_the_editors_message(
    bucket, outage_server, editor_client
):
    outage_server.go_down()
    response = editor_client.post("/ckeditor/upload/", {"upload": image_upload("figure.png")})
    assert response.status_code == 503
    assert response.json()["error"]["message"].startswith(NOT_STORED)


# Publishing with the bucket down: the page goes live, the pictures follow ---------------------


@pytest.mark.parametrize("outage", ["go_down", "hang"])
def test_publishing_a_draft_with_the_bucket_down_puts_it_live_and_its_pictures_follow(
    bucket,
    outage_server,
    editor_client,
    django_capture_on_commit_callbacks,
    run_after_the_bucket_is_back,
    outage,
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(
            status=Article.Status.DRAFT,
            hero_image=image_upload("hero.jpg", size=(1300, 700), image_format="JPEG"),
            hero_alt="A street at dusk",
        )
    # Its renditions are lost (as if making them had failed); publishing cannot make them.
    for key in renditions_of(bucket, draft):
        bucket.client.delete_object(Bucket=bucket.name, Key=key)
    (draft_card,) = cards_in(bucket)
    data = change_form(editor_client, draft, title="Tides, explained again")
    data["_publish"] = "Publish"
    getattr(outage_server, outage)()  # stopped, or hung

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(draft), data)

    assert response.status_code == 302, error_texts(response.content)
    draft.refresh_from_db()
    assert draft.is_published and draft.title == "Tides, explained again"
    page = reader_page(draft)
    assert "Tides, explained again" in reading_order(page)

    outage_server.come_back()
    assert renditions_of(bucket, draft) == set() and cards_in(bucket) == [draft_card]
    run_after_the_bucket_is_back("make_renditions")
    made = renditions_of(bucket, draft)
    assert len(made) == 6  # 3 widths, WebP and JPEG
    run_after_the_bucket_is_back("prerender_articles")
    (card,) = cards_in(bucket)
    assert card != draft_card, "the card of the new title replaced the draft's"
    page = reader_page(draft)
    for key in made:
        assert f"/media/{key}" in page, key


def test_publishing_a_live_articles_text_edit_with_the_bucket_down_goes_out(
    bucket,
    outage_server,
    editor_client,
    django_capture_on_commit_callbacks,
    run_after_the_bucket_is_back,
):
    # No hero: the share card is its pages' image (og:image).
    with django_capture_on_commit_callbacks(execute=True):
        live = make_article(title="The first headline")
    (old_card,) = cards_in(bucket)
    assert f"/media/{old_card}" in reader_page(live)
    data = change_form(editor_client, live, title="A corrected headline")
    data["_publish_changes"] = "Publish changes"
    outage_server.go_down()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(live), data)

    assert response.status_code == 302, error_texts(response.content)
    shown = editor_client.get(change_url(live))
    assert "Changes published: readers see them now." in reading_order(shown.content, "body")
    assert "A corrected headline" in reading_order(reader_page(live))
    assert not StagedEdit.objects.filter(article=live).exists()

    outage_server.come_back()
    run_after_the_bucket_is_back("prerender_articles")
    (card,) = cards_in(bucket)
    assert card != old_card, "the card of the new headline replaced the old one"
    assert f"/media/{card}" in reader_page(live)


def test_publishing_an_article_whose_hero_object_is_missing_succeeds(
    bucket, outage_server, editor_client, django_capture_on_commit_callbacks
):
    """The bucket came back empty (restored without its media): the article still publishes;
    its page goes without the picture until the image is uploaded again."""
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_article(
            status=Article.Status.DRAFT, hero_image=image_upload("hero.png"), hero_alt="Gone"
        )
    outage_server.empty(bucket)
    data = change_form(editor_client, draft, standfirst="Published without its picture.")
    data["_publish"] = "Publish"

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(draft), data)

    assert response.status_code == 302, error_texts(response.content)
    draft.refresh_from_db()
    assert draft.is_published and draft.standfirst == "Published without its picture."
    assert "Published without its picture." in reading_order(reader_page(draft))


def test_with_the_bucket_down_the_newsroom_and_readers_pages_still_open(
    bucket, outage_server, editor_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        live = make_article(
            title="Still readable",
            hero_image=image_upload("hero.jpg", size=(900, 500), image_format="JPEG"),
            hero_alt="A harbour",
        )
        draft = make_article(
            status=Article.Status.DRAFT,
            title="Still editable",
            hero_image=image_upload("draft.png"),
            hero_alt="A draft",
        )
    outage_server.go_down()
    for url in (
        change_url(draft),
        change_url(live),
        f"/preview/articles/{draft.pk}/",
        "/admin/articles/article/",
    ):
        assert editor_client.get(url).status_code == 200, url
    assert "Still editable" in reading_order(editor_client.get(change_url(draft)).content, "body")
    assert "Still readable" in reading_order(reader_page(live))
    assert Client().get("/").status_code == 200
