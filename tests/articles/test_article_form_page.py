"""The article form follows the page: its order, the live checklist beside it (and who may ask
it), the order of the TL;DR, FAQ and sources, and what a refused save keeps."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, ArticleEvent
from articles.workflow import services
from tests.factories import make_article, make_author, make_role_user, make_user
from tests.helpers.admin import change_form, change_url, fill_inline, inline_prefix
from tests.helpers.html import (
    error_texts,
    parse_html,
    reading_order,
    rendered_form_data,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/article/add/"
ADD_CHECKLIST = "/admin/articles/article/checklist/"


def checklist_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/checklist/"


def add_form(client, **fields) -> dict:
    """The add form as rendered, with ``fields`` typed in."""
    data = rendered_form_data(client.get(ADD_URL).content)
    data.update(fields)
    return data


def complete_add_form(client) -> dict:
    data = add_form(
        client,
        title="How tides turn",
        slug="how-tides-turn",
        author=str(make_author().pk),
        body="<p>The moon pulls.</p>",
    )
    fill_inline(data, inline_prefix(data, "text"), [{"text": f"Bullet {n}"} for n in (1, 2, 3)])
    fill_inline(data, inline_prefix(data, "url"), [{"name": "NOAA", "url": "https://noaa.gov/"}])
    return data


def bullets_on_page(client, article) -> list[str]:
    text = reading_order(client.get(article.get_absolute_url()).content)
    return sorted(
        (bullet.text for bullet in article.tldr_bullets.all()), key=lambda t: text.index(t)
    )


# --- The order of the form -------------------------------------------------------------------


def test_the_form_follows_the_article_page_top_to_bottom(editor_client):
    page = parse_html(editor_client.get(ADD_URL).content)
    parts = page.select_one(".article-form-parts")
    headings = [" ".join(h.get_text().split()) for h in parts.find_all("h2")]
    assert headings == [
        "TL;DR (3 to 5 bullets to publish)",
        "Picture",
        "Story",
        "FAQ",
        "Sources",
        "Byline and filing",
        "Publishing",
        "Search and sharing",
    ]
    names = [field["name"] for field in parts.select("[name]") if "__prefix__" not in field["name"]]

    def first(suffix):
        return next(i for i, name in enumerate(names) if name == suffix or name.endswith(suffix))

    order = [
        "title",
        "standfirst",
        "-0-text",
        "hero_image",
        "body",
        "-0-question",
        "-0-url",
        "author",
        "status",
        "slug",
        "meta_description",
    ]
    assert [first(name) for name in order] == sorted(first(name) for name in order)


def test_rows_are_ordered_by_dragging_not_by_typed_positions(editor_client):
    page = parse_html(editor_client.get(change_url(make_article(tldr=3))).content)
    positions = page.select('[name$="-position"]:not([name*="__prefix__"])')
    assert positions and all(field["type"] == "hidden" for field in positions)
    assert page.select(".ordered-part fieldset.sortable .ordered-row-handle")
    assert page.select('button.ordered-row-move[data-move="up"]')


def test_counted_fields_carry_their_limits(editor_client):
    page = parse_html(editor_client.get(ADD_URL).content)
    assert page.select_one("#id_title")["data-count-limit"] == "200"
    assert page.select_one("#id_meta_description")["data-count-limit"] == "160"
    bullet = page.select_one('textarea[name$="-0-text"]')
    assert bullet["data-count-limit"] == "300"


def test_the_author_field_says_what_it_is_for(editor_client):
    text = reading_order(editor_client.get(ADD_URL).content, root=".field-author")
    assert "readers see this name" in text
    assert "cannot be deleted" not in text


# --- The checklist beside the form ---------------------------------------------------------


def test_a_new_article_shows_what_publishing_needs_before_anything_is_pressed(editor_client):
    panel = parse_html(editor_client.get(ADD_URL).content).select_one("#article-checklist")
    assert panel["data-url"] == ADD_CHECKLIST
    items = [li.get_text() for li in panel.select("li")]
    assert "Add a headline." in items
    assert "Write the body: it is empty." in items
    assert "Choose an author." not in items  # the editor's own profile is filled in


def test_the_checklist_answers_for_the_form_as_typed_and_saves_nothing(editor_client):
    data = add_form(editor_client, title="How tides turn", meta_description="m" * 170)
    fill_inline(data, inline_prefix(data, "url"), [{"name": "NOAA", "url": "ftp://noaa.gov/"}])
    answer = editor_client.post(ADD_CHECKLIST, data).json()
    assert answer["ready"] is False
    assert "Add a headline." not in answer["problems"]
    assert "Add a slug (the article's URL)." in answer["problems"]
    assert (
        "Shorten the meta description to 160 characters at most (it has 170)." in answer["problems"]
    )
    assert any(problem.startswith("Source 1, URL: Enter a valid") for problem in answer["problems"])
    assert not Article.objects.exists()
    assert not ArticleEvent.objects.exists()


def test_a_complete_article_is_ready(editor_client):
    answer = editor_client.post(ADD_CHECKLIST, complete_add_form(editor_client)).json()
    assert answer == {"ready": True, "problems": []}


def test_a_chosen_but_unsent_hero_needs_its_alt_text(editor_client):
    data = complete_add_form(editor_client)
    assert editor_client.post(ADD_CHECKLIST, data).json()["ready"] is True
    answer = editor_client.post(ADD_CHECKLIST, {**data, "_hero_chosen": "1"}).json()
    assert answer["problems"] == ["Describe the hero image in its alt text."]


def test_the_checklist_of_an_article_reads_the_unsaved_edit_not_the_stored_one(editor_client):
    article = make_article(status=Article.Status.DRAFT)
    data = change_form(editor_client, article, body="<p>&nbsp;</p>", slug=article.slug)
    answer = editor_client.post(checklist_url(article), data).json()
    assert answer["problems"] == ["Write the body: it is empty."]
    article.refresh_from_db()
    assert "Body text" in article.body


def test_the_checklist_numbers_rows_as_the_page_shows_them(editor_client):
    data = complete_add_form(editor_client)
    prefix = inline_prefix(data, "question")
    fill_inline(
        data,
        prefix,
        [
            {"question": "Answered?", "answer": "<p>Yes.</p>", "position": "2"},
            {"question": "Dragged to the top, unanswered?", "answer": "", "position": "1"},
        ],
    )
    answer = editor_client.post(ADD_CHECKLIST, data).json()
    assert answer["problems"] == ["FAQ entry 1 needs both a question and an answer."]


def test_a_slug_taken_by_another_article_shows_in_the_checklist(editor_client):
    make_article(slug="taken")
    data = complete_add_form(editor_client)
    data["slug"] = "taken"
    answer = editor_client.post(ADD_CHECKLIST, data).json()
    assert any(problem.startswith("Slug:") for problem in answer["problems"])


def test_the_checklist_is_asked_by_post_only(editor_client):
    assert editor_client.get(ADD_CHECKLIST).status_code == 405


def test_the_checklist_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(ADD_CHECKLIST, {"title": "x"}).status_code == 403


def test_the_checklist_is_for_those_who_may_edit(client, writer, writer_author):
    own_published = make_article(author=writer_author)
    own_unpublished = make_article(author=writer_author, status=Article.Status.UNPUBLISHED)
    someone_elses = make_article(status=Article.Status.DRAFT)
    own_draft = make_article(author=writer_author, status=Article.Status.DRAFT)
    data = {"title": "Anything"}

    client.logout()
    assert client.post(ADD_CHECKLIST, data)["Location"].startswith("/admin/login/")
    client.force_login(make_user(staff=True))  # staff outside the newsroom's groups
    assert client.post(ADD_CHECKLIST, data).status_code == 403
    client.force_login(writer)
    # Another writer's draft answers like an id that does not exist.
    assert client.post(checklist_url(someone_elses), data).status_code == 404
    assert client.post("/admin/articles/article/99999999/checklist/", data).status_code == 404
    # Writers edit their own drafts, and their published articles as unpublished changes;
    # an article taken off the site is the editors' again.
    assert client.post(checklist_url(own_unpublished), data).status_code == 403
    assert client.post(checklist_url(own_published), data).status_code == 200
    assert client.post(checklist_url(own_draft), data).status_code == 200
    assert client.post(ADD_CHECKLIST, data).status_code == 200


@pytest.mark.parametrize(
    "crafted",
    [
        {},
        {"tldr_bullets-TOTAL_FORMS": "many", "tldr_bullets-0-text": "x"},
        {
            "tldr_bullets-TOTAL_FORMS": "1",
            "tldr_bullets-INITIAL_FORMS": "1",
            "tldr_bullets-0-id": "x",
        },
        {"tldr_bullets-TOTAL_FORMS": "1", "tldr_bullets-0-position": "99999999999999999999"},
        {"author": "'; drop table", "tags": ["nope", "-1"], "section": "9" * 30},
        {"published_at_0": "31/02/2026", "published_at_1": "25:61", "expires_at_0": "0001-01-01"},
        {"expected_version": "nine", "status": "gone", "_publish": "1"},
        {"title": "x" * 5000, "slug": "no spaces allowed!", "meta_description": "m" * 10_000},
    ],
)
def test_crafted_checklist_posts_get_an_answer_never_a_server_error(editor_client, crafted):
    article = make_article(status=Article.Status.DRAFT)
    for url in (ADD_CHECKLIST, checklist_url(article)):
        response = editor_client.post(url, crafted)
        assert response.status_code == 200, (url, response.content[:300])
        assert response.json()["ready"] is False
    assert Article.objects.count() == 1


def test_a_number_too_big_for_an_id_is_not_a_server_error(editor_client):
    response = editor_client.post("/admin/articles/article/99999999999999999999/checklist/", {})
    assert response.status_code == 404


# --- The order of the rows -----------------------------------------------------------------


def test_reordered_rows_are_saved_in_the_order_sent(editor_client):
    article = make_article(tldr=3, title="Ordered", status=Article.Status.DRAFT)
    data = change_form(editor_client, article)
    prefix = inline_prefix(data, "text")
    rows = {data[f"{prefix}-{i}-text"]: i for i in range(3)}
    # The editor dragged the third bullet to the top: the page numbers the rows 1, 2, 3.
    wanted = [f"Bullet 3 of {article.title}", f"Bullet 1 of {article.title}"]
    wanted.append(f"Bullet 2 of {article.title}")
    for place, text in enumerate(wanted, start=1):
        data[f"{prefix}-{rows[text]}-position"] = str(place)
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, error_texts(response.content)
    assert [bullet.text for bullet in article.tldr_bullets.all()] == wanted
    services.publish(article, by=make_role_user("Editor"))
    assert bullets_on_page(editor_client, article) == wanted


def test_a_new_row_placed_first_is_saved_first(editor_client):
    article = make_article(tldr=2, title="Growing", status=Article.Status.DRAFT)
    data = change_form(editor_client, article)
    prefix = inline_prefix(data, "text")
    data[f"{prefix}-2-text"] = "The new first bullet"
    for index, place in ((2, 1), (0, 2), (1, 3)):
        data[f"{prefix}-{index}-position"] = str(place)
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302, error_texts(response.content)
    texts = [bullet.text for bullet in article.tldr_bullets.all()]
    assert texts == ["The new first bullet", "Bullet 1 of Growing", "Bullet 2 of Growing"]


def test_empty_rows_numbered_by_the_page_are_still_empty(editor_client):
    data = complete_add_form(editor_client)
    prefix = inline_prefix(data, "text")
    data[f"{prefix}-TOTAL_FORMS"] = "5"  # two more rows added, left empty
    for index in range(5):  # the page numbers every row, the empty ones too
        data.setdefault(f"{prefix}-{index}-text", "")
        data[f"{prefix}-{index}-position"] = str(index + 1)
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(slug="how-tides-turn")
    assert [b.text for b in article.tldr_bullets.all()] == ["Bullet 1", "Bullet 2", "Bullet 3"]


# --- What a refused save keeps -------------------------------------------------------------


def test_a_refused_publish_of_a_new_article_keeps_it_as_a_draft(editor_client):
    data = add_form(editor_client, title="Half written", slug="half-written", _publish="1")
    data["author"] = str(make_author().pk)
    response = editor_client.post(ADD_URL, data, follow=True)
    article = Article.objects.get(slug="half-written")
    assert article.status == Article.Status.DRAFT
    assert response.redirect_chain[-1][0] == change_url(article)
    shown = reading_order(response.content, root=".messagelist")
    assert "Your changes are saved, but the article was not published." in shown
    assert "Write the body: it is empty." in shown
    editor_client.logout()
    assert editor_client.get(article.get_absolute_url()).status_code == 404


def test_a_live_article_is_never_saved_broken_and_the_editor_keeps_their_text(editor_client):
    article = make_article(title="Live and well", published_at=timezone.now() - timedelta(days=1))
    # "Publish changes" judges the changes as publishing would (a plain save would keep them
    # unpublished beside the article).
    data = change_form(editor_client, article, title="Live, edited", body="", _publish_changes="1")
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Write the body: it is empty." in " ".join(error_texts(response.content))
    page = parse_html(response.content)
    assert page.select_one("#id_title")["value"] == "Live, edited"
    checklist = reading_order(response.content, root="#article-checklist")
    assert "Write the body: it is empty." in checklist
    article.refresh_from_db()
    assert article.title == "Live and well"
    assert "Body text" in article.body


def test_a_writer_pressing_a_publish_button_they_were_not_offered_saves_nothing(
    client, writer, writer_author
):
    article = make_article(author=writer_author, status=Article.Status.DRAFT, title="Mine")
    client.force_login(writer)
    data = change_form(client, article, _publish="1", title="Mine, edited")
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    assert any("Only editors can publish" in error for error in error_texts(response.content))
    article.refresh_from_db()
    assert article.title == "Mine"


def test_the_change_form_of_an_article_the_editor_may_only_read_asks_nothing(client):
    writer_author = make_author()
    writer = make_role_user("Writer", author=writer_author)
    # Taken off the site: the editors' again, the writer may only read it.
    article = make_article(author=writer_author, status=Article.Status.UNPUBLISHED)
    client.force_login(writer)
    page = parse_html(client.get(change_url(article)).content)
    panel = page.select_one("#article-checklist")
    assert panel is not None and not panel.has_attr("data-url")


def test_a_refused_form_lists_its_field_errors_at_the_top_with_links(editor_client):
    data = add_form(editor_client, title="Only a headline", author="")
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    summary = parse_html(response.content).select_one(".article-error-summary")
    assert summary is not None
    links = {link.get_text(): link["href"] for link in summary.select("a")}
    assert links.get("Author") == "#id_author"
    assert "This field is required." in summary.get_text()
