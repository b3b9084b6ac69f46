"""Inactive authors keep their articles but cannot be given new bylines."""

import pytest

from articles.models import Article
from tests.factories import make_article, make_author
from tests.helpers.html import error_texts, rendered_form_data

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/articles/article/add/"


def test_an_inactive_author_cannot_be_bylined_on_a_new_article(editor_client):
    retired = make_author(name="Retired Writer", is_active=False)
    data = rendered_form_data(editor_client.get(ADD_URL).content)
    data.update({"title": "New story", "slug": "new-story", "author": str(retired.pk)})
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert any("Retired Writer is an inactive author" in e for e in error_texts(response.content))
    assert not Article.objects.filter(slug="new-story").exists()


def test_an_article_keeps_its_author_after_the_author_is_made_inactive(editor_client):
    author = make_author(name="Left The Paper")
    article = make_article(author=author, status=Article.Status.DRAFT)
    author.is_active = False
    author.save()
    url = f"/admin/articles/article/{article.pk}/change/"
    data = rendered_form_data(editor_client.get(url).content)
    data["title"] = "A corrected headline"
    response = editor_client.post(url, data)
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.title == "A corrected headline"
    assert article.author == author


def test_an_article_cannot_be_moved_to_an_inactive_author(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    retired = make_author(name="Retired Writer", is_active=False)
    url = f"/admin/articles/article/{article.pk}/change/"
    data = rendered_form_data(editor_client.get(url).content)
    data["author"] = str(retired.pk)
    response = editor_client.post(url, data)
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.author != retired


def test_the_byline_picker_offers_active_authors_only(editor_client):
    make_author(name="Active Alice")
    make_author(name="Inactive Ingrid", is_active=False)
    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "author", "term": ""},
    )
    assert response.status_code == 200
    names = [result["text"] for result in response.json()["results"]]
    assert "Active Alice" in names
    assert "Inactive Ingrid" not in names
