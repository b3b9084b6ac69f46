"""The media bucket down or hung: editors get a clear error and keep their work, publishing
still goes out, and what could not be made is made once the bucket is back."""

from __future__ import annotations

import pytest

from articles.models import Article
from tests.factories import image_upload, make_article
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import error_texts, field_errors
from tests.helpers.object_storage import OutageMotoServer

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def outage_server():
    with OutageMotoServer() as server:
        yield server


@pytest.fixture
def bucket(outage_server, settings):
    from tests.media.conftest import _forget_ckeditor_storage

    outage_server.come_back()
    bucket = outage_server.new_bucket()
    settings.MEDIA_BUCKET = bucket.name
    settings.STORAGES = {**settings.STORAGES, "default": bucket.storage_settings()}
    _forget_ckeditor_storage()
    yield bucket
    outage_server.come_back()
    _forget_ckeditor_storage()


def test_repro_new_hero_bucket_down(bucket, outage_server, editor_client):
    draft = make_article(status=Article.Status.DRAFT, hero_image=image_upload("a.png"), hero_alt="A")
    data = change_form(editor_client, draft, standfirst="My careful new standfirst.")
    data["hero_image"] = image_upload("new.png", size=(300, 200))
    data["_continue"] = "Save"
    outage_server.go_down()
    response = editor_client.post(change_url(draft), data)
    print(response.status_code, error_texts(response.content))


def test_repro_publish_changes_bucket_down(bucket, outage_server, editor_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        live = make_article(hero_image=image_upload("a.png"), hero_alt="A", body='<p>x</p>')
    data = change_form(editor_client, live, standfirst="My careful new standfirst.")
    data["_publish_changes"] = "Publish changes"
    outage_server.go_down()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_url(live), data)
    print([str(m) for m in response.wsgi_request._messages])
    print(response.status_code, error_texts(response.content))


def test_repro_publish_missing_hero(bucket, outage_server, editor_client):
    draft = make_article(status=Article.Status.DRAFT, hero_image=image_upload("a.png"), hero_alt="A")
    outage_server.empty(bucket)
    data = change_form(editor_client, draft, standfirst="My careful new standfirst.")
    data["_publish"] = "Publish"
    response = editor_client.post(change_url(draft), data)
    print(response.status_code, error_texts(response.content))
