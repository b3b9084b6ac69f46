"""Images of unpublished articles are private: the hero, every rendition, body and FAQ images.

Articles are written through the real admin form with images uploaded through the real
editor upload view; the hero's renditions are made as the admin's save makes them, once it
has committed.  Every media URL the staff preview shows is then requested by an anonymous
reader.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client, TestCase
from django.utils import timezone

from articles.models import Article
from articles.workflow import services, sharing
from tests.factories import (
    image_upload,
    make_author,
    make_role_user,
    make_section,
    make_tag,
    make_user,
    unique,
)
from tests.helpers.admin import fill_inline, inline_prefix
from tests.helpers.html import error_texts, rendered_form_data

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"
UPLOAD_URL = "/ckeditor/upload/"
MEDIA_URL = re.compile(r"(?:http://testserver)?(/media/[A-Za-z0-9._/-]+)")
RENDITIONS_PER_HERO = 6  # hero-480, -800 and -1200, each in WebP and JPEG


def _upload(client, name="figure.png") -> str:
    response = client.post(UPLOAD_URL, {"upload": image_upload(name, size=(200, 120))})
    assert response.status_code == 200, response.content
    return response.json()["url"]


def _add_draft(client, *, author, body_image: str, faq_image: str) -> Article:
    """A complete draft saved through the admin's add form, as an editor would."""
    data = rendered_form_data(client.get(ADD_URL).content)
    slug = unique("private-media")
    data.update(
        {
            "title": f"Headline {slug}",
            "slug": slug,
            "standfirst": "Heat and deep discharges do most of the damage.",
            "author": str(author.pk),
            "section": str(make_section().pk),
            "tags": [str(make_tag().pk)],
            "body": f'<h2>Chemistry</h2><p>Ions wander.</p><p><img src="{body_image}" alt="Chart"></p>',
            "hero_image": image_upload("hero.png", size=(1300, 700)),
            "hero_alt": "A phone battery, opened",
            "meta_description": "Why batteries lose capacity, and what slows it down.",
        }
    )
    fill_inline(data, inline_prefix(data, "text"), [{"text": f"Bullet {n}"} for n in (1, 2, 3)])
    fill_inline(
        data,
        inline_prefix(data, "question"),
        [
            {
                "question": "Does heat hurt?",
                "answer": f'<p>Yes.<img src="{faq_image}" alt="Curve"></p>',
            }
        ],
    )
    fill_inline(
        data, inline_prefix(data, "url"), [{"name": "Fortune", "url": "https://fortune.com/b"}]
    )
    with TestCase.captureOnCommitCallbacks(execute=True):  # the commit makes the renditions
        response = client.post(ADD_URL, data)
    assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(slug=slug)
    assert article.status == Article.Status.DRAFT
    return article


def _media_urls_of(client, article) -> set[str]:
    """Every /media/ URL the article's staff preview shows."""
    page = client.get(f"/preview/articles/{article.pk}/")
    assert page.status_code == 200
    urls = set(MEDIA_URL.findall(page.content.decode()))
    urls.add(article.hero_image.url)  # the original upload, which no page shows
    return urls


def _answer(response) -> tuple:
    """What a reader can tell apart: status, body and the headers that describe it."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return (
        response.status_code,
        body,
        response.get("Content-Type"),
        response.get("Cache-Control"),
        response.get("X-Accel-Redirect"),
    )


def _stored_bytes(url: str) -> bytes:
    with default_storage.open(url.removeprefix("/media/")) as handle:
        return handle.read()


@pytest.fixture
def newsroom(editor, writer, writer_author):
    editor_client = Client()
    editor_client.force_login(editor)
    writer_client = Client()
    writer_client.force_login(writer)
    colleague_client = Client()
    colleague_client.force_login(make_role_user("Writer"))
    return {
        "editor": editor,
        "editor_client": editor_client,
        "writer_client": writer_client,
        "colleague_client": colleague_client,
        "author": writer_author,
    }


def _illustrated_draft(newsroom) -> tuple[Article, set[str]]:
    client = newsroom["editor_client"]
    article = _add_draft(
        client,
        author=newsroom["author"],
        body_image=_upload(client, "body.png"),
        faq_image=_upload(client, "faq.png"),
    )
    urls = _media_urls_of(client, article)
    return article, urls


def _kinds(urls: set[str]) -> dict[str, int]:
    return {
        "renditions": sum(".png." in url for url in urls if "/heroes/" in url),
        "webp": sum(url.endswith(".webp") for url in urls),
        "uploads": sum("/uploads/" in url for url in urls),
        "authors": sum("/authors/" in url for url in urls),
    }


def _unknown_names(newsroom) -> list[str]:
    """Random names where a hero and an upload would be: what a guess gets."""
    return [
        "/media/heroes/Zq9xRandomNameThatIsNotThere1.png",
        "/media/heroes/Zq9xRandomNameThatIsNotThere1.png.480x0_q80.webp",
        f"/media/uploads/{newsroom['editor'].pk}/Zq9xRandomNameThatIsNotThere2.png",
    ]


def test_every_media_url_of_unreleased_articles_is_the_404_of_a_random_name(newsroom):
    editor = newsroom["editor"]
    articles = {}
    for state in ("draft", "scheduled", "expired", "unpublished"):
        articles[state] = _illustrated_draft(newsroom)
    services.schedule(articles["scheduled"][0], by=editor, at=timezone.now() + timedelta(days=2))
    expiring = articles["expired"][0]
    services.publish(expiring, by=editor)
    expiring.expires_at = timezone.now() + timedelta(hours=1)
    services.save_edit(expiring, by=editor)
    services.publish(articles["unpublished"][0], by=editor)
    services.unpublish(articles["unpublished"][0], by=editor)
    # A live site: another article, with images of its own, is published meanwhile.
    live, live_urls = _illustrated_draft(newsroom)
    services.publish(live, by=editor)

    reader = Client()
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert not expiring.is_published and expiring.editorial_state == "Expired"
        unknown = {_answer(reader.get(url)) for url in _unknown_names(newsroom)}
        assert len(unknown) == 1, "a guessed name always gets the same answer"
        (not_found,) = unknown
        assert not_found[0] == 404
        crawled = 0
        for state, (_article, urls) in articles.items():
            assert _kinds(urls) == {
                "renditions": RENDITIONS_PER_HERO,
                "webp": RENDITIONS_PER_HERO // 2,
                "uploads": 2,
                "authors": 0,
            }, (state, sorted(urls))
            for url in urls:
                assert _answer(reader.get(url)) == not_found, (state, url)
                crawled += 1
    assert crawled == 4 * (RENDITIONS_PER_HERO + 3)
    assert {reader.get(url).status_code for url in live_urls} == {200}


def test_a_published_articles_media_is_public_and_unpublishing_hides_it_at_once(newsroom):
    article, urls = _illustrated_draft(newsroom)
    reader = Client()
    assert {reader.get(url).status_code for url in urls} == {404}

    services.publish(article, by=newsroom["editor"])
    for url in urls:
        response = reader.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content) == _stored_bytes(url)
        assert response["Cache-Control"] == "public, max-age=60, s-maxage=0, must-revalidate"
        assert response["Content-Type"].startswith("image/")

    services.unpublish(article, by=newsroom["editor"])
    assert {reader.get(url).status_code for url in urls} == {404}


def test_expiry_hides_the_media_at_that_moment(newsroom):
    article, urls = _illustrated_draft(newsroom)
    services.publish(article, by=newsroom["editor"])
    article.expires_at = timezone.now() + timedelta(hours=1)
    services.save_edit(article, by=newsroom["editor"])
    reader = Client()
    with time_machine.travel(article.expires_at - timedelta(seconds=1), tick=False):
        assert {reader.get(url).status_code for url in urls} == {200}
    with time_machine.travel(article.expires_at, tick=False):
        assert {reader.get(url).status_code for url in urls} == {404}


def test_a_scheduled_articles_media_goes_public_when_the_article_does(newsroom):
    article, urls = _illustrated_draft(newsroom)
    at = timezone.now() + timedelta(days=1)
    services.schedule(article, by=newsroom["editor"], at=at)
    reader = Client()
    with time_machine.travel(at - timedelta(seconds=1), tick=False):
        assert {reader.get(url).status_code for url in urls} == {404}
    with time_machine.travel(at, tick=False):
        assert {reader.get(url).status_code for url in urls} == {200}


def test_newsroom_who_may_preview_get_the_drafts_media_privately(newsroom):
    _article, urls = _illustrated_draft(newsroom)
    for who in ("editor_client", "writer_client"):  # the editor, and the byline's writer
        for url in urls:
            response = newsroom[who].get(url)
            assert response.status_code == 200, (who, url)
            assert (
                response["Cache-Control"]
                == "max-age=0, no-cache, no-store, must-revalidate, private"
            )


def test_a_writer_gets_404_for_a_colleagues_draft_media(newsroom):
    _article, urls = _illustrated_draft(newsroom)
    colleague = newsroom["colleague_client"]
    assert {colleague.get(url).status_code for url in urls} == {404}


def test_an_upload_no_article_shows_yet_is_its_uploaders_alone(newsroom):
    url = _upload(newsroom["writer_client"], "not-yet-used.png")
    assert newsroom["writer_client"].get(url).status_code == 200
    assert "no-store" in newsroom["writer_client"].get(url)["Cache-Control"]
    for other in (Client(), newsroom["colleague_client"], newsroom["editor_client"]):
        assert other.get(url).status_code == 404


def test_a_share_links_visitor_sees_the_shared_drafts_images_until_it_is_revoked(newsroom):
    article, urls = _illustrated_draft(newsroom)
    link, path = sharing.create_share_link(article, by=newsroom["editor"])
    visitor = Client()
    assert {visitor.get(url).status_code for url in urls} == {404}
    assert visitor.get(path).status_code == 200
    for url in urls:
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    sharing.revoke_share_link(link, by=newsroom["editor"])
    assert {visitor.get(url).status_code for url in urls} == {404}


def test_an_anonymous_request_for_published_media_costs_one_query(
    newsroom, django_assert_num_queries
):
    article, urls = _illustrated_draft(newsroom)
    services.publish(article, by=newsroom["editor"])
    reader = Client()
    for url in sorted(urls):
        with django_assert_num_queries(1):
            assert reader.get(url).status_code == 200


def test_with_the_accel_prefix_django_answers_empty_and_names_the_file(newsroom, settings):
    settings.MEDIA_ACCEL_PREFIX = "/_protected_media/"
    article, urls = _illustrated_draft(newsroom)
    hero = article.hero_image.url
    reader = Client()
    refused = reader.get(hero)
    assert refused.status_code == 404 and not refused.has_header("X-Accel-Redirect")

    services.publish(article, by=newsroom["editor"])
    for url in urls:
        response = reader.get(url)
        assert response.status_code == 200
        assert response.content == b""
        assert response["X-Accel-Redirect"] == "/_protected_media/" + url.removeprefix("/media/")
        expected_type = "image/webp" if url.endswith(".webp") else ("image/jpeg", "image/png")
        assert response["Content-Type"] in expected_type
        assert "s-maxage=0" in response["Cache-Control"]
    staff = newsroom["editor_client"].get(hero)
    assert staff["X-Accel-Redirect"] == "/_protected_media/" + hero.removeprefix("/media/")
    assert "no-store" in staff["Cache-Control"]


TRAVERSALS = [
    "/media/../secret.txt",
    "/media/%2e%2e/secret.txt",
    "/media/heroes/..%2f..%2fsecret.txt",
    "/media/heroes/%2e%2e/%2e%2e/secret.txt",
    "/media/%252e%252e/secret.txt",
    "/media//etc/passwd",
    "/media/%2Fetc%2Fpasswd",
    "/media/heroes/..\\..\\secret.txt",
    "/media/heroes/%5c..%5csecret.txt",
    "/media/.hidden",
    "/media/heroes/",
    "/media/heroes",
    "/media/",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_outside_the_media_folder_or_not_a_file_are_404_even_for_a_superuser(
    path, client, media_in_tmp, settings
):
    (media_in_tmp / "heroes").mkdir(parents=True)
    (media_in_tmp / "heroes" / "x.png").write_bytes(b"png")
    (media_in_tmp / ".hidden").write_bytes(b"hidden")
    (media_in_tmp.parent / "secret.txt").write_text("secret")
    client.force_login(make_user(superuser=True))
    for accel in ("", "/_protected_media/"):
        settings.MEDIA_ACCEL_PREFIX = accel
        response = client.get(path)
        assert response.status_code == 404
        assert not response.has_header("X-Accel-Redirect")


@pytest.mark.parametrize("path", ["/media/heroes/x.png%00.txt", "/media/heroes/x.png\x00"])
def test_a_nul_in_a_media_path_is_the_sites_clean_400(path, client, media_in_tmp):
    (media_in_tmp / "heroes").mkdir(parents=True)
    (media_in_tmp / "heroes" / "x.png").write_bytes(b"png")
    client.force_login(make_user(superuser=True))
    response = client.get(path)
    assert response.status_code == 400
    assert not response.has_header("X-Accel-Redirect")
    assert response.content != b"png"


def test_other_methods_than_get_and_head_are_refused(newsroom):
    article, urls = _illustrated_draft(newsroom)
    services.publish(article, by=newsroom["editor"])
    reader = Client()
    url = article.hero_image.url
    assert reader.head(url).status_code == 200
    assert reader.post(url).status_code == 405


def test_author_photos_are_public_like_the_author_page(client):
    author = make_author(photo=image_upload("face.png", size=(300, 300)))
    page = client.get(author.get_absolute_url()).content.decode()
    photos = set(MEDIA_URL.findall(page))
    assert photos and all("/authors/" in url for url in photos)
    for url in photos | {author.photo.url}:
        assert client.get(url).status_code == 200
