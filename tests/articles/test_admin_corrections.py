"""Corrections in the article form: added to a live article with the fix, staged with it
until "Publish changes", proposed by writers, and refused with a clear reason otherwise."""

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article, ArticleEvent, Correction, StagedEdit
from tests.factories import make_article
from tests.helpers.admin import change_form, change_url, fill_inline
from tests.helpers.html import error_texts, soup_of

pytestmark = pytest.mark.django_db

PREFIX = "corrections"
TEXT = "An earlier version of this article said high tide was at 6 am. It is at 7 am."


@pytest.fixture
def live(writer_author):
    return make_article(
        author=writer_author, title="Tides explained", body="<p>High tide is at 6 am.</p>"
    )


def _with_correction(data, text=TEXT, **fields):
    data.update(fields)
    fill_inline(data, PREFIX, [{"text": text}])
    return data


def _public_text(article) -> str:
    return Client().get(article.get_absolute_url()).content.decode()


def test_the_form_offers_corrections_just_before_publishing(editor_client, live):
    page = soup_of(editor_client.get(change_url(live)))
    headings = [h.get_text(" ", strip=True) for h in page.select("fieldset h2, .inline-group h2")]
    corrections = next(i for i, h in enumerate(headings) if h.startswith("Corrections"))
    assert headings[corrections + 1] == "Publishing"
    assert page.select_one("#corrections-group") is not None


def test_an_editor_s_correction_waits_with_the_fix_then_goes_out_with_it(editor_client, live):
    data = _with_correction(change_form(editor_client, live), body="<p>High tide is at 7 am.</p>")
    editor_client.post(change_url(live), data)
    assert TEXT not in _public_text(live) and not Correction.objects.exists()
    assert StagedEdit.objects.get(article=live).changes["corrections"] == [{"text": TEXT}]

    data = change_form(editor_client, live)  # shows the staged correction
    assert data[f"{PREFIX}-0-text"] == TEXT
    data["_publish_changes"] = "Publish changes"
    response = editor_client.post(change_url(live), data, follow=True)
    assert response.status_code == 200
    page = _public_text(live)
    assert TEXT in page and "High tide is at 7 am." in page
    actions = set(live.events.values_list("action", flat=True))
    assert {ArticleEvent.Action.CHANGES_PUBLISHED, ArticleEvent.Action.CORRECTION_PUBLISHED} <= (
        actions
    )
    # The live correction shows in the form with its date, and saving again keeps it once.
    form = soup_of(editor_client.get(change_url(live)))
    shown = form.select_one("#corrections-0 .field-published .readonly").get_text(strip=True)
    when = timezone.localtime(live.corrections.get().published_at)
    assert shown == date_format(when, "DATETIME_FORMAT")
    data = change_form(editor_client, live)
    data["_publish_changes"] = "Publish changes"
    editor_client.post(change_url(live), data)
    assert list(live.corrections.values_list("text", flat=True)) == [TEXT]


def test_a_writer_may_propose_a_correction_but_not_publish_it(client, writer, live):
    client.force_login(writer)
    client.post(change_url(live), _with_correction(change_form(client, live)))
    assert StagedEdit.objects.get(article=live).changes["corrections"] == [{"text": TEXT}]
    assert TEXT not in _public_text(live)


def test_a_draft_s_form_has_no_place_for_a_correction(editor_client, editor):
    draft = make_article(status=Article.Status.DRAFT)
    assert soup_of(editor_client.get(change_url(draft))).select_one("#corrections-group") is None
    assert (
        soup_of(editor_client.get("/admin/articles/article/add/")).select_one("#corrections-group")
        is None
    )
    # A crafted post of one is not saved.
    data = change_form(editor_client, draft)
    data.update({f"{PREFIX}-TOTAL_FORMS": "1", f"{PREFIX}-INITIAL_FORMS": "0"})
    data[f"{PREFIX}-0-text"] = TEXT
    editor_client.post(change_url(draft), data)
    assert not Correction.objects.exists()


def test_an_article_taken_down_keeps_its_corrections_in_the_form_but_gets_no_new_one(
    editor_client, editor, live
):
    from articles.workflow import services

    Correction.objects.create(article=live, text=TEXT)
    services.unpublish(live, by=editor)
    group = soup_of(editor_client.get(change_url(live))).select_one("#corrections-group")
    assert TEXT in group.get_text()
    assert "corrections-empty" not in str(group), "no blank row to add one"


def test_the_form_s_own_check_refuses_a_correction_to_a_draft():
    """The row form's rule, behind the inline that a draft does not show."""
    from django.forms import modelform_factory

    from articles.admin.inlines import CorrectionForm

    form_class = modelform_factory(Correction, form=CorrectionForm, fields=["text", "position"])
    form = form_class(data={"text": TEXT, "position": "0"})
    form.instance.article = make_article(status=Article.Status.DRAFT)
    assert not form.is_valid()
    assert form.non_field_errors() == [
        "A correction is added to a published article. Until the article is published, "
        "fix the mistake in the text itself."
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("Wrong.", "Say what was wrong and what is right, in a sentence or two"),
        ("x " * 400, "Ensure this value has at most 600 characters"),
    ],
    ids=["too short", "too long"],
)
def test_bad_correction_text_is_refused_with_a_clear_message(editor_client, live, text, message):
    response = editor_client.post(
        change_url(live), _with_correction(change_form(editor_client, live), text)
    )
    assert response.status_code == 200
    assert any(message in line for line in error_texts(response.content))
    assert not StagedEdit.objects.exists() and not Correction.objects.exists()
