"""Every answer under /preview/ (staff previews and share links), refusals included, is
``private, no-store`` and ``noindex``: before, anonymous 404s there were ``public`` and
indexable, so a shared cache or a crawler could keep them."""

import pytest
from django.test import Client

from articles.models import Article
from articles.workflow import sharing
from tests.factories import make_article, make_author, make_role_user

pytestmark = pytest.mark.django_db


def assert_private_and_unindexed(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    assert "noindex" in response["X-Robots-Tag"]


@pytest.fixture
def draft():
    return make_article(status=Article.Status.DRAFT, title="Unreleased headline")


@pytest.fixture
def reader():
    return Client()


def test_staff_preview_is_private(client, editor, draft):
    client.force_login(editor)
    response = client.get(f"/preview/articles/{draft.pk}/")
    assert response.status_code == 200
    assert_private_and_unindexed(response)


def test_share_link_is_private(reader, editor, draft):
    _, path = sharing.create_share_link(draft, by=editor)
    response = reader.get(path)
    assert response.status_code == 200
    assert "Unreleased headline" in response.content.decode()
    assert_private_and_unindexed(response)


def test_revoked_share_link_answer_is_private(reader, editor, draft):
    link, path = sharing.create_share_link(draft, by=editor)
    sharing.revoke_share_link(link, by=editor)
    response = reader.get(path)
    assert response.status_code == 410
    assert_private_and_unindexed(response)


def test_anonymous_reader_on_a_staff_preview_url_gets_a_private_404(reader, draft):
    response = reader.get(f"/preview/articles/{draft.pk}/")
    assert response.status_code == 404
    assert "Unreleased headline" not in response.content.decode()
    assert_private_and_unindexed(response)


def test_unknown_article_id_is_a_private_404(reader):
    response = reader.get("/preview/articles/987654321/")
    assert response.status_code == 404
    assert_private_and_unindexed(response)


def test_bad_share_token_is_a_private_404(reader, editor, draft):
    sharing.create_share_link(draft, by=editor)
    response = reader.get("/preview/share/not-a-real-token/")
    assert response.status_code == 404
    assert_private_and_unindexed(response)


def test_writer_on_someone_elses_draft_gets_a_private_404(client, draft):
    client.force_login(make_role_user("Writer", author=make_author()))
    response = client.get(f"/preview/articles/{draft.pk}/")
    assert response.status_code == 404
    assert_private_and_unindexed(response)


@pytest.mark.parametrize(
    "path",
    [
        "/preview/",
        "/preview/articles/",
        "/preview/articles/abc/",
        "/preview/share/",
        "/preview/articles/1",  # the add-a-slash redirect
        "/preview/share/%00/",  # refused before any view
    ],
)
def test_any_other_address_under_preview_is_private_too(reader, path):
    response = reader.get(path)
    assert response.status_code in (301, 400, 404)
    assert_private_and_unindexed(response)


def test_published_article_page_stays_publicly_cacheable(reader):
    article = make_article()
    response = reader.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    assert not response.has_header("X-Robots-Tag")
