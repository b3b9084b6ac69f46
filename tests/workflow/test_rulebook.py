"""The rulebook itself (articles/workflow/transitions.py), asked directly: the whole table,
the combined rule of a save from the form, and how a POST names its step."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from articles.models import Article, TldrBullet
from articles.workflow import checklist, transitions
from tests.factories import make_article, make_role_user
from tests.workflow.table import EXPECTED, ROLES, STATES, STEPS, assert_state, build_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_rulebook_agrees_with_the_table(role, state):
    article, actor = build_case(role, state)
    assert_state(article, state)
    user = actor or AnonymousUser()
    answered = {step: transitions.may(user, article, step) for step in STEPS}
    expected = {step: EXPECTED[role][step][state] for step in STEPS}
    assert answered == expected


def _messages(reasons):
    return [reason.message for reason in reasons]


def _broken_draft(article) -> checklist.Draft:
    draft = checklist.draft_from_article(article)
    draft.tldr = draft.tldr[:2]
    return draft


TWO_BULLETS = "Publishing needs 3 to 5 TL;DR bullets; this article has 2."


def test_publishing_changes_to_a_live_article_is_judged_on_the_content_as_posted():
    editor, live = make_role_user("Editor"), make_article()
    reasons = transitions.refusals_of_save(
        editor, live, "publish_changes", draft=_broken_draft(live)
    )
    assert _messages(reasons) == [TWO_BULLETS]
    complete = checklist.draft_from_article(live)
    assert transitions.refusals_of_save(editor, live, "publish_changes", draft=complete) == []


def test_a_plain_save_of_a_live_article_is_staged_and_not_held_to_the_checklist():
    editor, live = make_role_user("Editor"), make_article()
    assert transitions.stages(live, None) and transitions.stages(live, "submit_changes")
    assert not transitions.stages(live, "publish_changes")
    assert transitions.refusals_of_save(editor, live, None, draft=_broken_draft(live)) == []


def test_a_draft_is_never_staged_by_a_save():
    draft = make_article(status=Article.Status.DRAFT)
    assert not transitions.stages(draft, None)
    assert not transitions.stages(Article(status=Article.Status.PUBLISHED), None)


def test_a_live_edit_that_goes_with_unpublishing_is_not_held_to_the_checklist():
    editor, live = make_role_user("Editor"), make_article()
    assert transitions.refusals_of_save(editor, live, "unpublish", draft=_broken_draft(live)) == []


def test_a_save_lists_the_edits_and_the_steps_refusals_together():
    writer = make_role_user("Writer")
    live = make_article()  # someone else's
    reasons = _messages(transitions.refusals_of_save(writer, live, "publish"))
    assert reasons[0].startswith("You cannot edit this article")
    assert transitions.EDITORS_ONLY in reasons
    assert any(reason.startswith("This article is already live") for reason in reasons)


def test_a_new_article_needs_no_edit_rule_only_the_steps():
    writer = make_role_user("Writer")
    new = Article(status=Article.Status.DRAFT)
    assert _messages(transitions.refusals_of_save(writer, new, None)) == []
    refused = transitions.refusals_of_save(writer, new, "publish", draft=checklist.Draft())
    assert transitions.EDITORS_ONLY in _messages(refused)


def test_may_weighs_role_and_state_only():
    editor = make_role_user("Editor")
    live, draft = make_article(), make_article(status=Article.Status.DRAFT)
    assert not transitions.may(editor, live, "publish")
    assert not transitions.may(editor, draft, "unpublish")
    TldrBullet.objects.filter(article=draft).delete()  # content is no reason to hide a step
    assert transitions.may(editor, draft, "publish")


def test_a_workflow_button_names_its_step_and_time():
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert transitions.requested_step(
            {"_publish": "1"}, chosen_status=None, published_at=None
        ) == ("publish", now)
    later = now + timedelta(days=1)
    assert transitions.requested_step(
        {"_schedule": "1"}, chosen_status=None, published_at=later
    ) == ("schedule", later)
    assert transitions.requested_step(
        {"_submit_review": "1"}, chosen_status=None, published_at=later
    ) == ("submit", None)
    assert transitions.requested_step({"_save": "1"}, chosen_status=None, published_at=later) == (
        None,
        None,
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Article.Status.IN_REVIEW, "submit"),
        (Article.Status.UNPUBLISHED, "unpublish"),
        (Article.Status.DRAFT, "return_to_draft"),
    ],
)
def test_a_chosen_status_names_the_step_that_leads_there(status, expected):
    assert transitions.requested_step({}, chosen_status=status, published_at=None) == (
        expected,
        None,
    )


def test_a_chosen_published_status_publishes_now_at_its_time_or_schedules():
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        published = Article.Status.PUBLISHED
        assert transitions.requested_step({}, chosen_status=published, published_at=None) == (
            "publish",
            now,
        )
        assert transitions.requested_step({}, chosen_status=published, published_at=now) == (
            "publish",
            now,
        )
        earlier, later = now - timedelta(days=1), now + timedelta(seconds=1)
        assert transitions.requested_step({}, chosen_status=published, published_at=earlier) == (
            "publish",
            earlier,
        )
        assert transitions.requested_step({}, chosen_status=published, published_at=later) == (
            "schedule",
            later,
        )


def test_live_changes_without_a_publication_time_are_refused_at_that_field():
    editor, live = make_role_user("Editor"), make_article()
    draft = checklist.draft_from_article(live)
    draft.published_at = None
    assert transitions.refusals_of_save(editor, live, "publish_changes", draft=draft) == [
        transitions.Reason(
            "A published article needs a publication time. To take it off the site, use Unpublish.",
            "time",
            "published_at",
        )
    ]


def test_scheduling_needs_a_time_after_now_at_that_field():
    editor, draft = make_role_user("Editor"), make_article(status=Article.Status.DRAFT)
    now = timezone.now()
    refusal = transitions.Reason(
        "To schedule, set a publication time in the future.", "time", "published_at"
    )
    with time_machine.travel(now, tick=False):
        assert transitions.refusals(editor, draft, "schedule", at=now) == [refusal]
        assert transitions.refusals(editor, draft, "schedule", at=None) == [refusal]
        later = now + timedelta(microseconds=1)
        assert transitions.refusals(editor, draft, "schedule", at=later) == []


def test_each_reason_says_what_kind_it_is():
    editor, writer = make_role_user("Editor"), make_role_user("Writer")
    new = Article(status=Article.Status.DRAFT)
    assert transitions.refusals(editor, new, "unpublish", judge_content=False) == [
        transitions.Reason(
            "Only published or scheduled articles can be unpublished; this one is new.", "state"
        )
    ]
    draft = make_article(status=Article.Status.DRAFT, tldr=2)
    kinds = {r.message: r.kind for r in transitions.refusals(writer, draft, "publish")}
    assert kinds == {transitions.EDITORS_ONLY: "role", TWO_BULLETS: "content"}
    outsider = AnonymousUser()  # nobody outside the newsroom learns about the content
    kinds = {r.message: r.kind for r in transitions.refusals(outsider, draft, "publish")}
    assert kinds == {transitions.EDITORS_ONLY: "role"}
    kinds = {r.message: r.kind for r in transitions.refusals(editor, draft, "publish")}
    assert kinds == {TWO_BULLETS: "content"}
    live = make_article()
    assert transitions.refusals(editor, live, "publish", judge_content=False) == [
        transitions.Reason(
            "This article is already live: use Publish changes to update it; this one is Published.",
            "state",
        )
    ]


def test_publishing_at_a_past_time_is_judged_at_that_time():
    editor = make_role_user("Editor")
    yesterday = timezone.now() - timedelta(days=1)
    draft = make_article(
        status=Article.Status.DRAFT, expires_at=timezone.now() - timedelta(hours=1)
    )
    assert transitions.refusals(editor, draft, "publish", at=yesterday) == []
    assert transitions.refusals(editor, draft, "publish") != []  # now is after the expiry


def test_whoever_may_add_articles_may_work_on_a_new_one():
    writer = make_role_user("Writer")
    new = Article(status=Article.Status.DRAFT)
    assert transitions.refusals(writer, new, "submit", judge_content=False) == []
    offered = [button.name for button in transitions.offered_buttons(writer, new)]
    assert offered == ["_submit_review"]
    no_group = make_role_user("Writer")
    no_group.groups.clear()
    assert transitions.refusals(no_group, new, "submit", judge_content=False) != []
