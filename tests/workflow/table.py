"""The editorial rulebook as the editor's guide states it: roles × states × steps, written out by hand,
and the factories that build one case.  Shared by the tests that walk the whole table
(test_transition_table.py through the admin, test_services_refuse_on_their_own.py through
the services); nothing here asks the code under test what should happen."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_role_user, make_user

ROLES = (
    "writer_own",  # a Writer, on an article bylined to their own author profile
    "writer_other",  # a Writer, on another writer's article
    "editor",  # Editor group
    "admin",  # Admin group
    "staff_no_group",  # staff status but no group
    "non_staff",  # signed in, not staff
    "anonymous",
)
STATES = ("draft", "in_review", "live", "scheduled", "expired", "unpublished")
STEPS = (
    "edit",
    "submit",
    "publish",
    "schedule",
    "unpublish",
    "return_to_draft",
    "restore",
    "share",
    "delete",
    "submit_changes",
    "publish_changes",
    "discard_changes",
)

# docs/editor-guide.md, Editorial workflow → Roles (and → States for where a step starts from).
#   Y: the role may take the step from that state.   -: refused.
#   "*" as the step: the same answer for every step.
# States: Draft → In review → Published (or Scheduled: Published, time in the future)
# → Unpublished; "expired" is Published with its expiry passed (off the site again).
EXPECTED_TABLE = """
role            step             draft in_review live scheduled expired unpublished

# Writer: "edit, submit for review and delete their own articles while Draft or In review;
# edit their own published articles as unpublished changes and submit those for review ...
# Cannot publish, schedule, unpublish, edit or delete other people's work."  Editing a
# published (live, scheduled or expired) article saves unpublished changes beside it.
writer_own      edit             Y     Y         Y    Y         Y       -
writer_own      submit           Y     -         -    -         -       -
writer_own      publish          -     -         -    -         -       -
writer_own      schedule         -     -         -    -         -       -
writer_own      unpublish        -     -         -    -         -       -
writer_own      return_to_draft  -     -         -    -         -       -
writer_own      restore          -     -         -    -         -       -
writer_own      share            -     -         -    -         -       -
writer_own      delete           Y     Y         -    -         -       -
writer_own      submit_changes   -     -         Y    Y         Y       -
writer_own      publish_changes  -     -         -    -         -       -
writer_own      discard_changes  Y     Y         Y    Y         Y       -
writer_other    *                -     -         -    -         -       -

# Editor: "edit, submit and delete every article in any state; publish, schedule,
# unpublish, move back to draft; restore revisions; create and revoke share links."  Buttons:
# publish "anything not live", submit "drafts", unpublish "published, scheduled or expired";
# Draft moves an article back "from review, from the site or from unpublished".
editor          edit             Y     Y         Y    Y         Y       Y
editor          submit           Y     -         -    -         -       -
editor          publish          Y     Y         -    Y         Y       Y
editor          schedule         Y     Y         Y    Y         Y       Y
editor          unpublish        -     -         Y    Y         Y       -
editor          return_to_draft  -     Y         Y    Y         Y       Y
editor          restore          Y     Y         Y    Y         Y       Y
editor          share            Y     Y         Y    Y         Y       Y
editor          delete           Y     Y         Y    Y         Y       Y
# "Publish changes" to a published article, discard anyone's unpublished changes; editors
# publish changes themselves rather than submit them.
editor          submit_changes   -     -         -    -         -       -
editor          publish_changes  -     -         Y    Y         Y       -
editor          discard_changes  Y     Y         Y    Y         Y       Y

# Admin: "everything".
admin           edit             Y     Y         Y    Y         Y       Y
admin           submit           Y     -         -    -         -       -
admin           publish          Y     Y         -    Y         Y       Y
admin           schedule         Y     Y         Y    Y         Y       Y
admin           unpublish        -     -         Y    Y         Y       -
admin           return_to_draft  -     Y         Y    Y         Y       Y
admin           restore          Y     Y         Y    Y         Y       Y
admin           share            Y     Y         Y    Y         Y       Y
admin           delete           Y     Y         Y    Y         Y       Y
admin           submit_changes   -     -         -    -         -       -
admin           publish_changes  -     -         Y    Y         Y       -
admin           discard_changes  Y     Y         Y    Y         Y       Y

# "Give a person staff status AND put them in one group": without both, nothing.
staff_no_group  *                -     -         -    -         -       -
non_staff       *                -     -         -    -         -       -
anonymous       *                -     -         -    -         -       -
"""


def _parse(table: str) -> dict[str, dict[str, dict[str, bool]]]:
    expected: dict[str, dict[str, dict[str, bool]]] = {role: {} for role in ROLES}
    lines = [line.split("#")[0].split() for line in table.splitlines()]
    header, *rows = [line for line in lines if line]
    assert header == ["role", "step", *STATES]
    for role, step, *marks in rows:
        assert role in ROLES and (step in STEPS or step == "*"), (role, step)
        assert len(marks) == len(STATES) and set(marks) <= {"Y", "-"}, (role, step)
        for name in STEPS if step == "*" else (step,):
            assert name not in expected[role], f"{role} {name} is in the table twice"
            expected[role][name] = {
                state: mark == "Y" for state, mark in zip(STATES, marks, strict=True)
            }
    for role in ROLES:
        assert set(expected[role]) == set(STEPS), f"the table misses steps for {role}"
    return expected


EXPECTED = _parse(EXPECTED_TABLE)


# Building one case ---------------------------------------------------------------------


def state_fields(state: str) -> dict:
    # Whole minutes: the admin's date and time inputs round-trip them exactly.
    now = timezone.now().replace(second=0, microsecond=0)
    return {
        "draft": {"status": Article.Status.DRAFT},
        "in_review": {"status": Article.Status.IN_REVIEW},
        "live": {"status": Article.Status.PUBLISHED, "published_at": now - timedelta(hours=1)},
        "scheduled": {"status": Article.Status.PUBLISHED, "published_at": now + timedelta(days=1)},
        "expired": {
            "status": Article.Status.PUBLISHED,
            "published_at": now - timedelta(days=2),
            "expires_at": now - timedelta(hours=1),
        },
        "unpublished": {
            "status": Article.Status.UNPUBLISHED,
            "published_at": now - timedelta(days=2),
        },
    }[state]


def build_case(role: str, state: str):
    """A complete article in ``state``, written by a writer, and the person acting on it."""
    owner_author = make_author()
    owner = make_role_user("Writer", author=owner_author)
    article = make_article(author=owner_author, **state_fields(state))
    actor = {
        "writer_own": lambda: owner,
        "writer_other": lambda: make_role_user("Writer", author=make_author()),
        "editor": lambda: make_role_user("Editor"),
        "admin": lambda: make_role_user("Admin"),
        "staff_no_group": lambda: make_user(staff=True),
        "non_staff": lambda: make_user(),
        "anonymous": lambda: None,
    }[role]()
    return article, actor


def log_in(client, user) -> None:
    if user is None:
        client.logout()
    else:
        client.force_login(user)


def assert_state(article, state: str) -> None:
    """The case starts from the state it names, as the newsroom names it."""
    article.refresh_from_db()
    label = {
        "draft": "Draft",
        "in_review": "In review",
        "live": "Published",
        "scheduled": "Scheduled",
        "expired": "Expired",
        "unpublished": "Unpublished",
    }[state]
    assert article.editorial_state == label
    assert article.is_published == (state == "live")
