"""The workflow rulebook: every step an article can take, and the one rule that says whether
a person may take it now, and if not, every reason why.

The admin's buttons and its form, and the workflow services, all ask ``refusals()``; nothing
else decides.  A new state is a choice in articles/models/states.py and the steps that lead
to and from it here; a new step is one more ``Step`` in ``STEPS`` (and, if the audit trail
should name it, an ``Action`` choice in states.py).  Nothing else changes: the admin's
buttons, its status list, the services and the audit trail all follow the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from articles.models import Article, ArticleEvent, states
from articles.workflow import checklist, permissions

Status = Article.Status
Action = ArticleEvent.Action
EVERY_STATE = frozenset(Status.values)
EDITORS_ONLY = (
    "Only editors can publish, schedule, unpublish or move articles back to draft. Submit "
    "the article for review and an editor will take it from there."
)


@dataclass(frozen=True)
class Button:
    """The admin submit button that asks for a step: its POST name and its label."""

    name: str
    label: str
    title: str = ""


@dataclass(frozen=True)
class Step:
    """One thing a person can do to an article.

    ``sources``: the statuses it starts from; ``target``: the status afterwards (None keeps
    it); ``who``: the role rule (articles/workflow/permissions.py) and ``who_refusal`` the
    sentence when it says no; ``wrong_state``: the sentence when the status does not allow
    it.  The pre-publish checklist judges the content of every step that leaves the article
    Published with new content: publishing, and editing or restoring a live one.  ``event``, ``comment`` and ``done`` are what the audit trail, the revision history
    and the editor are told afterwards ({at} is the publication time).
    """

    name: str
    sources: frozenset[str]
    target: str | None
    who: Callable[..., bool]
    who_refusal: str
    wrong_state: str = ""
    event: str | None = None
    event_detail: str = ""
    comment: str = ""
    done: str = ""
    button: Button | None = None
    not_when_live: bool = False
    needs_future_time: bool = False
    changes_content: bool = False


def _editors(user, article) -> bool:
    """The role rule of the editors' steps: the person may publish at all (any article)."""
    return permissions.can_publish(user)


def _writers_on_own(user, article) -> bool:
    """Who hands changes to a published article over for review: whoever may work on it
    but not publish (an editor publishes the changes instead)."""
    return permissions.can_edit(user, article) and not permissions.can_publish(user)


STAGED = frozenset(states.STAGED)


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "edit",
            sources=EVERY_STATE,
            target=None,
            who=permissions.can_edit,
            who_refusal="You cannot edit this article: writers edit their own articles while "
            "they are drafts or in review.",
            event=Action.EDITED,
            comment="Edited",
            changes_content=True,
        ),
        Step(
            "submit",
            sources=frozenset({Status.DRAFT}),
            target=Status.IN_REVIEW,
            who=permissions.can_edit,
            who_refusal="You cannot submit this article: it is not yours to edit.",
            wrong_state="Only drafts can be submitted for review",
            event=Action.SUBMITTED,
            comment="Submitted for review",
            done="Submitted for review. An editor will publish it.",
            button=Button("_submit_review", "Save and submit for review"),
        ),
        Step(
            "submit_changes",
            sources=STAGED,
            target=None,
            who=_writers_on_own,
            who_refusal="Writers submit changes to their own published articles for review; "
            "editors publish changes themselves.",
            wrong_state="Only changes to a published article wait for review: submit the "
            "article itself",
            event=Action.CHANGES_SUBMITTED,
            done="Changes submitted for review. Readers see the published version until an "
            "editor publishes them.",
            button=Button("_submit_changes", "Save and submit changes for review"),
        ),
        Step(
            "publish",
            sources=EVERY_STATE,
            target=Status.PUBLISHED,
            who=_editors,
            who_refusal=EDITORS_ONLY,
            wrong_state="This article is already live: use Publish changes to update it",
            not_when_live=True,
            event=Action.PUBLISHED,
            comment="Published",
            done="Published: it is live now.",
            button=Button("_publish", "Save and publish now"),
        ),
        Step(
            "publish_changes",
            sources=STAGED,
            target=None,
            who=_editors,
            who_refusal="Only editors can publish changes to a published article. Use "
            "“Save and submit changes for review” and an editor will publish them.",
            wrong_state="Only a published article has changes to publish: save it instead",
            event=Action.CHANGES_PUBLISHED,
            comment="Published changes",
            done="Changes published.",
            button=Button(
                "_publish_changes",
                "Publish changes",
                "Puts these changes into the published version: readers see them at once",
            ),
            changes_content=True,
        ),
        Step(
            "schedule",
            sources=EVERY_STATE,
            target=Status.PUBLISHED,
            who=_editors,
            who_refusal=EDITORS_ONLY,
            needs_future_time=True,
            event=Action.SCHEDULED,
            event_detail="Goes live {at:%Y-%m-%d %H:%M %Z}",
            comment="Scheduled for {at:%Y-%m-%d %H:%M}",
            done="Scheduled: it goes live on {at:%d %B %Y, %H:%M}.",
            button=Button(
                "_schedule", "Save and schedule", "Goes live at the publication time set above"
            ),
        ),
        Step(
            "unpublish",
            sources=frozenset({Status.PUBLISHED}),
            target=Status.UNPUBLISHED,
            who=_editors,
            who_refusal=EDITORS_ONLY,
            wrong_state="Only published or scheduled articles can be unpublished",
            event=Action.UNPUBLISHED,
            comment="Unpublished",
            done="Unpublished: it is off every public page.",
            button=Button("_unpublish", "Unpublish"),
        ),
        Step(
            "return_to_draft",
            sources=EVERY_STATE - {Status.DRAFT},
            target=Status.DRAFT,
            who=_editors,
            who_refusal=EDITORS_ONLY,
            wrong_state="This article is a draft already",
            event=Action.EDITED,
            event_detail="Moved back to draft",
            comment="Moved back to draft",
            done="Moved back to draft.",
        ),
        Step(
            "restore",
            sources=EVERY_STATE,
            target=None,
            who=_editors,
            who_refusal="Only editors can restore revisions.",
            event=Action.RESTORED,
            changes_content=True,
        ),
        Step(
            "share",
            sources=EVERY_STATE,
            target=None,
            who=_editors,
            who_refusal="Only editors can create or revoke share links.",
            event=Action.SHARED,
        ),
        Step(
            "discard_changes",
            sources=EVERY_STATE,
            target=None,
            who=permissions.can_edit,
            who_refusal="You cannot discard changes to this article: it is not yours to edit.",
            event=Action.CHANGES_DISCARDED,
            done="Unpublished changes discarded: the article is as it was.",
        ),
        Step(
            "delete",
            sources=EVERY_STATE,
            target=None,
            who=permissions.can_delete,
            who_refusal="You cannot delete this article: writers delete their own articles "
            "while they are drafts or in review.",
            event=Action.DELETED,
        ),
    )
}
BUTTONS = {step.button.name: step for step in STEPS.values() if step.button}


@dataclass(frozen=True)
class Reason:
    """Why a step is refused.  ``kind``: role, state, time or content; ``field``: the form
    field the editor should change, when there is one."""

    message: str
    kind: str
    field: str | None = None


def refusals(
    user,
    article,
    name: str,
    *,
    at: datetime | None = None,
    draft: checklist.Draft | None = None,
    judge_content: bool = True,
) -> list[Reason]:
    """Every reason ``user`` may not take step ``name`` on ``article`` now; empty: allowed.

    ``at`` is the publication time asked for (publish, schedule); ``draft`` the content as it
    would be after the step (the admin form's), by default the article as stored.  Content
    is judged whenever the step leaves the article Published (a live edit too), and only
    for people in the newsroom: nobody else learns anything about an unpublished article.
    """
    step = STEPS[name]
    found = []
    if not step.who(user, article):
        found.append(Reason(step.who_refusal, "role"))
    if article.status not in step.sources or (step.not_when_live and article.is_published):
        state = article.editorial_state if article.pk else "new"
        found.append(Reason(f"{step.wrong_state}; this one is {state}.", "state"))
    if step.needs_future_time and (at is None or at <= timezone.now()):
        found.append(
            Reason("To schedule, set a publication time in the future.", "time", "published_at")
        )
    if judge_content:
        found += content_refusals(user, article, name, at=at, draft=draft)
    return found


def content_refusals(user, article, name: str, *, at=None, draft=None) -> list[Reason]:
    """The content side of ``refusals()``: the pre-publish checklist, for a step that leaves
    the article Published with new content, judged for the newsroom only."""
    step = STEPS[name]
    goes_live = step.target == Status.PUBLISHED or (
        step.changes_content and article.status == Status.PUBLISHED
    )
    if not (goes_live and permissions.is_newsroom(user)):
        return []
    draft = draft or checklist.draft_from_article(article)
    if step.target == Status.PUBLISHED:
        draft.published_at = at or timezone.now()
    found = []
    if draft.published_at is None:
        found.append(
            Reason(
                "A published article needs a publication time. To take it off the site, use "
                "Unpublish.",
                "time",
                "published_at",
            )
        )
    return found + [Reason(problem, "content") for problem in checklist.problems(draft)]


def stages(article, name: str | None) -> bool:
    """Whether a save from the article form, asking for step ``name``, is staged: a plain
    save (or one handed over for review) of a Published article waits beside the row
    (articles/workflow/staging.py); every other step writes the row as it takes the step."""
    return article.pk is not None and article.status in STAGED and name in (None, "submit_changes")


def refusals_of_save(user, article, name: str | None, *, at=None, draft=None) -> list[Reason]:
    """A save from the article form: the edit itself, then the step asked for (if any), both
    judged on the content as posted.  A new article needs no edit rule (the admin's add
    permission decides); an edit that goes with a step is judged by that step's rule.  A
    staged save is not held to the checklist: it changes nothing readers see."""
    found = []
    if article.pk:
        judge = name is None and not stages(article, name)
        found += refusals(user, article, "edit", draft=draft, judge_content=judge)
    if name is not None:
        found += refusals(user, article, name, at=at, draft=draft)
    return found


def may(user, article, name: str) -> bool:
    """Whether the person's role and the article's state allow the step (times and content
    aside): what the admin offers."""
    return not any(
        r.kind in ("role", "state") for r in refusals(user, article, name, judge_content=False)
    )


def offered_buttons(user, article) -> list[Button]:
    """The workflow buttons under the article form, in the table's order."""
    return [step.button for step in BUTTONS.values() if may(user, article, step.name)]


def requested_step(post, *, chosen_status: str | None, published_at: datetime | None):
    """The step an admin POST asks for, with its publication time: a workflow button, or
    the new status an editor chose (Published publishes, or schedules when its time is in
    the future; a past time publishes with that time)."""
    now = timezone.now()
    for button_name, step in BUTTONS.items():
        if button_name in post:
            at = {"publish": now, "schedule": published_at}.get(step.name)
            return step.name, at
    if chosen_status is None:
        return None, None
    if chosen_status == Status.PUBLISHED:
        if published_at is not None and published_at > now:
            return "schedule", published_at
        return "publish", published_at or now
    leading_there = [step.name for step in STEPS.values() if step.target == chosen_status]
    return (leading_there[0] if leading_there else None), None


def done_message(name: str, article) -> str:
    return STEPS[name].done.format(at=timezone.localtime(article.published_at or timezone.now()))
