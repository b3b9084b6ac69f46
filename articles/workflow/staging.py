"""Staged edits: changes to an article that wait beside its row until they are published.

A Published article's row is what readers get (or, scheduled, will get), so a save of one
from the admin lands in its StagedEdit instead (articles/models/staged.py), and so does
autosave for an article in any state.  Readers' queries read rows only, so nothing staged
reaches a public page, a feed, a sitemap, search or the stored page frame.

- ``save_changes``: stage what the person changed (a writer too, on their own live article),
  optionally handing it over for review (``submit=True``);
- ``publish_changes``: an editor writes the changes into the row through save_edit, so the
  checklist, the search vector, the stored page, the cached pages, the revision and the audit
  trail follow as for any edit; a refusal keeps the changes and says what is missing;
- ``discard_changes``: the row stays as it is;
- ``rehearsed``: the rows as publishing would write them, inside a transaction that is rolled
  back, so previews and share links render exactly what publishing would make.

Every write here bumps ``Article.version``, the form's edit token, so two people working on
the same article never overwrite each other's changes unseen.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import (
    Article,
    ArticleEvent,
    Correction,
    FaqEntry,
    Section,
    Source,
    StagedEdit,
    Tag,
    TldrBullet,
    states,
)
from articles.workflow import audit, corrections, page_generation, services
from articles.workflow.media_record import media_in
from articles.workflow.transitions import refusals
from authors.models import Author
from smartchunks.media.body_images import with_image_sizes
from smartchunks.media.richtext import clean_html

# The article's own fields a change can touch, by form field name.  The workflow's fields
# (status) change only through its steps.
FIELDS = (
    "title",
    "slug",
    "standfirst",
    "author",
    "section",
    "tags",
    "hero_image",
    "hero_alt",
    "hero_credit",
    "body",
    "published_at",
    "expires_at",
    "meta_description",
)
RELATED = {"author": Author, "section": Section}
MOMENTS = ("published_at", "expires_at")
RICH_TEXT = ("body",)
# The ordered parts, each a list of rows with these fields, in reading order.
PARTS = {
    "tldr": (TldrBullet, ("text",)),
    "faq": (FaqEntry, ("question", "answer")),
    "sources": (Source, ("name", "url", "note")),
    # Their text only: a correction is dated when it goes live (articles/workflow/corrections.py).
    "corrections": (Correction, ("text",)),
}
PART_RICH_TEXT = {"answer"}
# Parts an old revision does not bring back: a correction, once public, stays on the record.
NOT_RESTORED = {"corrections"}


class ChangedMeanwhile(services.WorkflowError):
    """Someone saved the article (or its changes) since this person's copy was loaded."""


def stages(article) -> bool:
    """Whether a save of this article from the admin is staged (its status is Published)."""
    return article.pk is not None and article.status in states.STAGED


def staged_edit_of(article) -> StagedEdit | None:
    """The article's staged changes, if any (no query when loaded with select_related)."""
    try:
        return article.staged_edit
    except StagedEdit.DoesNotExist:
        return None


# Values as they are kept: plain JSON, compared with the row's ----------------------------


def clean_rich_text(html: str | None) -> str:
    """Rich text as saving it would store it (cleaned, images sized), so an unchanged body
    compares equal to the row's and a preview shows what readers would get."""
    return with_image_sizes(clean_html(html or ""))


def _moment(value) -> str | None:
    """In UTC, to the second: the admin's time inputs hold whole seconds, so a time left as
    it was compares equal to the row's (which may carry microseconds)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.astimezone(UTC).replace(microsecond=0).isoformat() if value else None


def encode(name: str, value):
    """A form's or a row's value of field ``name`` as a StagedEdit keeps it."""
    if name in RELATED:
        return getattr(value, "pk", value)
    if name == "tags":
        return sorted({getattr(tag, "pk", tag) for tag in value or ()})
    if name == "hero_image":
        return getattr(value, "name", None) or ""
    if name in MOMENTS:
        return _moment(value)
    if name in RICH_TEXT:
        return clean_rich_text(value)
    return value if value is not None else ""


def encode_part(key: str, rows, *, stored: bool = False) -> list[dict]:
    """Rows of one ordered part (form data, or ``stored`` rows whose rich text was cleaned
    when they were saved) as kept, in order."""
    _, names = PARTS[key]
    kept = []
    for row in rows:
        get = row.get if isinstance(row, dict) else lambda name, r=row: getattr(r, name)
        kept.append(
            {
                name: clean_rich_text(get(name))
                if name in PART_RICH_TEXT and not stored
                else get(name) or ""
                for name in names
            }
        )
    return kept


def row_values(article) -> dict:
    """Every field and part of the article as its row holds it, kept the staged way."""
    values = {
        name: encode(name, getattr(article, f"{name}_id" if name in RELATED else name))
        for name in FIELDS
        if name not in ("tags", *RICH_TEXT)
    }
    # Cleaned when it was saved: read as it is (cleaning again would open its images).
    values.update({name: getattr(article, name) or "" for name in RICH_TEXT})
    values["tags"] = sorted(article.tags.values_list("pk", flat=True))
    for key, (model, _) in PARTS.items():
        values[key] = encode_part(key, model.objects.filter(article=article), stored=True)
    return values


_BETWEEN_TAGS = re.compile(r">\s+<")


def _comparable(name: str, value):
    """Two values a reader could not tell apart compare equal: rich text whatever the
    whitespace between its tags (CKEditor lays a body out anew when it loads it)."""
    if name in RICH_TEXT and isinstance(value, str):
        return _BETWEEN_TAGS.sub("><", " ".join(value.split()))
    if name == "faq" and isinstance(value, list):
        return [{**row, "answer": _comparable("body", row.get("answer"))} for row in value]
    return value


def differs(name: str, row_value, value) -> bool:
    return _comparable(name, row_value) != _comparable(name, value)


def decode(name: str, value):
    """A kept value as the form shows it (the form's initial values)."""
    if name in MOMENTS:
        return parse_datetime(value) if value else None
    if name == "hero_image":
        field = Article._meta.get_field("hero_image")
        return field.attr_class(Article(), field, value or None)
    return value


# Staging ---------------------------------------------------------------------------------


def _locked(article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _bump_version(article_id: int) -> int:
    """The edit token moves on: open forms of the article are stale now.  The row's content
    is untouched (its stored page frame ignores ``version``, migration 0010)."""
    Article.objects.filter(pk=article_id).update(version=F("version") + 1)
    return Article.objects.filter(pk=article_id).values_list("version", flat=True).get()


def _shown_media(article, values: dict) -> list[str]:
    answers = [row["answer"] for row in values["faq"]]
    return sorted(media_in(values["body"], answers, values["hero_image"]))


def save_changes(
    article,
    values: dict,
    *,
    by,
    expected_version: int | None = None,
    autosave: bool = False,
    submit: bool = False,
    action: str = ArticleEvent.Action.CHANGES_SAVED,
    detail: str = "",
) -> StagedEdit | None:
    """Stage ``values`` (some or all of FIELDS and PARTS, kept the staged way) for the article.

    Changes already staged for fields not in ``values`` stay; a value equal to the row's is
    no change, so undoing every change leaves nothing staged (None is returned).
    ``expected_version``: the article's version the person's copy was loaded at; another
    save since is refused (ChangedMeanwhile), nothing is written.  ``submit`` hands the
    changes to the editors for review (the rulebook's "submit_changes").  ``action`` and
    ``detail``: the audit line of a save that is not an autosave (a restore says so).
    """
    with transaction.atomic():
        stored = _locked(article)
        if expected_version is not None and expected_version != stored.version:
            raise ChangedMeanwhile(
                "Someone else saved this article while you were editing it. Reload it to "
                "see their changes, then make yours again."
            )
        services.refuse(refusals(by, stored, "edit", judge_content=False))
        if submit:
            services.refuse(refusals(by, stored, "submit_changes", judge_content=False))
        staged = _staged_locked(stored)
        row = row_values(stored)
        changes = _merged(row, staged, values)
        if not changes:
            if submit:
                raise services.WorkflowError("There are no changes to submit for review.")
            if staged is not None:
                staged.delete()
                _bump_version(stored.pk)
            return None
        if autosave and staged is not None and changes == staged.changes:
            return staged  # nothing new: open forms stay current
        now = timezone.now()
        created = staged is None
        if created:
            staged = StagedEdit(article=stored, created_by=_person(by))
        staged.changes = changes
        staged.media = _shown_media(stored, {**row, **changes})
        staged.based_on_version = stored.version
        staged.saved_by, staged.saved_at, staged.autosaved = _person(by), now, autosave
        if submit:
            staged.submitted_by, staged.submitted_at = _person(by), now
        staged.save()
        _bump_version(stored.pk)
        if submit:
            audit.record(stored, by=by, action=ArticleEvent.Action.CHANGES_SUBMITTED)
        elif autosave and created:
            audit.record(
                stored, by=by, action=ArticleEvent.Action.CHANGES_SAVED, detail="Autosaved"
            )
        elif not autosave:
            audit.record(stored, by=by, action=action, detail=detail)
    return staged


def _staged_locked(article) -> StagedEdit | None:
    return StagedEdit.objects.select_for_update().filter(article=article).first()


def _merged(row: dict, staged: StagedEdit | None, values: dict) -> dict:
    """The staged changes with ``values`` on top, less whatever equals the row's value."""
    changes = {**(staged.changes if staged else {}), **values}
    return {
        name: value
        for name, value in changes.items()
        if name in row and differs(name, row[name], value)
    }


class NothingToPublish(services.WorkflowError):
    pass


def submit_changes(article, *, by) -> StagedEdit:
    """Hand the changes already staged to the editors for review; the article stays as it is."""
    return save_changes(article, {}, by=by, submit=True)


def _person(user):
    return user if user is not None and user.is_authenticated else None


# Writing the changes into the rows -------------------------------------------------------


def _exists(name: str, value) -> bool:
    """A staged author or section may have been deleted since; then the row's stays."""
    return value is None or RELATED[name].objects.filter(pk=value).exists()


def _apply(article: Article, changes: dict, published: list | None = None) -> Callable[[], None]:
    """Put the changed fields on ``article`` (in memory); return what writes its tags and
    parts, as revisions.restore_revision does.  ``published`` receives the corrections that
    go live with the write."""
    for name in FIELDS:
        if name not in changes or name == "tags":
            continue
        value = changes[name]
        if name in RELATED:
            if _exists(name, value):
                setattr(article, f"{name}_id", value)
        elif name == "hero_image":
            article.hero_image = value  # its width and height are read from the file
        else:
            setattr(article, name, decode(name, value))

    def write_children():
        if "tags" in changes:
            article.tags.set(Tag.objects.filter(pk__in=changes["tags"]))
        for key, (model, names) in PARTS.items():
            if key not in changes:
                continue
            if model is Correction:
                went_live = corrections.write(article, changes[key])
                if published is not None:
                    published.extend(went_live)
                continue
            model.objects.filter(article=article).delete()
            for position, row in enumerate(changes[key]):
                model.objects.create(
                    article=article, position=position, **{n: row.get(n, "") for n in names}
                )

    return write_children


def _slug_taken(article, changes) -> bool:
    slug = changes.get("slug")
    return bool(slug) and Article.objects.filter(slug=slug).exclude(pk=article.pk).exists()


def publish_changes(article, *, by, values: dict | None = None) -> Article:
    """Write the staged changes into the article's row, as an edit, and forget them;
    returns the article as saved.

    ``values``: changes from the form, put on top of those staged and published with them
    at once (the admin's "Publish changes": one step, one new version).  Editors only (the
    rulebook's "publish_changes").  A live article's new content is held to the pre-publish
    checklist; a refusal writes nothing, keeps what was staged and lists what is missing.
    """
    with transaction.atomic():
        current = _locked(article)
        services.refuse(refusals(by, current, "publish_changes", judge_content=False))
        staged = _staged_locked(current)
        changes = _merged(row_values(current), staged, values or {})
        if not changes:
            raise NothingToPublish("There are no unpublished changes to publish.")
        if _slug_taken(current, changes):
            raise services.WorkflowError(
                f"Another article now uses the address “{changes['slug']}”: choose "
                "another slug, then publish the changes."
            )
        old_slug = current.slug
        published_corrections = []
        write_children = _apply(current, changes, published_corrections)
        if values is None:
            when = timezone.localtime(staged.saved_at)
            detail = f"Changes saved {when:%Y-%m-%d %H:%M} by {staged.saved_by or 'someone'}"
        else:
            detail = "Published from the article form"
        try:
            services.save_edit(
                current,
                by=by,
                step="publish_changes",
                write_children=write_children,
                old_slug=old_slug,
                comment="Published changes",
                detail=detail,
            )
        except services.WorkflowError as refusal:
            raise services.WorkflowError(
                ["These changes cannot be published yet:", *refusal.problems]
            ) from refusal
        corrections.record_published(current, published_corrections, by=by)
        StagedEdit.objects.filter(article=current).delete()
    # The row as saved (not ``article`` refreshed: that would open the hero image's file
    # again to measure it, and fail if the file went missing from the media volume).
    return current


def discard_changes(article, *, by) -> None:
    """Forget the staged changes; the article stays exactly as it is."""
    with transaction.atomic():
        current = _locked(article)
        services.refuse(refusals(by, current, "discard_changes", judge_content=False))
        deleted, _ = StagedEdit.objects.filter(article=current).delete()
        if not deleted:
            raise services.WorkflowError("There are no unpublished changes to discard.")
        _bump_version(current.pk)
        audit.record(current, by=by, action=ArticleEvent.Action.CHANGES_DISCARDED)


def forget_changes(article) -> None:
    """The changes went into the row with a save that took a step (unpublish, schedule...)
    or of an unpublished article: nothing is left staged.  Called inside that save."""
    StagedEdit.objects.filter(article_id=article.pk).delete()


@contextlib.contextmanager
def rehearsed(article_id: int) -> Iterator[StagedEdit | None]:
    """Inside: the article's rows hold its staged changes as publishing them would write
    them, for this connection only; afterwards nothing of it is kept.

    The writes happen in a transaction that is always rolled back, so other connections
    (readers) never see them.  Nothing in it reaches outside the database: the page cache's
    generation is left alone (page_generation.rehearsal), and what runs after a commit
    (renditions, the stored page) never runs.  Yields the staged edit, or None (no changes:
    nothing is written).
    """
    staged = StagedEdit.objects.filter(article_id=article_id).first()
    if staged is None:
        yield None
        return
    with transaction.atomic():
        with page_generation.rehearsal():
            current = Article.objects.select_for_update().get(pk=article_id)
            changes = dict(staged.changes)
            if _slug_taken(current, changes):
                changes.pop("slug")  # publishing would be refused; the preview shows the rest
            was_live = current.is_published
            write_children = _apply(current, changes)
            if was_live and current.is_published:
                current.public_updated_at = timezone.now()  # as save_edit stamps it
            current.save()
            write_children()
            yield staged
        transaction.set_rollback(True)


def person_name(user) -> str:
    """How the newsroom names a colleague in notices."""
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def apply_fields(article, staged: StagedEdit | None, names) -> None:
    """Put staged changes of fields ``names`` on ``article`` (in memory): the fields a save
    of an unstaged article does not post (a writer's form has no publication time), so
    an editor's staged change to them is not lost when the changes go into the row."""
    if staged is not None:
        _apply(article, {name: v for name, v in staged.changes.items() if name in names})
