"""Editors add articles through the real admin form: inlines, validation, clean rich text."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    image_upload,
    make_article,
    make_author,
    make_section,
    make_tag,
    make_user,
    unique,
)
from tests.helpers.admin import change_form, change_url, fill_inline, inline_prefix
from tests.helpers.html import (
    assert_in_order,
    error_texts,
    field_errors,
    reading_order,
    rendered_form_data,
    submit_buttons,
)

ADD_URL = "/admin/articles/article/add/"
HOSTILE_HTML = (
    '<p onclick="steal()">Kept text</p>'
    "<script>alert('body')</script>"
    '<a href="javascript:alert(1)">bad link</a>'
    '<img src="/media/x.png" alt="pic" onerror="alert(2)">'
)


def article_form(client, *, bullets=3, publish="button", **fields):
    """The add form as rendered, filled in like an editor would.

    ``publish``: "button" presses the admin's publish button, "status" picks Published in
    the status list with a publication time an hour ago, None saves a draft.
    """
    page = client.get(ADD_URL).content
    data = rendered_form_data(page)
    author = fields.pop("author", None) or make_author()
    data.update(
        {
            "title": "How batteries age",
            "slug": "how-batteries-age",
            "standfirst": "Heat and deep discharges do most of the damage.",
            "author": str(author.pk),
            "section": str(make_section(name=unique("Science")).pk),
            "tags": [str(make_tag(name=unique("Energy")).pk)],
            "body": "<h2>Chemistry</h2><p>Lithium ions wander off.</p>",
            "hero_alt": "A phone battery, opened",
            "hero_credit": "Photo: Test Lab",
            "meta_description": "Why batteries lose capacity, and what slows it down.",
        }
    )
    if publish == "button":
        buttons = submit_buttons(page)
        assert "_publish" in buttons, f"no publish button among {sorted(buttons)}"
        data["_publish"] = buttons["_publish"]
    elif publish == "status":
        an_hour_ago = timezone.localtime() - timedelta(hours=1)
        data["status"] = Article.Status.PUBLISHED
        data["published_at_0"] = an_hour_ago.strftime("%Y-%m-%d")
        data["published_at_1"] = an_hour_ago.strftime("%H:%M:%S")
    fill_inline(
        data,
        inline_prefix(data, "text"),
        [{"text": f"Bullet number {n}", "position": n} for n in range(1, bullets + 1)],
    )
    fill_inline(
        data,
        inline_prefix(data, "question"),
        [{"question": "Does fast charging hurt?", "answer": "<p>A little, mostly heat.</p>"}],
    )
    fill_inline(
        data,
        inline_prefix(data, "url"),
        [{"name": "Fortune", "url": "https://fortune.com/batteries", "note": "original"}],
    )
    data.update(fields)
    return data


def test_adding_an_article_with_every_inline_publishes_it(editor_client):
    data = article_form(editor_client, hero_image=image_upload("my-scoop.png", size=(300, 200)))
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, error_texts(response.content)

    article = Article.objects.get(slug="how-batteries-age")
    assert article.is_published
    assert [b.text for b in article.tldr_bullets.all()] == [
        "Bullet number 1",
        "Bullet number 2",
        "Bullet number 3",
    ]
    assert "my-scoop" not in article.hero_image.name

    page = editor_client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert_in_order(
        reading_order(page.content),
        "How batteries age",
        "Heat and deep discharges do most of the damage.",
        article.author.name,
        "TL;DR",
        "Bullet number 1",
        "Bullet number 2",
        "Bullet number 3",
        "[img: A phone battery, opened]",
        "Photo: Test Lab",
        "Chemistry",
        "Lithium ions wander off.",
        "Does fast charging hurt?",
        "A little, mostly heat.",
        "Source: Fortune",
        "All articles →",
    )
    # Anonymous readers see it too: it really is public, not just visible to staff.
    editor_client.logout()
    assert editor_client.get(article.get_absolute_url()).status_code == 200


def test_draft_can_be_saved_without_tldr_bullets(editor_client):
    data = article_form(editor_client, bullets=0, publish=None)
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(slug="how-batteries-age")
    assert not article.is_published
    editor_client.logout()
    assert editor_client.get(article.get_absolute_url()).status_code == 404


def messages_shown(response) -> str:
    return reading_order(response.content, root=".messagelist")


@pytest.mark.parametrize("bullets", [2, 6])
def test_publishing_needs_three_to_five_tldr_bullets_and_the_refusal_keeps_the_draft(
    editor_client, bullets
):
    data = article_form(editor_client, bullets=bullets)
    response = editor_client.post(ADD_URL, data, follow=True)
    assert response.status_code == 200
    shown = messages_shown(response)
    assert "Your changes are saved, but the article was not published" in shown
    assert f"3 to 5 TL;DR bullets; this article has {bullets}" in shown
    # The editor's work is kept, as a draft nobody outside the newsroom can see.
    article = Article.objects.get(slug="how-batteries-age")
    assert article.status == Article.Status.DRAFT and not article.is_published
    assert article.tldr_bullets.count() == bullets
    assert response.redirect_chain[-1][0] == change_url(article)
    editor_client.logout()
    assert editor_client.get(article.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("bad_url", ["javascript:alert(1)", "ftp://example.com/report.pdf"])
def test_source_url_must_be_http_or_https(editor_client, bad_url):
    data = article_form(editor_client, publish=None)
    data[f"{inline_prefix(data, 'url')}-0-url"] = bad_url
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert field_errors(response.content, "url"), error_texts(response.content)
    assert not Article.objects.exists()


def test_duplicate_slug_is_a_form_error_not_a_crash(editor_client):
    assert editor_client.post(ADD_URL, article_form(editor_client)).status_code == 302
    response = editor_client.post(ADD_URL, article_form(editor_client, title="Another"))
    assert response.status_code == 200
    assert field_errors(response.content, "slug"), error_texts(response.content)
    assert Article.objects.count() == 1


@pytest.mark.parametrize("field", ["section", "author", "tags"])
@pytest.mark.parametrize("value", ["x", "1.5"])
def test_a_choice_that_is_not_an_id_is_a_form_error_not_a_crash(editor_client, field, value):
    """Django's autocomplete widget looked the posted value up to show it again: a 500."""
    article = make_article(status=Article.Status.DRAFT, title="Kept as it was")
    data = change_form(editor_client, article, **{field: value, "title": "Changed"})
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert field_errors(response.content, field), error_texts(response.content)
    article.refresh_from_db()
    assert article.title == "Kept as it was"


def test_rich_text_is_cleaned_when_saved_through_the_admin(editor_client):
    data = article_form(editor_client, body=HOSTILE_HTML)
    data[f"{inline_prefix(data, 'question')}-0-answer"] = HOSTILE_HTML
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(slug="how-batteries-age")
    for html in (article.body, article.faq_entries.get().answer):
        assert "Kept text" in html
        assert "<script" not in html
        assert "onclick" not in html
        assert "onerror" not in html
        assert "javascript:" not in html
    page = editor_client.get(article.get_absolute_url()).content.decode()
    assert "alert(" not in page
    assert "javascript:" not in page


def test_hero_image_that_is_not_an_image_is_refused(editor_client):
    fake = image_upload("hero.png")
    fake.file.seek(0)
    fake.file.truncate()
    fake.file.write(b"just some text, not a picture")
    fake.file.seek(0)
    fake.size = fake.file.getbuffer().nbytes
    data = article_form(editor_client, publish=None, hero_image=fake)
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert field_errors(response.content, "hero_image"), error_texts(response.content)
    assert not Article.objects.exists()


def test_hero_image_over_the_size_limit_is_refused(editor_client, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 200
    big = image_upload("hero.png", size=(400, 400), colour="red")
    data = article_form(editor_client, publish=None, hero_image=big)
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert any("limit" in error for error in field_errors(response.content, "hero_image"))
    assert not Article.objects.exists()


def test_article_list_shows_status_author_and_section(editor_client):
    editor_client.post(ADD_URL, article_form(editor_client))
    response = editor_client.get("/admin/articles/article/")
    assert response.status_code == 200
    text = reading_order(response.content, root="#changelist")
    assert "How batteries age" in text
    assert "Published" in text
    assert "Science" in text


def test_article_change_page_links_to_the_public_page(editor_client):
    editor_client.post(ADD_URL, article_form(editor_client))
    article = Article.objects.get()
    response = editor_client.get(f"/admin/articles/article/{article.pk}/change/")
    assert response.status_code == 200
    assert "View on site" in response.content.decode()


def test_picking_published_status_with_a_past_time_publishes(editor_client):
    response = editor_client.post(ADD_URL, article_form(editor_client, publish="status"))
    assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(slug="how-batteries-age")
    assert article.is_published
    assert editor_client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("bullets", [2, 6])
def test_picking_published_status_also_needs_three_to_five_bullets(editor_client, bullets):
    data = article_form(editor_client, bullets=bullets, publish="status")
    response = editor_client.post(ADD_URL, data, follow=True)
    assert "3 to 5 TL;DR bullets" in messages_shown(response)
    article = Article.objects.get(slug="how-batteries-age")
    assert article.status == Article.Status.DRAFT
    # The editor stays on the article, with its problems in the checklist beside the form.
    assert response.redirect_chain[-1][0] == change_url(article)
    assert "3 to 5 TL;DR bullets" in reading_order(response.content, root="#article-checklist")


def test_picking_published_status_with_the_time_left_empty_publishes_now(editor_client):
    # The form says a Published status with no time means "now" (the publish button does
    # exactly that); the status list must not fail on the model's time constraint instead.
    data = article_form(editor_client, publish="status", published_at_0="", published_at_1="")
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(slug="how-batteries-age")
    assert article.is_published
    assert timezone.now() - article.published_at < timedelta(minutes=5)


def test_editing_a_published_article_shows_updated_on_the_page(editor_client):
    article = make_article(
        title="Already live", published_at=timezone.now() - timedelta(days=2), tldr=3
    )
    change_url = f"/admin/articles/article/{article.pk}/change/"
    data = rendered_form_data(editor_client.get(change_url).content)
    data["body"] = "<p>A corrected paragraph.</p>"
    data["_publish_changes"] = "Publish changes"  # a live article's edit goes out
    response = editor_client.post(change_url, data)
    assert response.status_code == 302, error_texts(response.content)
    text = reading_order(editor_client.get(article.get_absolute_url()).content)
    assert "A corrected paragraph." in text
    assert "Updated" in text


def test_article_list_search_and_status_filter_find_the_article(editor_client):
    make_article(title="Batteries explained")
    make_article(title="Draft about tides", status=Article.Status.DRAFT)
    found = reading_order(
        editor_client.get("/admin/articles/article/?q=batteries").content, root="#changelist"
    )
    assert "Batteries explained" in found
    assert "Draft about tides" not in found
    drafts = reading_order(
        editor_client.get("/admin/articles/article/?status__exact=draft").content,
        root="#changelist",
    )
    assert "Draft about tides" in drafts
    assert "Batteries explained" not in drafts


def test_editing_an_article_keeps_its_hero_image_without_uploading_again(editor_client):
    article = make_article(hero_image=image_upload("hero.png", size=(300, 200)), hero_alt="A")
    stored = article.hero_image.name
    change_url = f"/admin/articles/article/{article.pk}/change/"
    data = rendered_form_data(editor_client.get(change_url).content)
    data["standfirst"] = "A sharper standfirst."
    data["_publish_changes"] = "Publish changes"  # a live article's edit goes out
    response = editor_client.post(change_url, data)
    assert response.status_code == 302, error_texts(response.content)
    article.refresh_from_db()
    assert article.hero_image.name == stored
    assert article.standfirst == "A sharper standfirst."


def test_editing_an_article_whose_stored_hero_file_is_gone_is_not_a_crash(editor_client):
    """A media volume restored without one file must not lock editors out of the article."""
    article = make_article(hero_image=image_upload("hero.png", size=(300, 200)), hero_alt="A")
    article.hero_image.storage.delete(article.hero_image.name)
    change_url = f"/admin/articles/article/{article.pk}/change/"
    data = rendered_form_data(editor_client.get(change_url).content)
    data["standfirst"] = "Saved although the picture file went missing."
    data["_publish_changes"] = "Publish changes"  # a live article's edit goes out
    response = editor_client.post(change_url, data)
    assert response.status_code == 302, error_texts(response.content)
    saved = Article.objects.get(pk=article.pk)
    assert saved.standfirst == "Saved although the picture file went missing."
    assert saved.hero_image.name == article.hero_image.name


@pytest.mark.parametrize(
    ("time_zone", "day", "time"),
    [("Asia/Tokyo", "01/01/0001", "00:00:00"), ("America/New_York", "31/12/9999", "23:59:59")],
)
def test_publication_time_at_the_edge_of_the_calendar_is_a_form_error(
    editor_client, settings, time_zone, day, time
):
    # DJANGO_TIME_ZONE may be anything; there, these local times fall outside PostgreSQL's.
    settings.TIME_ZONE = time_zone
    article = make_article(status=Article.Status.DRAFT)
    for field in ("published_at", "expires_at"):
        data = change_form(editor_client, article, **{f"{field}_0": day, f"{field}_1": time})
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200, field
        assert "between the years" in " ".join(error_texts(response.content)), field


# --- View on site and the autocomplete lookups ----------------------------------------------


def test_view_on_site_shortcut_does_not_reveal_someone_elses_draft_slug(writer_client):
    other = make_article(status=Article.Status.DRAFT, slug="secret-merger-draft")
    ct = ContentType.objects.get_for_model(Article)
    response = writer_client.get(f"/admin/r/{ct.pk}/{other.pk}/")
    assert "secret-merger-draft" not in response.get("Location", "")
    assert response.status_code == 404
    for odd in ("abc", "99999999999999999999"):
        assert writer_client.get(f"/admin/r/{ct.pk}/{odd}/").status_code == 404
    assert writer_client.get(f"/admin/r/{ct.pk}/%00/").status_code == 400  # bad_requests.py
    # A published article, or the writer's own draft, still opens on the site.
    live = make_article()
    assert writer_client.get(f"/admin/r/{ct.pk}/{live.pk}/")["Location"].endswith(f"/{live.slug}/")


def test_view_on_site_does_not_reveal_a_tag_made_for_someone_elses_draft(writer_client, editor):
    from articles.models import Tag

    secret = make_tag(name="Project Orion", slug="project-orion")
    make_article(status=Article.Status.DRAFT, tags=[secret])
    public = make_tag(name="Chips", slug="chips")
    make_article(tags=[public])
    ct = ContentType.objects.get_for_model(Tag)
    response = writer_client.get(f"/admin/r/{ct.pk}/{secret.pk}/")
    assert response.status_code == 404
    assert "project-orion" not in response.get("Location", "")
    # The same 404 as an id that does not exist, so ids cannot be probed either.
    assert writer_client.get(f"/admin/r/{ct.pk}/999999/").status_code == 404
    assert writer_client.get(f"/admin/r/{ct.pk}/{public.pk}/")["Location"].endswith("/chips/")
    # Editors see every tag, so the shortcut takes them to it.
    editor_client = Client()
    editor_client.force_login(editor)
    assert editor_client.get(f"/admin/r/{ct.pk}/{secret.pk}/")["Location"].endswith(
        "/project-orion/"
    )


def test_autocomplete_with_a_nul_character_answers_cleanly(editor_client):
    make_author(name="Ada Lovelace")
    for field in ("author", "tags", "section"):
        response = editor_client.get(
            "/admin/autocomplete/",
            {"app_label": "articles", "model_name": "article", "field_name": field, "term": "\x00"},
        )
        # Refused before the view, like every NUL (smartchunks/bad_requests.py).
        assert response.status_code == 400, field
    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "author", "term": "Ada"},
    )
    assert [row["text"] for row in response.json()["results"]] == ["Ada Lovelace"]


@pytest.mark.django_db
def test_autocomplete_is_still_refused_to_staff_outside_the_newsroom(client):
    client.force_login(make_user(staff=True))
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article", "field_name": "author", "term": ""},
    )
    assert response.status_code == 403
