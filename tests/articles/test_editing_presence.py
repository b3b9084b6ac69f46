"""Who else is editing an article: the change form's heartbeat (articles/admin/presence.py),
what it stores (articles/workflow/presence.py), and who may send it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article, EditingPresence
from articles.workflow import presence
from tests.factories import make_article, make_author, make_role_user, make_user
from tests.helpers.admin import change_form, change_url
from tests.helpers.html import soup_of


def presence_url(article_or_id) -> str:
    article_id = getattr(article_or_id, "pk", article_or_id)
    return f"/admin/articles/article/{article_id}/presence/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def beat(client, article, opened_seconds_ago="30", visit="page-one"):
    return client.post(
        presence_url(article),
        {"event": "heartbeat", "visit": visit, "opened_seconds_ago": opened_seconds_ago},
    )


def left(client, article, visit="page-one"):
    return client.post(presence_url(article), {"event": "left", "visit": visit})


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [person["name"] for person in response.json()["others"]]


TAB_ONE, TAB_TWO = "a1b2c3d4e5f6", "f6e5d4c3b2a1"


@pytest.fixture
def ana(db):
    return make_role_user("Editor", first_name="Ana", last_name="Ruiz")


@pytest.fixture
def ben(db):
    return make_role_user("Editor", first_name="Ben", last_name="Okafor")


@pytest.fixture
def article(db):
    return make_article(status=Article.Status.DRAFT, title="Shared draft")


# --- Who is listed -------------------------------------------------------------------------


def test_second_editor_sees_the_first_by_name_and_never_themselves(ana, ben, article):
    ana_client, ben_client = signed_in(ana), signed_in(ben)

    assert names(beat(ana_client, article)) == []
    assert names(beat(ben_client, article)) == ["Ana Ruiz"]
    assert names(beat(ana_client, article)) == ["Ben Okafor"]


def test_the_answer_says_when_they_opened_it_and_how_recently_they_were_active(ana, ben, article):
    beat(signed_in(ana), article, opened_seconds_ago="600")

    [person] = beat(signed_in(ben), article).json()["others"]

    row = EditingPresence.objects.get(user=ana)
    opened = timezone.localtime(row.opened_at)
    # "23:55", or "1 Dec, 23:55" when ten minutes ago was yesterday (a run just after midnight).
    today = opened.date() == timezone.localtime().date()
    assert person["opened"] == date_format(opened, "H:i" if today else "j M, H:i")
    assert timezone.now() - row.opened_at >= timedelta(seconds=600)
    assert 0 <= person["seen_seconds_ago"] < presence.ACTIVE_SECONDS


def test_an_opening_time_on_another_day_carries_its_date(ana, ben, article):
    beat(signed_in(ana), article, opened_seconds_ago=str(2 * 24 * 3600))

    [person] = beat(signed_in(ben), article).json()["others"]

    opened = timezone.localtime(EditingPresence.objects.get(user=ana).opened_at)
    assert person["opened"] == date_format(opened, "j M, H:i")  # "29 Nov, 14:05"


def test_heartbeats_update_one_row_and_keep_the_opening_time(ana, article):
    start = timezone.now() - timedelta(seconds=20)
    presence.heartbeat(article, by=ana, visit="page-one", open_for=timedelta(seconds=40), at=start)
    first = EditingPresence.objects.get()

    beat(signed_in(ana), article, opened_seconds_ago="59")

    second = EditingPresence.objects.get()
    assert second.pk == first.pk
    assert second.last_seen > first.last_seen
    assert first.opened_at == start - timedelta(seconds=40)
    assert second.opened_at == first.opened_at


def test_a_second_tab_does_not_move_the_opening_time_later(ana, article):
    start = timezone.now()
    presence.heartbeat(article, by=ana, visit=TAB_ONE, open_for=timedelta(minutes=30), at=start)
    presence.heartbeat(article, by=ana, visit=TAB_TWO, open_for=timedelta(seconds=5), at=start)

    assert EditingPresence.objects.get().opened_at == start - timedelta(minutes=30)


def test_people_quiet_for_longer_than_the_window_are_not_listed_and_their_rows_go(
    ana, ben, article
):
    long_ago = timezone.now() - timedelta(seconds=presence.ACTIVE_SECONDS + 1)
    presence.heartbeat(article, by=ana, visit=TAB_ONE, at=long_ago)
    elsewhere = make_article(status=Article.Status.DRAFT)
    presence.heartbeat(elsewhere, by=ana, visit=TAB_ONE, at=long_ago)

    assert names(beat(signed_in(ben), article)) == []
    # Any heartbeat clears every expired row, on any article.
    assert list(EditingPresence.objects.values_list("user", "article")) == [(ben.pk, article.pk)]


def test_someone_back_after_expiring_has_a_new_opening_time(ana, article):
    long_ago = timezone.now() - timedelta(minutes=10)
    presence.heartbeat(article, by=ana, visit=TAB_ONE, open_for=timedelta(minutes=5), at=long_ago)
    now = timezone.now()

    presence.heartbeat(article, by=ana, visit=TAB_TWO, open_for=timedelta(seconds=3), at=now)

    assert EditingPresence.objects.get().opened_at == now - timedelta(seconds=3)


def test_left_takes_the_person_off_the_list_at_once(ana, ben, article):
    ana_client, ben_client = signed_in(ana), signed_in(ben)
    beat(ana_client, article)
    assert names(beat(ben_client, article)) == ["Ana Ruiz"]

    response = left(ana_client, article)

    assert response.status_code == 200
    assert response.json() == {"left": True}
    assert names(beat(ben_client, article)) == []


def test_a_heartbeat_still_on_its_way_when_the_page_closed_does_not_bring_her_back(
    ana, ben, article
):
    ana_client = signed_in(ana)
    beat(ana_client, article, visit=TAB_ONE)
    left(ana_client, article, visit=TAB_ONE)

    beat(ana_client, article, visit=TAB_ONE)  # sent before the page closed, arrived after

    assert names(beat(signed_in(ben), article)) == []


def test_a_page_that_closes_before_its_first_heartbeat_arrives_stays_closed(ana, ben, article):
    ana_client = signed_in(ana)
    left(ana_client, article, visit=TAB_ONE)
    beat(ana_client, article, visit=TAB_ONE)

    assert names(beat(signed_in(ben), article)) == []


def test_closing_one_tab_keeps_her_listed_while_another_of_her_tabs_is_open(ana, ben, article):
    ana_client, ben_client = signed_in(ana), signed_in(ben)
    beat(ana_client, article, visit=TAB_ONE)
    beat(ana_client, article, visit=TAB_TWO)

    left(ana_client, article, visit=TAB_ONE)
    assert names(beat(ben_client, article)) == ["Ana Ruiz"]

    left(ana_client, article, visit=TAB_TWO)
    assert names(beat(ben_client, article)) == []


def test_opening_the_form_again_after_leaving_lists_her_again(ana, ben, article):
    ana_client = signed_in(ana)
    beat(ana_client, article, visit=TAB_ONE)
    left(ana_client, article, visit=TAB_ONE)

    beat(ana_client, article, visit=TAB_TWO, opened_seconds_ago="0")

    assert names(beat(signed_in(ben), article)) == ["Ana Ruiz"]
    opened_at = EditingPresence.objects.get(user=ana).opened_at
    assert timezone.now() - opened_at < timedelta(minutes=1)


def test_editors_on_other_articles_are_not_listed(ana, ben, article):
    beat(signed_in(ana), make_article(status=Article.Status.DRAFT))

    assert names(beat(signed_in(ben), article)) == []


def test_names_come_from_the_account_then_the_author_profile_then_the_login(ben, article):
    with_profile = make_role_user("Editor", author=make_author(name="Eddie Profile"))
    login_only = make_role_user("Editor", username="night-desk")
    for user in (with_profile, login_only):
        beat(signed_in(user), article)

    assert names(beat(signed_in(ben), article)) == ["Eddie Profile", "night-desk"]


def test_the_heartbeat_costs_the_same_queries_however_many_are_editing(ben, article):
    client = signed_in(ben)
    beat(client, article)

    def colleagues_listed_and_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            listed = names(beat(client, article))
        return len(listed), len(queries)

    presence.heartbeat(article, by=make_role_user("Editor"), visit=TAB_ONE)
    listed_one, queries_for_one = colleagues_listed_and_queries()
    for _ in range(2):
        presence.heartbeat(
            article, by=make_role_user("Editor", author=make_author()), visit=TAB_ONE
        )
    listed_three, queries_for_three = colleagues_listed_and_queries()

    assert (listed_one, listed_three) == (1, 3)
    assert queries_for_three == queries_for_one


# --- Who may send it -----------------------------------------------------------------------


def test_writer_who_may_not_even_see_the_article_gets_404(writer, article):
    response = beat(signed_in(writer), article)

    assert response.status_code == 404
    assert response.json() == {"error": "No article with that id that you may see."}
    assert not EditingPresence.objects.exists()


def test_writer_may_see_but_not_edit_their_unpublished_article_gets_403(writer, writer_author):
    # Taken off the site, the article is the editors' again; the writer may only read it.
    unpublished = make_article(author=writer_author, status=Article.Status.UNPUBLISHED)

    response = beat(signed_in(writer), unpublished)

    assert response.status_code == 403
    assert "may not edit this article" in response.json()["error"]
    assert not EditingPresence.objects.exists()


def test_writer_editing_their_own_draft_is_listed_for_the_editor(writer, writer_author, ben):
    draft = make_article(author=writer_author, status=Article.Status.DRAFT)

    assert names(beat(signed_in(writer), draft)) == []
    assert names(beat(signed_in(ben), draft)) == ["Wendy Writer"]


@pytest.mark.parametrize("who", ["anonymous", "not staff"])
def test_people_outside_the_admin_are_sent_to_sign_in(who, article):
    client = Client()
    if who == "not staff":
        client.force_login(make_user())

    response = beat(client, article)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not EditingPresence.objects.exists()


def test_the_heartbeat_needs_the_csrf_token(ana, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ana)
    token = soup_of(client.get(change_url(article))).select_one("[name=csrfmiddlewaretoken]")

    fields = {"event": "heartbeat", "visit": TAB_ONE, "opened_seconds_ago": "1"}
    refused = client.post(presence_url(article), fields)
    accepted = client.post(presence_url(article), {**fields, "csrfmiddlewaretoken": token["value"]})

    assert refused.status_code == 403
    assert accepted.status_code == 200


# --- Bad requests get a 4xx in JSON, never a 500 -----------------------------------------


def test_other_methods_get_405_that_says_post(ana, article):
    response = signed_in(ana).get(presence_url(article))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"error": "Send the heartbeat with POST."}


@pytest.mark.parametrize(
    "article_id", ["0", "123456789", "abc", "-1", "1.5", "٣", "9" * 19, "9" * 40]
)
def test_ids_of_no_article_get_404(ana, article_id):
    response = beat(signed_in(ana), article_id)

    assert response.status_code == 404
    assert response.json() == {"error": "No article with that id that you may see."}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"event": "typing", "visit": TAB_ONE},
        {"event": "left"},
        {"event": "left", "visit": "short"},
        {"event": "left", "visit": "has spaces in it"},
        {"event": "left", "visit": "x" * 33},
        {"event": "heartbeat", "opened_seconds_ago": "5"},
        {"event": "heartbeat", "visit": "<script>", "opened_seconds_ago": "5"},
        {"event": "heartbeat", "visit": TAB_ONE},
        {"event": "heartbeat", "visit": TAB_ONE, "opened_seconds_ago": ""},
        {"event": "heartbeat", "visit": TAB_ONE, "opened_seconds_ago": "-5"},
        {"event": "heartbeat", "visit": TAB_ONE, "opened_seconds_ago": "ten"},
        {"event": "heartbeat", "visit": TAB_ONE, "opened_seconds_ago": "1e9"},
        {"event": "heartbeat", "visit": TAB_ONE, "opened_seconds_ago": "9" * 40},
    ],
)
def test_bad_requests_get_400_that_says_what_to_send(ana, article, data):
    response = signed_in(ana).post(presence_url(article), data)

    assert response.status_code == 400
    assert response.json()["error"].startswith("Say ")
    assert not EditingPresence.objects.exists()


def test_a_form_open_for_months_counts_as_open_for_a_week(ana, ben, article):
    beat(signed_in(ana), article, opened_seconds_ago=str(10**11))

    opened_at = EditingPresence.objects.get().opened_at
    assert timezone.now() - opened_at <= presence.LONGEST_OPEN + timedelta(minutes=1)
    assert names(beat(signed_in(ben), article)) == ["Ana Ruiz"]


# --- What the change form carries ---------------------------------------------------------


def test_change_form_carries_the_banner_and_both_scripts_for_those_who_may_edit(ana, article):
    page = soup_of(signed_in(ana).get(change_url(article)))

    banner = page.select_one("#editing-presence")
    assert banner is not None and banner.has_attr("hidden")
    assert banner["data-url"] == presence_url(article)
    assert banner["data-heartbeat-seconds"] == str(presence.HEARTBEAT_SECONDS)
    scripts = [script.get("src", "") for script in page.select("script")]
    assert any(src.endswith("js/editing-presence.js") for src in scripts)
    assert any(src.endswith("js/leave-guard.js") for src in scripts)
    # Files only: nothing of ours inline.
    assert all(script.get("src") for script in page.select("#content script"))


def test_read_only_form_and_add_form_have_no_heartbeat(writer, writer_author):
    unpublished = make_article(author=writer_author, status=Article.Status.UNPUBLISHED)
    client = signed_in(writer)

    for url in (change_url(unpublished), "/admin/articles/article/add/"):
        page = soup_of(client.get(url))
        assert page.select_one("#editing-presence") is None, url
        assert page.select_one('script[src$="js/leave-guard.js"]') is not None, url


def test_form_shown_again_with_errors_counts_as_unsaved_from_the_start(ana, article):
    client = signed_in(ana)
    fresh = soup_of(client.get(change_url(article)))
    guard = 'script[src$="js/leave-guard.js"]'
    assert fresh.select_one(guard)["data-unsaved-on-load"] == ""

    refused = client.post(change_url(article), change_form(client, article, title=""))

    assert refused.status_code == 200
    assert soup_of(refused).select_one(guard)["data-unsaved-on-load"] == "yes"
