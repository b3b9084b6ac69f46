"""A citation marker that points at no source blocks publishing, with a message naming it:
in the checklist, when publishing, in the admin's live checklist and when a live article's
staged changes are published (articles/workflow/checklist.py)."""

import pytest

from articles.models import Article, StagedEdit
from articles.workflow import checklist, services, staging
from tests.factories import make_article, make_role_user
from tests.helpers.admin import change_form, inline_prefix

pytestmark = pytest.mark.django_db


def marker(number: int) -> str:
    return f'<sup class="cite"><a href="#source-{number}">{number}</a></sup>'


def dangling(number: int, sources: int) -> str:
    has = f"{sources} source" + ("" if sources == 1 else "s")
    return (
        f"Citation marker [{number}] in the body points to source {number}, but the article "
        f"has {has}: add that source or remove the marker."
    )


@pytest.fixture
def editor_user():
    return make_role_user("Editor", username="edna")


def test_the_checklist_names_each_marker_that_points_nowhere():
    draft = checklist.draft_from_article(make_article(sources=2, status=Article.Status.DRAFT))
    draft.body = f"<p>A.{marker(1)} B.{marker(2)} C.{marker(3)} D.{marker(5)} E.{marker(3)}</p>"
    assert checklist.problems(draft) == [dangling(3, 2), dangling(5, 2)]
    draft.source_urls = draft.source_urls[:1]
    assert checklist.problems(draft) == [dangling(2, 1), dangling(3, 1), dangling(5, 1)]


def test_markers_within_the_sources_are_not_problems():
    draft = checklist.draft_from_article(make_article(sources=2, status=Article.Status.DRAFT))
    draft.body = f"<p>A.{marker(1)} B.{marker(2)}</p>"
    assert checklist.problems(draft) == []


@pytest.mark.parametrize(
    "link",
    [
        '<sup class="cite"><a href="#source-1">7</a></sup>',  # the number is not its target
        '<a href="#source-01">1</a>',
        '<a href="#SOURCE-2">2</a>',
        '<sup class="cite"><a href="#source-99999999999">9</a></sup>',
    ],
)
def test_a_hand_made_link_to_a_source_is_named_not_published_as_a_plain_link(link):
    """The cleaner unwraps what is not a marker to a plain link; the black-box review
    published these silently."""
    draft = checklist.draft_from_article(make_article(sources=2, status=Article.Status.DRAFT))
    draft.body = f"<p>A.{marker(2)} B.{link}</p>"
    [problem] = checklist.problems(draft)
    assert "is not a citation marker" in problem and "Cite source" in problem


def test_publishing_an_article_with_a_dangling_marker_is_refused(editor_user):
    article = make_article(sources=1, status=Article.Status.DRAFT, body=f"<p>Claim.{marker(2)}</p>")
    with pytest.raises(services.WorkflowError) as refusal:
        services.publish(article, by=editor_user)
    assert dangling(2, 1) in refusal.value.problems
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_the_live_checklist_in_the_admin_names_the_marker(client, editor_user):
    article = make_article(sources=2, status=Article.Status.DRAFT)
    client.force_login(editor_user)
    url = f"/admin/articles/article/{article.pk}/checklist/"
    data = change_form(client, article, body=f"<p>Claim.{marker(2)}</p>")
    assert client.post(url, data).json()["problems"] == []
    # Deleting the second source in the form leaves the marker pointing nowhere.
    prefix = inline_prefix(data, "url")
    data[f"{prefix}-1-DELETE"] = "on"
    answer = client.post(url, data).json()
    assert answer["ready"] is False
    assert answer["problems"] == [dangling(2, 1)]


def test_staged_changes_with_a_dangling_marker_are_not_published(editor_user):
    live = make_article(title="Live", sources=2, body=f"<p>Claim.{marker(2)}</p>")
    staging.save_changes(
        live,
        {"sources": [{"name": "Only one", "url": "https://example.org/", "note": ""}]},
        by=editor_user,
    )
    with pytest.raises(services.WorkflowError) as refusal:
        staging.publish_changes(live, by=editor_user)
    assert refusal.value.problems == ["These changes cannot be published yet:", dangling(2, 1)]
    assert live.sources.count() == 2
    assert StagedEdit.objects.filter(article=live).exists()
    # Citing the source that is left makes the changes publishable.
    staging.save_changes(live, {"body": f"<p>Claim.{marker(1)}</p>"}, by=editor_user)
    staging.publish_changes(live, by=editor_user)
    live.refresh_from_db()
    assert live.sources.get().name == "Only one" and marker(1) in live.body
