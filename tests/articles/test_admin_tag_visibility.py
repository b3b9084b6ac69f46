"""Writers see only tags of published articles or of their own work; editors see every tag.

A tag is often made for one story ("Project Orion"): shown to every writer in the tag list,
the article list's filter or the tag picker, its name alone would leak a colleague's
unreleased article.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_tag
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import error_texts, field_errors, soup_of

PUBLIC = "Public Chips"
OWN_DRAFT = "Wendy's Draft Tag"
OTHERS_DRAFT = "Project Orion"
OTHERS_SCHEDULED = "Scheduled Merger"
OTHERS_EXPIRED = "Expired Promo"
UNUSED = "Made For Later"
HIDDEN_FROM_WRITERS = {OTHERS_DRAFT, OTHERS_SCHEDULED, OTHERS_EXPIRED, UNUSED}
ALL_TAGS = {PUBLIC, OWN_DRAFT} | HIDDEN_FROM_WRITERS


@pytest.fixture
def tags(writer_author):
    now = timezone.now()
    colleague = make_author(name="Colleague")
    made = {name: make_tag(name=name) for name in ALL_TAGS}
    make_article(author=colleague, tags=[made[PUBLIC]])
    make_article(author=colleague, status=Article.Status.DRAFT, tags=[made[OTHERS_DRAFT]])
    make_article(
        author=colleague, published_at=now + timedelta(days=1), tags=[made[OTHERS_SCHEDULED]]
    )
    make_article(
        author=colleague,
        published_at=now - timedelta(days=2),
        expires_at=now - timedelta(days=1),
        tags=[made[OTHERS_EXPIRED]],
    )
    own = make_article(author=writer_author, status=Article.Status.DRAFT, tags=[made[OWN_DRAFT]])
    return {"made": made, "own": own}


def _tag_list(client) -> set[str]:
    response = client.get("/admin/articles/tag/")
    assert response.status_code == 200
    return {
        row.find("th").get_text(strip=True)
        for row in soup_of(response).select("#result_list tbody tr")
    }


def _tag_filter(client) -> set[str]:
    response = client.get("/admin/articles/article/")
    assert response.status_code == 200
    soup = soup_of(response)
    (heading,) = [
        h
        for h in soup.select("#changelist-filter summary, #changelist-filter h3")
        if "tags" in h.get_text()
    ]
    choices = heading.find_parent("details") or heading.find_next("ul")
    # "All" and "-" (articles without tags) are no tags.
    return {a.get_text(strip=True) for a in choices.select("li a")} - {"All", "-"}


def _tag_autocomplete(client, term="") -> set[str]:
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "tags", "term": term},
    )
    assert response.status_code == 200
    return {row["text"] for row in response.json()["results"]}


# --- Writers ---------------------------------------------------------------------------------


def test_writer_tag_list_shows_public_and_own_tags_only(writer_client, tags):
    assert _tag_list(writer_client) == {PUBLIC, OWN_DRAFT}


def test_writer_tag_filter_on_the_article_list_offers_public_and_own_tags_only(writer_client, tags):
    assert _tag_filter(writer_client) == {PUBLIC, OWN_DRAFT}


def test_writer_tag_autocomplete_offers_public_and_own_tags_only(writer_client, tags):
    assert _tag_autocomplete(writer_client) == {PUBLIC, OWN_DRAFT}
    assert _tag_autocomplete(writer_client, "Orion") == set()


def test_writer_cannot_open_a_hidden_tag_by_its_id(writer_client, tags):
    hidden = tags["made"][OTHERS_DRAFT]
    response = writer_client.get(f"/admin/articles/tag/{hidden.pk}/change/", follow=True)
    assert OTHERS_DRAFT not in response.content.decode()
    visible = tags["made"][PUBLIC]
    assert writer_client.get(f"/admin/articles/tag/{visible.pk}/change/").status_code == 200


def test_writer_cannot_put_a_hidden_tag_on_their_article_to_learn_its_name(writer_client, tags):
    own, hidden = tags["own"], tags["made"][OTHERS_DRAFT]
    data = change_form(writer_client, own, tags=[str(hidden.pk)])
    response = writer_client.post(change_url(own), data)
    assert response.status_code == 200
    assert field_errors(response.content, "tags"), error_texts(response.content)
    assert OTHERS_DRAFT not in response.content.decode()
    assert list(own.tags.values_list("name", flat=True)) == [OWN_DRAFT]


def test_writer_keeps_their_own_and_public_tags_when_saving(writer_client, tags):
    own, public = tags["own"], tags["made"][PUBLIC]
    data = change_form(writer_client, own, tags=[str(tags["made"][OWN_DRAFT].pk), str(public.pk)])
    response = writer_client.post(change_url(own), data)
    assert response.status_code == 302, error_texts(response.content)
    assert set(own.tags.values_list("name", flat=True)) == {OWN_DRAFT, PUBLIC}


def test_a_tag_becomes_visible_to_writers_when_its_story_is_published(writer_client, tags):
    Article.objects.filter(tags__name=OTHERS_DRAFT).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(minutes=1)
    )
    assert OTHERS_DRAFT in _tag_list(writer_client)
    assert OTHERS_DRAFT in _tag_autocomplete(writer_client)


# --- Editors and admins see every tag, as before ---------------------------------------------


@pytest.mark.parametrize("role_client", ["editor_client", "admin_client"])
def test_editors_and_admins_see_every_tag(request, tags, role_client):
    client = request.getfixturevalue(role_client)
    assert _tag_list(client) == ALL_TAGS
    assert _tag_filter(client) == ALL_TAGS
    assert _tag_autocomplete(client) == ALL_TAGS
    hidden = tags["made"][OTHERS_DRAFT]
    response = client.get(f"/admin/articles/tag/{hidden.pk}/change/")
    assert response.status_code == 200
    assert OTHERS_DRAFT in response.content.decode()


def test_the_visibility_rule_narrows_the_tags_it_is_given_and_never_widens_them(editor, writer):
    """The admin hands the rule its own queryset (its ordering, a search): the answer stays
    within it, for editors who see every tag and for writers alike."""
    from articles.models import Tag
    from articles.workflow import permissions

    chips = make_tag(name="Chips")
    make_tag(name="Energy")
    make_article(tags=[chips])
    asked = Tag.objects.filter(name="Chips")
    assert list(permissions.visible_tags(editor, asked)) == [chips]
    assert list(permissions.visible_tags(writer, asked)) == [chips]
