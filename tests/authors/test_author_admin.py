"""Admins manage author profiles: photo upload and preview, safe links, protected deletion."""

import pytest
from django.db.models import ProtectedError

from authors.models import Author
from tests.factories import bomb_png, image_upload, make_article, make_author
from tests.helpers.html import error_texts, field_errors, reading_order, rendered_form_data, soup_of

ADD_URL = "/admin/authors/author/add/"


def author_form(client, **fields):
    data = rendered_form_data(client.get(ADD_URL).content)
    data.update(
        {
            "name": "Ada Writer",
            "slug": "ada-writer",
            "job_title": "Science correspondent",
            "experience": "8 years covering research",
            "bio": "<p>Ada reads the papers.</p>",
            "linkedin_url": "https://www.linkedin.com/in/ada",
            "x_url": "https://x.com/ada",
            "website_url": "https://ada.example.org/",
        }
    )
    data.update(fields)
    return data


def _not_an_image(name="photo.png"):
    fake = image_upload(name)
    fake.file = type(fake.file)(b"plain text pretending to be a PNG")
    fake.size = len(b"plain text pretending to be a PNG")
    return fake


def test_adding_an_author_with_a_real_photo_shows_it_on_their_page(admin_client):
    response = admin_client.post(
        ADD_URL, author_form(admin_client, photo=image_upload("ada-lovelace.png", size=(200, 200)))
    )
    assert response.status_code == 302, error_texts(response.content)
    author = Author.objects.get(slug="ada-writer")
    assert author.photo
    # Stored under a random name: the uploaded file name says nothing in the URL.
    assert "ada-lovelace" not in author.photo.name
    page = admin_client.get(author.get_absolute_url())
    text = reading_order(page.content)
    assert "[img: Photo of Ada Writer]" in text
    assert "Science correspondent · 8 years covering research" in text


def test_author_photo_that_is_text_renamed_png_is_refused(admin_client):
    response = admin_client.post(ADD_URL, author_form(admin_client, photo=_not_an_image()))
    assert response.status_code == 200
    assert field_errors(response.content, "photo"), error_texts(response.content)
    assert not Author.objects.exists()


def test_author_photo_over_the_size_limit_is_refused(admin_client, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 200
    big = image_upload("big.png", size=(300, 300), colour="orange")
    assert big.size > 200
    response = admin_client.post(ADD_URL, author_form(admin_client, photo=big))
    assert response.status_code == 200
    assert any("limit" in error for error in field_errors(response.content, "photo"))
    assert not Author.objects.exists()


@pytest.mark.parametrize("field", ["linkedin_url", "x_url", "website_url"])
@pytest.mark.parametrize("bad_url", ["javascript:alert(1)", "ftp://example.com/me"])
def test_author_profile_links_must_be_http_or_https(admin_client, field, bad_url):
    response = admin_client.post(ADD_URL, author_form(admin_client, **{field: bad_url}))
    assert response.status_code == 200
    assert field_errors(response.content, field), error_texts(response.content)
    assert not Author.objects.exists()


def test_author_bio_is_cleaned_when_saved_through_the_admin(admin_client):
    bio = (
        '<p onmouseover="x()">Ada reads.</p><script>alert(1)</script>'
        '<a href="javascript:alert(2)">me</a><img src="/a.png" alt="Ada" onerror="alert(3)">'
    )
    response = admin_client.post(ADD_URL, author_form(admin_client, bio=bio))
    assert response.status_code == 302, error_texts(response.content)
    saved = Author.objects.get(slug="ada-writer").bio
    assert "Ada reads." in saved
    for forbidden in ("<script", "onmouseover", "onerror", "javascript:"):
        assert forbidden not in saved


def test_author_change_page_shows_a_photo_preview(admin_client):
    author = make_author(name="Pictured", photo=image_upload("p.png", size=(100, 100)))
    response = admin_client.get(f"/admin/authors/author/{author.pk}/change/")
    assert response.status_code == 200
    preview = soup_of(response).find("img", src=author.photo.url)
    assert preview is not None


def test_author_list_shows_photo_and_article_count(admin_client):
    busy = make_author(name="Busy Writer", photo=image_upload("b.png"))
    make_author(name="Quiet Writer")
    make_article(author=busy)
    make_article(author=busy)
    response = admin_client.get("/admin/authors/author/")
    assert response.status_code == 200
    rows = {
        row.find("th").get_text(strip=True): row
        for row in soup_of(response).select("#result_list tbody tr")
    }
    assert rows["Busy Writer"].find("img") is not None
    cells = [cell.get_text(strip=True) for cell in rows["Busy Writer"].find_all("td")]
    assert "2" in cells
    assert "0" in [cell.get_text(strip=True) for cell in rows["Quiet Writer"].find_all("td")]


def test_deleting_an_author_with_articles_is_refused_with_an_explanation(admin_client):
    author = make_author(name="Has Articles")
    make_article(author=author, title="Their story")
    url = f"/admin/authors/author/{author.pk}/delete/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Their story" in page.content.decode()
    assert "Cannot delete" in page.content.decode()

    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code in (200, 403)
    assert Author.objects.filter(pk=author.pk).exists()


def test_bulk_deleting_an_author_with_articles_is_refused(admin_client):
    author = make_author(name="Has Articles")
    make_article(author=author)
    response = admin_client.post(
        "/admin/authors/author/",
        {"action": "delete_selected", "_selected_action": [str(author.pk)], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert Author.objects.filter(pk=author.pk).exists()


def test_deleting_an_author_without_articles_works(admin_client):
    author = make_author(name="No Articles")
    response = admin_client.post(f"/admin/authors/author/{author.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Author.objects.filter(pk=author.pk).exists()


@pytest.mark.django_db
def test_author_with_articles_cannot_be_deleted_through_the_orm():
    author = make_author()
    make_article(author=author)
    with pytest.raises(ProtectedError):
        author.delete()


def test_author_photo_named_like_a_web_page_is_refused(admin_client):
    response = admin_client.post(
        ADD_URL, author_form(admin_client, photo=image_upload("portrait.html"))
    )
    assert response.status_code == 200
    assert field_errors(response.content, "photo"), error_texts(response.content)
    assert not Author.objects.exists()


def test_editing_an_author_keeps_their_photo_without_uploading_again(admin_client):
    author = make_author(name="Pictured", photo=image_upload("p.png", size=(100, 100)))
    stored = author.photo.name
    change_url = f"/admin/authors/author/{author.pk}/change/"
    data = rendered_form_data(admin_client.get(change_url).content)
    data["job_title"] = "Deputy editor"
    response = admin_client.post(change_url, data)
    assert response.status_code == 302, error_texts(response.content)
    author.refresh_from_db()
    assert author.photo.name == stored
    assert author.job_title == "Deputy editor"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("pixels", [(20000, 20000), (10000, 10000)])
def test_admin_photo_upload_of_a_bomb_is_a_form_error(admin_client, media_in_tmp, pixels):
    data = rendered_form_data(admin_client.get(ADD_URL).content)
    data.update(name="Bomb Test", slug="bomb-test", photo=bomb_png(*pixels))
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode(), "a form error, not a 500"
    assert not Author.objects.filter(slug="bomb-test").exists()


def test_second_save_of_a_stale_author_profile_is_refused(
    client, writer, writer_author, admin_user
):
    author = writer_author
    url = f"/admin/authors/author/{author.pk}/change/"
    client.force_login(writer)
    writers_form = rendered_form_data(client.get(url).content)

    # An admin saves the profile while the writer's form is open.
    client.force_login(admin_user)
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
