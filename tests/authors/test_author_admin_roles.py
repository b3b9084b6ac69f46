"""Who may open which author profile in the admin.

Writers open only their own profile: anyone else's answers 403 (before, a writer could read
every colleague's profile).  Editors, who byline articles to anyone, may read every profile
and edit their own; admins manage every profile.
"""

import pytest

from tests.factories import make_author
from tests.helpers.html import soup_of

LIST_URL = "/admin/authors/author/"


def _url(author, page="change"):
    return f"/admin/authors/author/{author.pk}/{page}/"


@pytest.fixture
def colleague(db):
    return make_author(name="Colleague Carla", bio="<p>Private notes about Carla.</p>")


def _listed(client) -> set[str]:
    response = client.get(LIST_URL)
    assert response.status_code == 200
    return {
        row.find("th").get_text(strip=True)
        for row in soup_of(response).select("#result_list tbody tr")
    }


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_writer_gets_403_on_another_authors_profile(writer_client, colleague, page):
    response = writer_client.get(_url(colleague, page))
    assert response.status_code == 403
    assert "Carla" not in response.content.decode()


def test_writer_gets_the_same_403_for_an_id_that_does_not_exist(writer_client, colleague):
    missing = colleague.pk + 1000
    assert writer_client.get(f"/admin/authors/author/{missing}/change/").status_code == 403


def test_writer_opens_and_edits_their_own_profile(writer_client, writer_author):
    response = writer_client.get(_url(writer_author))
    assert response.status_code == 200
    assert soup_of(response).find("input", attrs={"name": "job_title"}) is not None


def test_writer_list_of_profiles_is_their_own(writer_client, writer_author, colleague):
    assert _listed(writer_client) == {writer_author.name}


def test_writer_author_autocomplete_offers_only_their_own_profile(
    writer_client, writer_author, colleague
):
    response = writer_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "author", "term": ""},
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [writer_author.name]


def test_editor_reads_another_profile_without_editing_it(editor_client, editor, colleague):
    response = editor_client.get(_url(colleague))
    assert response.status_code == 200
    assert "Private notes about Carla." in response.content.decode()
    assert soup_of(response).find("input", attrs={"name": "job_title"}) is None
    assert editor_client.post(_url(colleague), {"name": "Renamed"}).status_code == 403
    assert editor.author_profile.name in _listed(editor_client)
    assert "Colleague Carla" in _listed(editor_client)


def test_admin_edits_every_profile(admin_client, colleague, writer_author):
    response = admin_client.get(_url(colleague))
    assert response.status_code == 200
    assert soup_of(response).find("input", attrs={"name": "job_title"}) is not None
    assert {"Colleague Carla", writer_author.name} <= _listed(admin_client)
