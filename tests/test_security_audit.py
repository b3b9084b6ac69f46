"""Adversarial audit: each test shows a hole found in review and stays as its regression test."""

import struct
import zlib
from io import BytesIO
from xml.dom import minidom

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article, ArticleEvent
from articles.workflow import services
from authors.models import Author
from tests.factories import (
    image_upload,
    make_article,
    make_author,
    make_role_user,
    make_section,
    make_user,
)
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import error_texts, rendered_form_data

pytestmark = [
    pytest.mark.django_db,
    # The pictures below are meant to trip Pillow's decompression-bomb warning.
    pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
]


def _stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def bomb_png(width=20000, height=20000) -> SimpleUploadedFile:
    """A tiny PNG file whose header claims an enormous picture (a decompression bomb)."""
    buffer = BytesIO()
    Image.new("1", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    # IHDR starts at byte 8: length(4) type(4) width(4) height(4) ...; CRC follows its 13 bytes.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return SimpleUploadedFile("bomb.png", bytes(data), content_type="image/png")


# --- The editor upload endpoint cannot be reached around its checks ---------------


def test_editor_upload_under_another_path_does_not_skip_the_checks(client, media_in_tmp):
    # django-ckeditor's own upload view answers any path starting with /ckeditor/upload/.
    client.force_login(make_user(staff=True))  # staff, but in no newsroom group
    response = client.post("/ckeditor/upload/x", {"upload": image_upload("a.png")})
    assert response.status_code in (403, 404)
    assert _stored_files(media_in_tmp) == []


def test_upload_of_a_decompression_bomb_is_refused_clearly(client, media_in_tmp):
    client.force_login(make_user(superuser=True))
    response = client.post("/ckeditor/upload/", {"upload": bomb_png()})
    assert response.status_code == 400
    assert "pixels" in response.json()["error"]["message"]
    assert _stored_files(media_in_tmp) == []


def test_upload_of_an_image_just_under_pillows_bomb_limit_is_refused_too(client, media_in_tmp):
    # 100 megapixels only warns in Pillow, but decoding it takes 300 MB per copy.
    client.force_login(make_user(superuser=True))
    response = client.post("/ckeditor/upload/", {"upload": bomb_png(10000, 10000)})
    assert response.status_code == 400
    assert "pixels" in response.json()["error"]["message"]


# --- View on site does not reveal a draft's address ---------------------------------


def test_view_on_site_shortcut_does_not_reveal_someone_elses_draft_slug(client):
    other = make_article(status=Article.Status.DRAFT, slug="secret-merger-draft")
    client.force_login(make_role_user("Writer", author=make_author()))
    ct = ContentType.objects.get_for_model(Article)
    response = client.get(f"/admin/r/{ct.pk}/{other.pk}/")
    assert "secret-merger-draft" not in response.get("Location", "")
    assert response.status_code == 404
    for odd in ("abc", "99999999999999999999", "%00"):
        assert client.get(f"/admin/r/{ct.pk}/{odd}/").status_code == 404
    # A published article, or the writer's own draft, still opens on the site.
    live = make_article()
    assert client.get(f"/admin/r/{ct.pk}/{live.pk}/")["Location"].endswith(f"/{live.slug}/")


# --- Feeds survive odd characters ----------------------------------------------------


def test_feeds_and_news_sitemap_survive_a_control_character_in_a_headline(client):
    # Pasted from a word processor: a vertical tab inside the headline and a TL;DR bullet.
    article = make_article(title="Chips\x0bexplained", section=make_section())
    article.tldr_bullets.update(text="Form\x0cfeed")
    urls = ["/feeds/rss/", "/feeds/atom/", "/news-sitemap.xml"]
    urls += [f"/sections/{article.section.slug}/rss/", f"/authors/{article.author.slug}/atom/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        minidom.parseString(response.content)  # noqa: S318 -- our own output: well-formed?
        assert b"Chipsexplained" in response.content, url


# --- Share link admin with odd input -----------------------------------------------


def test_revoking_with_a_malformed_link_id_is_not_a_server_error(client):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(make_role_user("Editor"))
    response = client.post(f"/admin/articles/article/{article.pk}/share/", {"revoke": "abc"})
    assert response.status_code in (400, 404)


# --- Images too big to decode, or broken ------------------------------------------------


def many_frame_gif(frames=60, size=(1200, 1200)) -> SimpleUploadedFile:
    """A small GIF file (identical-ish frames compress well) that decodes to many pixels."""
    first, second = Image.new("P", size, 0), Image.new("P", size, 1)
    buffer = BytesIO()
    rest = [second if i % 2 == 0 else first for i in range(frames - 1)]
    first.save(buffer, format="GIF", save_all=True, append_images=rest, duration=10, disposal=1)
    return SimpleUploadedFile("anim.gif", buffer.getvalue(), content_type="image/gif")


def test_animated_gif_with_too_many_pixels_in_all_frames_is_refused(client, media_in_tmp):
    # 60 frames of 1200×1200 is 86 megapixels to decode (metadata stripping copies them all).
    client.force_login(make_user(superuser=True))
    upload = many_frame_gif()
    assert upload.size < 1024 * 1024
    response = client.post("/ckeditor/upload/", {"upload": upload})
    assert response.status_code == 400
    assert "60 frames" in response.json()["error"]["message"]
    assert _stored_files(media_in_tmp) == []


def test_truncated_image_is_refused_not_a_server_error(client, media_in_tmp):
    client.force_login(make_user(superuser=True))
    whole = image_upload("cut.png", size=(300, 200), colour="red").read()
    cut = SimpleUploadedFile("cut.png", whole[: len(whole) - 40], content_type="image/png")
    response = client.post("/ckeditor/upload/", {"upload": cut})
    assert response.status_code == 400
    assert "not an image" in response.json()["error"]["message"]


@pytest.mark.parametrize("pixels", [(20000, 20000), (10000, 10000)])
def test_admin_photo_upload_of_a_bomb_is_a_form_error(client, media_in_tmp, pixels):
    client.force_login(make_user(superuser=True))
    data = rendered_form_data(client.get("/admin/authors/author/add/").content)
    data.update(name="Bomb Test", slug="bomb-test", photo=bomb_png(*pixels))
    response = client.post("/admin/authors/author/add/", data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode(), "a form error, not a 500"
    assert not Author.objects.filter(slug="bomb-test").exists()


# --- The editor's "browse server" dialog --------------------------------------------


def test_browse_lists_only_the_users_own_uploads(client, media_in_tmp):
    first = make_role_user("Writer", author=make_author())
    client.force_login(first)
    stored = client.post("/ckeditor/upload/", {"upload": image_upload("a.png")}).json()
    first_file = stored["url"].rsplit("/", 1)[-1]
    assert client.get("/ckeditor/browse/").content.decode().count(first_file)

    client.force_login(make_role_user("Writer", author=make_author()))
    response = client.get("/ckeditor/browse/")
    assert response.status_code == 200
    assert first_file not in response.content.decode()


def test_browse_is_refused_to_staff_outside_the_newsroom(client):
    client.force_login(make_user(staff=True))
    assert client.get("/ckeditor/browse/").status_code == 403
    assert client.get("/ckeditor/browse/x").status_code == 403


# --- Admin autocomplete ----------------------------------------------------------------


def test_autocomplete_with_a_nul_character_answers_cleanly(client):
    make_author(name="Ada Lovelace")
    client.force_login(make_role_user("Editor"))
    for field in ("author", "tags", "section"):
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": "articles", "model_name": "article", "field_name": field, "term": "\x00"},
        )
        assert response.status_code == 200, field
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "author", "term": "Ada"},
    )
    assert [row["text"] for row in response.json()["results"]] == ["Ada Lovelace"]


def test_autocomplete_is_still_refused_to_staff_outside_the_newsroom(client):
    client.force_login(make_user(staff=True))
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "author", "term": ""},
    )
    assert response.status_code == 403


# --- Caching ---------------------------------------------------------------------------


def test_redirects_a_signed_in_user_gets_are_never_stored_by_shared_caches(client):
    article = make_article()
    client.force_login(make_role_user("Editor", author=make_author()))
    # Django's add-a-slash redirect is made by a middleware, outside the views.
    for url in (f"/articles/{article.slug}", "/admin", f"/preview/articles/{article.pk}"):
        response = client.get(url)
        assert response.status_code == 301, url
        cache_control = response.get("Cache-Control", "")
        assert "private" in cache_control and "no-store" in cache_control, url


# --- Odd dates in the admin --------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_zone", "day", "time"),
    [("Asia/Tokyo", "01/01/0001", "00:00:00"), ("America/New_York", "31/12/9999", "23:59:59")],
)
def test_publication_time_at_the_edge_of_the_calendar_is_a_form_error(
    client, settings, time_zone, day, time
):
    # DJANGO_TIME_ZONE may be anything; there, these local times fall outside PostgreSQL's.
    settings.TIME_ZONE = time_zone
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(make_role_user("Editor", author=make_author()))
    for field in ("published_at", "expires_at"):
        data = change_form(client, article, **{f"{field}_0": day, f"{field}_1": time})
        response = client.post(change_url(article), data)
        assert response.status_code == 200, field
        assert "between the years" in " ".join(error_texts(response.content)), field


# --- Audit trail ---------------------------------------------------------------------------


def test_bulk_delete_from_the_list_is_recorded_in_the_audit_trail(client):
    first, second = make_article(title="First to go"), make_article(title="Second to go")
    editor = make_role_user("Editor", author=make_author())
    client.force_login(editor)
    response = client.post(
        "/admin/articles/article/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk__in=[first.pk, second.pk]).exists()
    deleted = ArticleEvent.objects.filter(action=ArticleEvent.Action.DELETED, actor=editor)
    assert sorted(deleted.values_list("article_title", flat=True)) == [
        "First to go",
        "Second to go",
    ]


# --- Lost work on author profiles ----------------------------------------------------------


def test_second_save_of_a_stale_author_profile_is_refused(client):
    author = make_author(name="Ada", bio="<p>First bio.</p>")
    writer = make_role_user("Writer", author=author)
    url = f"/admin/authors/author/{author.pk}/change/"
    client.force_login(writer)
    writers_form = rendered_form_data(client.get(url).content)

    # An admin saves the profile while the writer's form is open.
    client.force_login(make_role_user("Admin"))
    admin_form = rendered_form_data(client.get(url).content)
    admin_form.update(bio="<p>The admin's new bio.</p>")
    assert client.post(url, admin_form).status_code == 302

    client.force_login(writer)
    writers_form.update(job_title="Chief explainer")
    response = client.post(url, writers_form)
    assert response.status_code == 200
    assert "NOT been saved" in " ".join(error_texts(response.content))
    author.refresh_from_db()
    assert author.bio == "<p>The admin's new bio.</p>"
    assert author.job_title != "Chief explainer"

    # Reopened, the writer's change goes through.
    fresh = rendered_form_data(client.get(url).content)
    fresh.update(job_title="Chief explainer")
    assert client.post(url, fresh).status_code == 302
    author.refresh_from_db()
    assert (author.job_title, author.bio) == ("Chief explainer", "<p>The admin's new bio.</p>")


# --- Script injection through the editor's upload callback -----------------------------------


def test_upload_callback_number_cannot_inject_script(client, media_in_tmp):
    client.force_login(make_user(superuser=True))
    payload = "1);alert(document.cookie);//"
    response = client.post(
        f"/ckeditor/upload/?CKEditorFuncNum={payload}", {"upload": image_upload("a.png")}
    )
    assert response.status_code == 400
    assert b"alert(document.cookie)" not in response.content
    assert _stored_files(media_in_tmp) == []
    # The real editor sends a number, and gets its callback.
    response = client.post("/ckeditor/upload/?CKEditorFuncNum=7", {"upload": image_upload("a.png")})
    assert response.status_code == 200
    assert b"callFunction(7, '/media/" in response.content


# --- Old-slug redirects ----------------------------------------------------------------------


def test_a_writers_draft_taking_an_old_slug_does_not_break_a_live_articles_redirect(client):
    live = make_article(slug="battery-explainer")
    services.note_slug_change(live, "old-battery-url")  # an editor renamed it earlier
    wendy = make_author()
    draft = make_article(status=Article.Status.DRAFT, author=wendy, slug="wendys-draft")
    client.force_login(make_role_user("Writer", author=wendy))
    data = change_form(client, draft, slug="old-battery-url")
    assert client.post(change_url(draft), data).status_code == 302

    client.logout()
    response = client.get("/articles/old-battery-url/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/battery-explainer/"
