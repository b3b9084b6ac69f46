"""The newsroom dashboard on the admin index: each panel's articles, count and "see all"
link, per role; its 7-day windows; and a cost that does not grow with the archive."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from articles.admin.dashboard import NO_PROFILE, PANEL_SIZE, panels_for
from articles.models import Article, StagedEdit
from tests.factories import make_article, make_author, make_role_user, make_user
from tests.helpers.html import soup_of

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
PANELS = ("drafts", "in_review", "scheduled", "published", "expiring")


def dashboard(client) -> dict[str, dict]:
    """The panels as the page shows them: count, listed titles, time lines, "see all" link."""
    response = client.get("/admin/")
    assert response.status_code == 200
    soup = soup_of(response)
    panels = {}
    for key in PANELS:
        section = soup.select_one(f"#panel-{key}")
        if section is None:
            continue
        see_all = section.select_one(".dashboard-see-all a")
        panels[key] = {
            "count": int(section.select_one(".dashboard-count").contents[0]),
            "titles": [a.get_text() for a in section.select(".dashboard-items li > a")],
            "moments": [m.get_text(" ", strip=True) for m in section.select(".dashboard-moment")],
            "links": [a["href"] for a in section.select(".dashboard-items li > a")],
            "see_all": see_all["href"] if see_all else None,
            "text": section.get_text(" ", strip=True),
        }
    return panels


def listed_titles(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [a.get_text() for a in soup_of(response).select("#result_list tbody th a")]


@pytest.fixture
def newsroom(writer_author, editor):
    """One article of each kind for the writer, for the editor and for a colleague."""
    now = timezone.now()
    colleague = make_author(name="Colleague")
    kinds = {
        "draft": {"status": Article.Status.DRAFT},
        "review": {"status": Article.Status.IN_REVIEW},
        "scheduled": {"published_at": now + 2 * DAY},
        "published": {"published_at": now - 2 * DAY},
        "expiring": {"published_at": now - 10 * DAY, "expires_at": now + 3 * DAY},
    }
    owners = {"writer": writer_author, "editor": editor.author_profile, "colleague": colleague}
    return {
        f"{owner} {kind}": make_article(author=author, title=f"{owner} {kind}", **fields)
        for owner, author in owners.items()
        for kind, fields in kinds.items()
    }


@pytest.mark.django_db
def test_writer_sees_only_their_own_articles_in_every_panel(writer_client, newsroom):
    panels = dashboard(writer_client)
    assert {key: panel["titles"] for key, panel in panels.items()} == {
        "drafts": ["writer draft"],
        "in_review": ["writer review"],
        "scheduled": ["writer scheduled"],
        "published": ["writer published"],
        "expiring": ["writer expiring"],
    }
    assert {key: panel["count"] for key, panel in panels.items()} == dict.fromkeys(PANELS, 1)


@pytest.mark.django_db
def test_editor_sees_everyone_s_articles_but_only_their_own_drafts(editor_client, newsroom):
    panels = dashboard(editor_client)
    assert panels["drafts"]["titles"] == ["editor draft"]
    assert panels["drafts"]["count"] == 1
    for key, kind in [
        ("in_review", "review"),
        ("scheduled", "scheduled"),
        ("published", "published"),
        ("expiring", "expiring"),
    ]:
        assert sorted(panels[key]["titles"]) == sorted(
            f"{owner} {kind}" for owner in ("writer", "editor", "colleague")
        )
        assert panels[key]["count"] == 3


@pytest.mark.django_db
def test_every_listed_article_links_to_a_change_page_its_reader_may_open(writer_client, newsroom):
    panels = dashboard(writer_client)
    links = [link for panel in panels.values() for link in panel["links"]]
    assert len(links) == 5
    for link in links:
        assert writer_client.get(link).status_code == 200


@pytest.mark.django_db
def test_count_covers_more_than_the_listed_few_and_the_longest_waiting_comes_first(
    editor_client,
):
    author = make_author()
    start = timezone.now() - 10 * DAY
    for day in range(PANEL_SIZE + 2):
        with time_machine.travel(start + day * DAY, tick=False):
            make_article(author=author, status=Article.Status.IN_REVIEW, title=f"Waiting {day}")
    panel = dashboard(editor_client)["in_review"]
    assert panel["count"] == PANEL_SIZE + 2
    assert panel["titles"] == [f"Waiting {day}" for day in range(PANEL_SIZE)]


@pytest.mark.django_db
def test_scheduled_shows_the_next_seven_days_soonest_first_with_their_times(editor_client):
    now = timezone.now().replace(microsecond=0)
    author = make_author()
    for title, offset in [
        ("In a week", 7 * DAY),
        ("Tomorrow", DAY),
        ("Past the week", 7 * DAY + SECOND),
        ("Already live", -SECOND),
    ]:
        make_article(author=author, title=title, published_at=now + offset)
    with time_machine.travel(now, tick=False):
        panel = dashboard(editor_client)["scheduled"]
    assert panel["titles"] == ["Tomorrow", "In a week"]
    assert panel["count"] == 2
    tomorrow = date_format(timezone.localtime(now + DAY), "DATETIME_FORMAT")
    assert panel["moments"][0] == f"Goes live {tomorrow}"


@pytest.mark.django_db
def test_recently_published_covers_the_last_seven_days_of_live_articles(editor_client):
    now = timezone.now().replace(microsecond=0)
    author = make_author()
    make_article(author=author, title="Just now", published_at=now)
    make_article(author=author, title="Six days ago", published_at=now - 6 * DAY)
    make_article(author=author, title="Exactly a week ago", published_at=now - 7 * DAY)
    make_article(
        author=author,
        title="Expired yesterday",
        published_at=now - 2 * DAY,
        expires_at=now - DAY,
    )
    make_article(author=author, title="Tomorrow", published_at=now + DAY)
    make_article(author=author, status=Article.Status.UNPUBLISHED, published_at=now - DAY)
    with time_machine.travel(now, tick=False):
        panel = dashboard(editor_client)["published"]
    assert panel["titles"] == ["Just now", "Six days ago"]
    assert panel["count"] == 2


@pytest.mark.django_db
def test_expiring_soon_lists_live_articles_leaving_within_seven_days(editor_client):
    now = timezone.now().replace(microsecond=0)
    author = make_author()
    month_ago = now - 30 * DAY
    for title, offset in [
        ("Leaves in a week", 7 * DAY),
        ("Leaves tomorrow", DAY),
        ("Leaves after the week", 7 * DAY + SECOND),
        ("Left just now", timedelta(0)),
    ]:
        make_article(author=author, title=title, published_at=month_ago, expires_at=now + offset)
    make_article(author=author, title="Never leaves", published_at=month_ago)
    make_article(
        author=author,
        title="Scheduled and short-lived",
        published_at=now + DAY,
        expires_at=now + 2 * DAY,
    )
    with time_machine.travel(now, tick=False):
        panel = dashboard(editor_client)["expiring"]
    assert panel["titles"] == ["Leaves tomorrow", "Leaves in a week"]
    assert panel["count"] == 2
    tomorrow = date_format(timezone.localtime(now + DAY), "DATETIME_FORMAT")
    assert panel["moments"][0] == f"Expires {tomorrow}"


@pytest.mark.django_db
def test_empty_panels_say_so(writer_client):
    panels = dashboard(writer_client)
    assert panels["drafts"]["count"] == 0
    assert "No drafts." in panels["drafts"]["text"]
    assert "Nothing goes live in the next 7 days." in panels["scheduled"]["text"]
    assert "Nothing was published in the last 7 days." in panels["published"]["text"]


@pytest.mark.django_db
def test_see_all_links_list_what_each_panel_counts(editor_client, editor, newsroom):
    now = timezone.now()
    make_article(title="Scheduled next month", published_at=now + 30 * DAY)
    panels = dashboard(editor_client)

    assert listed_titles(editor_client, panels["drafts"]["see_all"]) == ["editor draft"]
    assert sorted(listed_titles(editor_client, panels["in_review"]["see_all"])) == [
        "colleague review",
        "editor review",
        "writer review",
    ]
    assert sorted(listed_titles(editor_client, panels["scheduled"]["see_all"])) == [
        "Scheduled next month",
        "colleague scheduled",
        "editor scheduled",
        "writer scheduled",
    ]
    live = listed_titles(editor_client, panels["published"]["see_all"])
    assert sorted(live) == sorted(
        f"{owner} {kind}"
        for owner in ("writer", "editor", "colleague")
        for kind in ("published", "expiring")
    )
    assert sorted(listed_titles(editor_client, panels["expiring"]["see_all"])) == [
        "colleague expiring",
        "editor expiring",
        "writer expiring",
    ]


@pytest.mark.django_db
def test_writer_s_see_all_links_stay_within_their_own_articles(writer_client, newsroom):
    panels = dashboard(writer_client)
    for key, kind in [("drafts", "draft"), ("in_review", "review"), ("scheduled", "scheduled")]:
        assert listed_titles(writer_client, panels[key]["see_all"]) == [f"writer {kind}"]


@pytest.mark.django_db
def test_account_without_an_author_profile_is_told_why_it_has_no_drafts(client, newsroom):
    client.force_login(make_role_user("Editor"))
    panels = dashboard(client)
    assert panels["drafts"]["count"] == 0
    assert panels["drafts"]["see_all"] is None
    assert NO_PROFILE in panels["drafts"]["text"]
    assert panels["in_review"]["count"] == 3


@pytest.mark.django_db
def test_staff_without_article_permissions_get_no_dashboard(client, newsroom):
    client.force_login(make_user(staff=True))
    assert dashboard(client) == {}


# --- Cost ----------------------------------------------------------------------------------


def _bulk_articles(author, count):
    """Rows enough to show a cost that grows, without the children the panels never read."""
    now = timezone.now()
    kinds = [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.IN_REVIEW},
        {"status": Article.Status.PUBLISHED, "published_at": now + DAY},
        {"status": Article.Status.PUBLISHED, "published_at": now - DAY},
        {
            "status": Article.Status.PUBLISHED,
            "published_at": now - 10 * DAY,
            "expires_at": now + DAY,
        },
    ]
    articles = Article.objects.bulk_create(
        Article(author=author, title=f"Bulk {n}", slug=f"bulk-{n}", **kinds[n % len(kinds)])
        for n in range(count)
    )
    # Changes to the recently published ones, handed over for review.
    StagedEdit.objects.bulk_create(
        StagedEdit(
            article=article,
            changes={"title": "Changed"},
            based_on_version=1,
            saved_at=now,
            submitted_at=now,
        )
        for n, article in enumerate(articles)
        if n % len(kinds) == 3
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["writer", "editor"])
def test_panels_take_two_queries_however_many_articles(request, role, django_assert_num_queries):
    user = request.getfixturevalue(role)
    dashboard_request = RequestFactory().get("/admin/")
    dashboard_request.user = user
    # The person's permissions: loaded once per request, whatever page asks for them first.
    user.get_all_permissions()
    for count in (0, 60):
        _bulk_articles(user.author_profile, count)
        with django_assert_num_queries(2):
            panels = panels_for(dashboard_request)
    assert [panel.count for panel in panels] == [12] * 6
    assert all(len(panel.items) == PANEL_SIZE for panel in panels)


@pytest.mark.django_db
def test_admin_index_costs_the_same_with_a_bigger_archive(editor_client, editor):
    def queries_for_index():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get("/admin/").status_code == 200
        return len(captured)

    editor_client.get("/admin/")  # the session and the like, loaded once
    few = queries_for_index()
    _bulk_articles(editor.author_profile, 60)
    assert queries_for_index() == few
