"""The admin shows the site's icon, and /favicon.ico (which browsers ask for anyway) answers
with it instead of a 404."""

import pytest
from django.templatetags.static import static
from django.test import Client

from tests.factories import make_article
from tests.helpers.admin import change_url
from tests.helpers.html import soup_of

ICON = static("img/favicon.svg")


def icon_links(response) -> list[str]:
    return [link["href"] for link in soup_of(response).select('head link[rel="icon"]')]


@pytest.mark.django_db
def test_admin_pages_link_the_site_icon(editor_client):
    assert icon_links(Client().get("/admin/login/")) == [ICON]
    article = make_article()
    for path in ("/admin/", "/admin/articles/article/", change_url(article)):
        response = editor_client.get(path)
        assert response.status_code == 200
        assert icon_links(response) == [ICON], path


@pytest.mark.django_db
def test_favicon_ico_redirects_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == ICON
    # The same address the reader's pages link to (templates/base.html).
    assert icon_links(client.get("/")) == [ICON]
