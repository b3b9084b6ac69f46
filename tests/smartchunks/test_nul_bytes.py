"""A NUL character anywhere a person can put one (address, query string, form field) is a
clean, styled 400; PostgreSQL would refuse it in a query (``?status__exact=%00`` was a 500)."""

import pytest

from articles.models import Article
from tests.factories import image_upload, make_article
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import soup_of

CHANGELIST = "/admin/articles/article/"


@pytest.fixture
def server_errors_as_pages(client):
    """Answer like the real server: a crash is a 500 page, not an exception in the test."""
    client.raise_request_exception = False
    return client


def assert_clean_400(response):
    assert response.status_code == 400
    soup = soup_of(response)
    assert soup.h1.get_text() == "We could not read that request"
    assert "NUL character" in soup.main.get_text()
    assert soup.find("link", rel="stylesheet")["href"].endswith("css/site.css")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "query",
    [
        "status__exact=%00",  # the filter that was a server error
        "status__exact=draft%00",
        "author__id__exact=%00",
        "section__id__exact=1%00",
        "q=%00",
        "q=heat%00pumps",
        "o=1%00",
        "%00=1",
        "p=%00",
    ],
)
def test_nul_in_an_admin_filter_search_or_sort_is_a_clean_400(
    server_errors_as_pages, editor, query
):
    server_errors_as_pages.force_login(editor)
    assert_clean_400(server_errors_as_pages.get(f"{CHANGELIST}?{query}"))


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=%00",
        "/?page=%00",
        "/articles/heat%00pumps/",
        "/feeds/rss/?x=%00",
        "/admin/articles/article/1%00/change/",
        "/admin/autocomplete/?app_label=articles&model_name=article&field_name=tags&term=%00",
    ],
)
@pytest.mark.django_db
def test_nul_in_any_reader_or_admin_address_is_a_clean_400(server_errors_as_pages, url):
    assert_clean_400(server_errors_as_pages.get(url))


@pytest.mark.django_db
def test_nul_in_the_login_form_is_a_clean_400(server_errors_as_pages):
    response = server_errors_as_pages.post(
        "/admin/login/", {"username": "ed\x00itor", "password": "x"}
    )
    assert_clean_400(response)


def test_nul_in_an_article_form_field_is_refused_and_nothing_is_saved(editor_client, editor):
    article = make_article(status=Article.Status.DRAFT, title="Before")
    data = change_form(editor_client, article, title="After\x00")
    assert_clean_400(editor_client.post(change_url(article), data))
    article.refresh_from_db()
    assert article.title == "Before"


def test_nul_in_a_multipart_form_field_is_refused(editor_client):
    article = make_article(status=Article.Status.DRAFT, title="Before")
    data = change_form(editor_client, article, hero_alt="A picture\x00")
    data["hero_image"] = image_upload("hero.png", size=(1200, 675))
    assert_clean_400(editor_client.post(change_url(article), data))
    article.refresh_from_db()
    assert not article.hero_image


def test_files_are_not_refused_for_the_nul_bytes_they_contain(editor_client):
    upload = image_upload("chart.png", size=(300, 200))
    assert b"\x00" in upload.read()
    upload.seek(0)
    response = editor_client.post("/ckeditor/upload/", {"upload": upload})
    assert response.status_code == 200


def test_an_article_saved_without_nul_is_unaffected(editor_client):
    article = make_article(status=Article.Status.DRAFT, title="Before")
    data = change_form(editor_client, article, title="After")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "After"


@pytest.mark.django_db
def test_other_bad_requests_get_the_styled_page_too(server_errors_as_pages):
    response = server_errors_as_pages.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    soup = soup_of(response)
    assert soup.h1.get_text() == "We could not read that request"
    assert "Smart Chunks" in soup.title.get_text()
