"""The whole editorial rulebook, walked: every role × every state × every step.

The expected answers are written out below as a table read from the editor's guide's
*Editorial workflow* section (docs/editor-guide.md) (the roles table is the specification); nothing here asks the code under
test what should happen.  Each (role, state, step) is checked twice:

* against the rulebook, ``transitions.may`` (test_rulebook.py, fast), and
* here, against the real admin: the change form read like a browser, one crafted POST, and what
  the person would then see (the article moved and the audit trail says who did it, or
  nothing changed and the answer was a refusal).

Every article is complete (the factory's article passes the pre-publish checklist), so a
refusal can only be about role or state.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, ArticleEvent, ShareLink, StagedEdit
from articles.workflow import revisions, services, staging
from tests.factories import make_role_user
from tests.helpers.admin import change_url
from tests.helpers.html import error_texts, rendered_form_data, submit_buttons
from tests.workflow.table import (
    EXPECTED,
    ROLES,
    STATES,
    STEPS,
    build_case,
    log_in,
)

pytestmark = pytest.mark.django_db

# The workflow buttons under the article form (editor's guide: "Save and submit for review", "Save
# and publish now", "Save and schedule", "Unpublish"), by their POST names.
BUTTONS = {
    "submit": "_submit_review",
    "publish": "_publish",
    "schedule": "_schedule",
    "unpublish": "_unpublish",
    "submit_changes": "_submit_changes",
    "publish_changes": "_publish_changes",
}
CASES = [(role, state, step) for role in ROLES for state in STATES for step in STEPS]
# Steps asked for through the article's change form; the others have their own pages.
FORM_STEPS = (
    "edit",
    "submit",
    "publish",
    "schedule",
    "unpublish",
    "return_to_draft",
    "submit_changes",
    "publish_changes",
)
# Where a save from the form is staged beside the row (articles/workflow/staging.py).
STAGED_STATES = ("live", "scheduled", "expired")
EDITED = "Edited through the table"

# Cases where the admin does not do what the table says (application bugs, reported, not
# fixed here).  strict: once fixed, these cases pass and the marker must go.


# The admin, read like a browser --------------------------------------------------------------


def _form_data(client, article, actor) -> dict[str, object]:
    """The change form as the actor's browser shows it.  When the actor cannot open it, or
    may only read it, the form an editor sees: an attacker who copied every field name and
    a fresh version number."""
    response = client.get(change_url(article))
    if response.status_code == 200:
        data = rendered_form_data(response.content)
        if "title" in data:
            return data
    client.force_login(make_role_user("Editor"))
    response = client.get(change_url(article))
    assert response.status_code == 200
    data = rendered_form_data(response.content)
    log_in(client, actor)
    return data


def _local_parts(moment) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }


NO_EXPIRY = {"expires_at_0": "", "expires_at_1": ""}


def _step_fields(step: str, context: dict) -> dict[str, str]:
    """What a person adds to the change form to ask for a form step."""
    return {
        "edit": lambda: {"title": EDITED},
        "submit": lambda: {"_submit_review": "Save and submit for review"},
        # Republishing an expired article needs its expiry cleared first.
        "publish": lambda: {"_publish": "Save and publish now", **NO_EXPIRY},
        "schedule": lambda: {
            "_schedule": "Save and schedule",
            **_local_parts(context["go_live"]),
            **NO_EXPIRY,
        },
        "unpublish": lambda: {"_unpublish": "Unpublish"},
        # An editor picks Draft in the status select; a writer has no such field, so theirs
        # is crafted and must be ignored.
        "return_to_draft": lambda: {"status": "draft"},
        "submit_changes": lambda: {
            "title": EDITED,
            "_submit_changes": "Save and submit changes for review",
        },
        "publish_changes": lambda: {"title": EDITED, "_publish_changes": "Publish changes"},
    }[step]()


def _post_step(client, article, actor, step: str, context: dict):
    """One POST asking the admin for ``step``, as a person would craft it."""
    pk = article.pk
    if step == "restore":
        url = f"/admin/articles/article/{pk}/revisions/{context['version_id']}/restore/"
        return client.post(url)
    if step == "share":
        return client.post(f"/admin/articles/article/{pk}/share/", {"hours": "2"})
    if step == "delete":
        return client.post(f"/admin/articles/article/{pk}/delete/", {"post": "yes"})
    if step == "discard_changes":
        return client.post(f"/admin/articles/article/{pk}/changes/discard/")
    data = _form_data(client, article, actor)
    return client.post(change_url(article), {**data, **_step_fields(step, context)})


def _go_live():
    """The future publication time a person types to schedule (whole minutes)."""
    return (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)


def _prepare(article, step: str) -> dict:
    """What a step needs before the POST: a revision to restore, a future time to schedule."""
    context = {"go_live": _go_live()}
    if step == "restore":
        services.save_edit(article, by=make_role_user("Editor"))  # the revision to go back to
        context["restored_title"] = article.title
        Article.objects.filter(pk=article.pk).update(title="Changed since that revision")
        article.refresh_from_db()
        context["version_id"] = revisions.revisions_of(article).first().pk
    if step == "discard_changes":
        staging.save_changes(
            article, {"standfirst": "Staged to discard"}, by=make_role_user("Editor")
        )
    return context


def _snapshot(article) -> dict:
    row = Article.objects.filter(pk=article.pk).values(
        "status", "published_at", "expires_at", "version", "title"
    )
    return {
        "article": row.first(),
        "events": ArticleEvent.objects.count(),
        "share_links": ShareLink.objects.count(),
        "staged": StagedEdit.objects.filter(article=article)
        .values("changes", "submitted_at")
        .first(),
    }


def _assert_refusal(response, role: str) -> None:
    """What a refused person sees: the login page, a 403, the admin's "no such article"
    (an article outside a writer's list, or a 404 on its revisions and share pages), or the
    form again with the reason on it."""
    code = response.status_code
    where = response.get("Location", "")
    if role in ("anonymous", "non_staff"):
        assert code == 302 and where.startswith("/admin/login/"), (code, where)
    elif code == 200:
        assert error_texts(response.content), "re-shown without saying why"
    elif code == 302:
        # Django's "no article with that id" for an article outside the person's list.
        assert role in ("writer_other", "staff_no_group") and where == "/admin/", (role, where)
    elif code == 404:
        # The revisions and share pages answer an article the person may not even preview
        # exactly like an id that does not exist.
        assert role in ("writer_other", "staff_no_group"), (role, code)
    else:
        assert code == 403, code


def _assert_done(step: str, article_pk: int, actor, response, before: dict, context: dict):
    """After an allowed step: the article moved as the step says, the trail names the actor."""
    if step == "delete":
        assert response.status_code == 302
        assert not Article.objects.filter(pk=article_pk).exists()
        title = before["article"]["title"]
        assert ArticleEvent.objects.filter(
            action=ArticleEvent.Action.DELETED, actor=actor, article_title=title
        ).exists()
        return
    if step == "share":
        assert response.status_code == 200
        assert ShareLink.objects.filter(article_id=article_pk, created_by=actor).count() == 1
    else:
        assert response.status_code == 302, error_texts(response.content)
    article = Article.objects.get(pk=article_pk)
    old = before["article"]
    events = ArticleEvent.objects.filter(article=article, actor=actor)
    if step in ("edit", "restore", "share"):
        assert (article.status, article.published_at) == (old["status"], old["published_at"])
    staged = StagedEdit.objects.filter(article=article).first()
    if step in ("edit", "submit_changes") and context["state"] in STAGED_STATES:
        # Readers keep the row as it was; the edit waits beside it.
        assert article.title == old["title"]
        assert staged.changes["title"] == EDITED
        assert article.version == old["version"] + 1
        submitted = step == "submit_changes"
        assert (staged.submitted_at is not None) == submitted
        action = "CHANGES_SUBMITTED" if submitted else "CHANGES_SAVED"
        assert events.filter(action=getattr(ArticleEvent.Action, action)).exists()
    elif step == "edit":
        assert article.title == EDITED
        assert article.version == old["version"] + 1
        assert events.filter(action=ArticleEvent.Action.EDITED).exists()
    elif step == "publish_changes":
        assert article.title == EDITED and staged is None
        assert (article.status, article.published_at) == (old["status"], old["published_at"])
        assert events.filter(action=ArticleEvent.Action.CHANGES_PUBLISHED).exists()
    elif step == "discard_changes":
        assert staged is None and article.title == old["title"]
        assert article.standfirst != "Staged to discard"
        assert events.filter(action=ArticleEvent.Action.CHANGES_DISCARDED).exists()
    elif step == "submit":
        assert article.status == Article.Status.IN_REVIEW
        assert events.filter(action=ArticleEvent.Action.SUBMITTED).exists()
    elif step == "publish":
        assert article.status == Article.Status.PUBLISHED
        assert timezone.now() - timedelta(minutes=5) < article.published_at <= timezone.now()
        assert article.is_published
        assert events.filter(action=ArticleEvent.Action.PUBLISHED).exists()
    elif step == "schedule":
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at == context["go_live"]
        assert article.editorial_state == "Scheduled" and not article.is_published
        assert events.filter(action=ArticleEvent.Action.SCHEDULED).exists()
    elif step == "unpublish":
        assert article.status == Article.Status.UNPUBLISHED
        assert not article.is_published
        assert events.filter(action=ArticleEvent.Action.UNPUBLISHED).exists()
    elif step == "return_to_draft":
        assert article.status == Article.Status.DRAFT
        assert not article.is_published
        assert events.filter(
            action=ArticleEvent.Action.EDITED, detail="Moved back to draft"
        ).exists()
    elif step == "restore":
        # A published article gets the old version as unpublished changes.
        staged = staging.staged_edit_of(article)
        title = staged.changes.get("title", article.title) if staged else article.title
        assert title == context["restored_title"]
        assert events.filter(action=ArticleEvent.Action.RESTORED).exists()
    elif step == "share":
        assert events.filter(action=ArticleEvent.Action.SHARED).exists()


# (b) The admin ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_change_page_offers_exactly_what_the_table_allows(client, role, state):
    article, actor = build_case(role, state)
    log_in(client, actor)
    response = client.get(change_url(article))
    allowed = {step for step in STEPS if EXPECTED[role][step][state]}
    if response.status_code != 200:
        _assert_refusal(response, role)
        assert not allowed, f"{role} may {sorted(allowed)} but cannot open the article"
        return
    page = response.content
    offered = set(submit_buttons(page)) & set(BUTTONS.values())
    assert offered == {BUTTONS[step] for step in BUTTONS if step in allowed}
    # An editable form exactly when the person may edit; a delete and a share link exactly
    # when they may delete and share.
    assert ("title" in rendered_form_data(page)) == ("edit" in allowed)
    text = page.decode()
    for step in ("delete", "share"):
        link = f'href="/admin/articles/article/{article.pk}/{step}/"'
        assert (link in text) == (step in allowed), f"{step} link offered: {link in text}"


def _one_post_case(role: str, state: str, step: str):
    return pytest.param(role, state, step, id=f"{role}-{state}-{step}")


def test_the_table_refuses_every_form_step_to_whoever_may_not_edit():
    """The article form is the edit: a step asked through it needs the right to edit."""
    for role in ROLES:
        for state in STATES:
            if not EXPECTED[role]["edit"][state]:
                assert not any(EXPECTED[role][step][state] for step in FORM_STEPS), (role, state)


# Cases where the person may open the form (one test, one POST each), and the ones on the
# workflow's own pages (restore, share, delete), for everyone.
ONE_POST_CASES = [
    _one_post_case(role, state, step)
    for role in ROLES
    for state in STATES
    for step in STEPS
    if step not in FORM_STEPS or EXPECTED[role]["edit"][state]
]
# (role, state) pairs with no right to edit: each form step is still one POST, made from one
# copied form (see test_admin_refuses_every_form_step_to_whoever_may_not_edit).
NO_EDIT_RIGHT = [
    pytest.param(role, state, id=f"{role}-{state}")
    for role in ROLES
    for state in STATES
    if not EXPECTED[role]["edit"][state]
]
assert len(ONE_POST_CASES) + len(NO_EDIT_RIGHT) * len(FORM_STEPS) == len(CASES)


@pytest.mark.parametrize(("role", "state", "step"), ONE_POST_CASES)
def test_admin_agrees_with_the_table(client, role, state, step):
    article, actor = build_case(role, state)
    context = {**_prepare(article, step), "state": state}
    log_in(client, actor)
    before = _snapshot(article)
    response = _post_step(client, article, actor, step, context)
    allowed = EXPECTED[role][step][state]

    if allowed:
        _assert_done(step, article.pk, actor, response, before, context)
        return
    after = _snapshot(article)
    assert after["article"] is not None, "a refused step deleted the article"
    if step == "return_to_draft":
        # Choosing the status the article already has (or posting a status field a
        # writer does not have) is a plain Save: it may save, but the state stays.
        assert response.status_code == 302, error_texts(response.content)
        assert after["article"]["status"] == before["article"]["status"]
        assert after["article"]["published_at"] == before["article"]["published_at"]
        assert not ArticleEvent.objects.filter(
            article=article, detail="Moved back to draft"
        ).exists()
        return
    _assert_refusal(response, role)
    assert after == before, "a refused step changed something"


@pytest.mark.parametrize(("role", "state"), NO_EDIT_RIGHT)
def test_admin_refuses_every_form_step_to_whoever_may_not_edit(client, subtests, role, state):
    """The person cannot open an editable form, so they post a copy of the one an editor
    sees (every field name, inline row and version right): each form step, one POST each,
    is refused and changes nothing."""
    article, actor = build_case(role, state)
    context = {"go_live": _go_live()}
    log_in(client, actor)
    data = _form_data(client, article, actor)
    for step in FORM_STEPS:
        with subtests.test(step=step):
            before = _snapshot(article)
            response = client.post(change_url(article), {**data, **_step_fields(step, context)})
            _assert_refusal(response, role)
            assert _snapshot(article) == before, f"{step} by {role} changed something"
