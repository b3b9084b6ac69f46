"""Article revisions: the list, the parts one holds, and restoring one.

django-reversion stores each revision (articles/workflow/audit.py adds them); an earlier one
comes back through the workflow's save_edit, as any edit does, or, for a published article,
into its unpublished changes (articles/workflow/staging.py): old text is a change like any
other, and readers see it only once an editor publishes it.  Comparing two is
articles/workflow/comparison.py.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, ArticleEvent, FaqEntry, Section, Source, Tag, TldrBullet
from articles.workflow import audit, services, staging, transitions
from authors.models import Author

# What a restore brings back; the workflow fields and the URL stay as they are now, so
# restoring old text never publishes, unpublishes or moves an article.
RESTORED_FIELDS = [
    "title",
    "standfirst",
    "body",
    "author_id",
    "section_id",
    "hero_image",
    "hero_width",
    "hero_height",
    "hero_alt",
    "hero_credit",
    "meta_description",
]
# Corrections are not among them: a correction, once public, stays whatever text comes back.
CHILD_MODELS = [TldrBullet, FaqEntry, Source]


def children(revision, model, article_id):
    """The TL;DR bullets, FAQ entries or sources of one article as a revision holds them."""
    rows = [version._object_version.object for version in revision.version_set.get_for_model(model)]
    rows = [row for row in rows if str(row.article_id) == str(article_id)]
    return sorted(rows, key=lambda row: (row.position, row.pk or 0))


def revisions_of(article):
    """The article's versions, newest first, each with its revision (who, when, comment)."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def _points_at_deleted_row(name: str, value) -> bool:
    """An old revision may name an author or section deleted since; keep the current one."""
    related = {"author_id": Author, "section_id": Section}.get(name)
    return (
        related is not None and value is not None and not related.objects.filter(pk=value).exists()
    )


def restore_revision(article, version: Version, *, by) -> Article:
    """Bring back the text, image and inlines of an earlier revision of this article.

    The state, publication time and slug stay as they are.  A published article gets them as
    unpublished changes (``restored_as_changes`` says so), which an editor then publishes;
    any other article gets them in its row.  Who may restore is the rulebook's "restore"
    rule, asked before anything is written.
    """
    if version.object_id != str(article.pk) or version.content_type.model_class() is not Article:
        raise services.WorkflowError("That revision belongs to another article.")
    if staging.stages(article):
        _restore_as_changes(article, version, by=by)
        return article
    data = version.field_dict
    label = _label(version)
    with transaction.atomic():
        current = Article.objects.select_for_update().get(pk=article.pk)
        for name in RESTORED_FIELDS:
            if name in data and not _points_at_deleted_row(name, data[name]):
                setattr(current, name, data[name])

        def write_children():
            current.tags.set(_tags_still_there(data))
            for model in CHILD_MODELS:
                model.objects.filter(article=current).delete()
                for child in children(version.revision, model, current.pk):
                    child.pk = None
                    child.save()

        # Not published (a published article's restore is staged above), so no checklist
        # stands between the revision and the row.
        services.save_edit(
            current,
            by=by,
            step="restore",
            write_children=write_children,
            comment=f"Restored the revision of {label}",
            detail=f"Revision of {label}",
        )
    article.refresh_from_db()
    return article


def _label(version: Version) -> str:
    """ "2026-11-30 14:05 by eddie": how the history and the audit trail name a revision."""
    when = timezone.localtime(version.revision.date_created)
    return f"{when:%Y-%m-%d %H:%M} by {version.revision.user or 'unknown'}"


def _tags_still_there(data: dict):
    """The revision's tags that still exist (one query)."""
    return Tag.objects.filter(pk__in=[int(pk) for pk in data.get("tags", [])])


def restored_as_changes(article) -> bool:
    """Whether a restore of this article waits as unpublished changes."""
    return staging.stages(article)


def _restore_as_changes(article, version: Version, *, by) -> None:
    """The revision's text, image, tags and parts, staged beside the published article."""
    services.refuse(transitions.refusals(by, article, "restore", judge_content=False))
    data = version.field_dict
    values = {}
    for name in RESTORED_FIELDS:
        field = name.removesuffix("_id")
        if field not in staging.FIELDS or name not in data:
            continue
        if _points_at_deleted_row(name, data[name]):
            continue
        if field == "hero_image" or field in staging.RICH_TEXT:
            # As stored: the file's name, and rich text cleaned when it was saved.
            values[field] = str(data[name] or "")
        else:
            values[field] = staging.encode(field, data[name])
    values["tags"] = staging.encode("tags", _tags_still_there(data))
    for key, (model, _names) in staging.PARTS.items():
        if key in staging.NOT_RESTORED:
            continue
        rows = children(version.revision, model, article.pk)
        values[key] = staging.encode_part(key, rows, stored=True)
    detail = f"Revision of {_label(version)}"
    staged = staging.save_changes(
        article,
        values,
        by=by,
        action=ArticleEvent.Action.RESTORED,
        detail=f"{detail}, as unpublished changes",
    )
    if staged is None:  # the published version is that revision: nothing waits
        audit.record(article, by=by, action=ArticleEvent.Action.RESTORED, detail=detail)
