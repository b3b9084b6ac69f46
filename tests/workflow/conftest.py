import pytest

from tests.factories import make_author, make_role_user
from tests.helpers.html import rendered_form_data


@pytest.fixture
def writer_author(db):
    return make_author(name="Wendy Writer")


@pytest.fixture
def writer(writer_author):
    return make_role_user("Writer", author=writer_author)


@pytest.fixture
def editor(db):
    return make_role_user("Editor", author=make_author(name="Eddie Editor"))


@pytest.fixture
def admin_user(db):
    return make_role_user("Admin")


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def change_form(client, article, **changes) -> dict:
    """The article's change form as the admin rendered it, with ``changes`` applied."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    data = rendered_form_data(response.content)
    data.update(changes)
    return data
