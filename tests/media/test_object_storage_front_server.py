"""Media in a bucket through the real front server: nginx streams allowed files from the bucket.

The stack (nginx + gunicorn, tests/helpers/stack.py) and this test process share one moto S3
server and one bucket.  Django answers /media/ with an empty response and X-Accel-Redirect to
a signed URL; nginx fetches the object and sends it with Django's headers, never the bucket's.
"""

from __future__ import annotations

import socket

import pytest
from django.test import Client as DjangoClient

from articles.models import Article
from articles.workflow import services
from tests.factories import image_upload, make_article
from tests.frontserver.rawhttp import Client
from tests.helpers.object_storage import Bucket
from tests.helpers.stack import Stack, current_database_url, free_port
from tests.media.test_object_storage import anonymous_status, files_under, renditions_of

pytestmark = pytest.mark.frontserver

PUBLIC = "public, max-age=60, s-maxage=0, must-revalidate"


@pytest.fixture(scope="module")
def stack_bucket(moto_server):
    return moto_server.new_bucket()


@pytest.fixture(scope="module")
def stack(django_db_setup, stack_bucket):
    with Stack(
        database_url=current_database_url(), extra_env=stack_bucket.environment()
    ) as running:
        yield running


@pytest.fixture
def bucket(stack_bucket, settings):
    """This process stores into the stack's bucket (the articles' images are made here)."""
    from tests.media.conftest import _forget_ckeditor_storage

    settings.MEDIA_BUCKET = stack_bucket.name
    settings.STORAGES = {**settings.STORAGES, "default": stack_bucket.storage_settings()}
    _forget_ckeditor_storage()
    yield stack_bucket
    _forget_ckeditor_storage()


def headers_of(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in response.getheaders():
        found.setdefault(name.lower(), []).append(value)
    return found


@pytest.fixture
def article_pair(bucket, editor, django_capture_on_commit_callbacks):
    """A published article and a draft, each with a hero (and renditions) in the bucket."""
    made = {}
    for state in ("published", "draft"):
        article = make_article(
            status=Article.Status.DRAFT,
            hero_image=image_upload(f"{state}.jpg", size=(900, 500), image_format="JPEG"),
            hero_alt="A street",
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.save_edit(article, by=editor)
            if state == "published":
                services.publish(article, by=editor)
        made[state] = article
    return made


@pytest.mark.usefixtures("transactional_db")
def test_published_media_comes_from_the_bucket_through_nginx_with_our_headers_only(
    stack, bucket, article_pair
):
    published = article_pair["published"]
    reader = Client(stack.url)
    names = [published.hero_image.name, *sorted(renditions_of(bucket, published))]
    assert len(names) == 1 + 6  # the hero and its renditions, WebP and JPEG
    for name in names:
        response, body = reader.get(f"/media/{name}")
        assert response.status == 200, (name, body[:300], stack.error_log()[-1500:])
        assert body == bucket.read(name)
        headers = headers_of(response)
        assert headers["cache-control"] == [PUBLIC], "Django's, once, not the bucket's"
        assert headers["content-type"] in (["image/jpeg"], ["image/webp"])
        assert headers["x-content-type-options"] == ["nosniff"]
        assert "x-accel-redirect" not in headers
        leaked = [h for h in headers if h.startswith(("x-amz", "access-control-"))]
        assert leaked == [], "the bucket's own headers stay between nginx and the bucket"
        assert "set-cookie" not in headers
    assert files_under(stack.run_dir / "media") == [], "nothing on the machine's disk"

    # Revalidation: nginx passes the reader's condition on to the bucket.
    first, _ = reader.get(f"/media/{names[0]}")
    again, body = reader.get(f"/media/{names[0]}", **{"If-None-Match": first.getheader("ETag")})
    assert (again.status, body) == (304, b"")
    head, body = reader.request("HEAD", f"/media/{names[0]}")
    assert (head.status, body) == (200, b"")


@pytest.mark.usefixtures("transactional_db")
def test_a_drafts_media_is_404_through_nginx_and_in_the_bucket_but_its_editor_gets_it(
    stack, bucket, editor, article_pair
):
    draft = article_pair["draft"]
    names = [draft.hero_image.name, *sorted(renditions_of(bucket, draft))]
    reader = Client(stack.url)
    for name in names:
        response, body = reader.get(f"/media/{name}")
        assert response.status == 404, name
        assert bucket.read(name) not in body
        assert anonymous_status(bucket.anonymous_url(name)) == 403

    # The editor's session (made here, in the database the stack reads) previews it.
    signed_in = DjangoClient()
    signed_in.force_login(editor)
    newsroom = Client(stack.url)
    newsroom.cookies["sessionid"] = signed_in.cookies["sessionid"].value
    response, body = newsroom.get(f"/media/{names[0]}")
    assert response.status == 200
    assert body == bucket.read(names[0])
    # nginx keeps the Cache-Control (and Expires) of Django's answer across the redirect.
    assert headers_of(response)["cache-control"] == [
        "max-age=0, no-cache, no-store, must-revalidate, private"
    ]


@pytest.mark.usefixtures("transactional_db")
def test_a_published_file_the_bucket_lost_is_a_plain_404(stack, bucket, article_pair):
    published = article_pair["published"]
    name = published.hero_image.name
    bucket.client.delete_object(Bucket=bucket.name, Key=name)
    response, body = Client(stack.url).get(f"/media/{name}")
    assert response.status == 404
    assert b"<Error>" not in body, "never the bucket's own error document"
    assert response.getheader("Content-Type") == "text/plain", "not an image's type"


@pytest.mark.usefixtures("transactional_db")
def test_headers_the_object_carries_in_the_bucket_never_replace_ours(stack, bucket, article_pair):
    """Whatever someone set on the object (a year of caching, a download prompt), readers get
    Django's Cache-Control: nginx keeps the original answer's and hides the bucket's."""
    name = article_pair["published"].hero_image.name
    bucket.client.copy_object(
        Bucket=bucket.name,
        Key=name,
        CopySource={"Bucket": bucket.name, "Key": name},
        MetadataDirective="REPLACE",
        ContentType="image/jpeg",
        CacheControl="public, max-age=31536000, immutable",
        ContentDisposition="attachment",
        Expires="Wed, 01 Dec 2027 00:00:00 GMT",
    )
    assert bucket.client.head_object(Bucket=bucket.name, Key=name)["CacheControl"].endswith(
        "immutable"
    )
    response, body = Client(stack.url).get(f"/media/{name}")
    assert response.status == 200
    headers = headers_of(response)
    assert headers["cache-control"] == [PUBLIC]
    assert "content-disposition" not in headers
    assert "expires" not in headers
    assert [h for h in headers if h.startswith("x-amz")] == []


@pytest.mark.usefixtures("transactional_db")
def test_a_bucket_that_does_not_answer_is_the_sites_unavailable_page(bucket, article_pair):
    """nginx cannot reach the bucket: the reader gets the site's own 502 page, never a bucket
    error or a hang; gunicorn's workers never waited on the bucket."""
    gone = Bucket(bucket.name, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    name = article_pair["published"].hero_image.name
    with Stack(database_url=current_database_url(), extra_env=gone.environment()) as cut_off:
        response, body = Client(cut_off.url).get(f"/media/{name}")
        assert response.status == 502
        assert response.getheader("Content-Type").startswith("text/html")
        assert b"<Error>" not in body and bucket.read(name) not in body
        page, _ = Client(cut_off.url).get(article_pair["published"].get_absolute_url())
        assert page.status == 200, "pages do not need the bucket"


@pytest.mark.usefixtures("transactional_db")
def test_a_hung_bucket_is_the_sites_unavailable_page_not_a_hang(bucket, article_pair):
    """The bucket accepts connections and never answers (a stopped process, an overloaded
    server): nginx gives up after its own read timeout, well within the reader's, and sends
    the site's 502 page; the connection is not held as long as the bucket hangs."""
    with socket.create_server(("127.0.0.1", 0)) as hung:  # listens, never accepts
        stuck = Bucket(bucket.name, f"http://127.0.0.1:{hung.getsockname()[1]}")
        name = article_pair["published"].hero_image.name
        with Stack(database_url=current_database_url(), extra_env=stuck.environment()) as cut_off:
            response, body = Client(cut_off.url).get(f"/media/{name}")
            assert response.status == 502
            assert response.getheader("Content-Type").startswith("text/html")
            assert bucket.read(name) not in body
            page, _ = Client(cut_off.url).get(article_pair["published"].get_absolute_url())
            assert page.status == 200, "pages do not need the bucket"
