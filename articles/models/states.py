"""The workflow's vocabulary: the states an article can be in, and the actions the audit
trail records.  A new workflow state is a choice here plus its steps in the rulebook
(articles/workflow/transitions.py), and the migration ``makemigrations`` writes for it."""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


# Where a writer may still edit (and delete) their own article; editors edit in every state.
WRITER_EDITABLE = frozenset({Status.DRAFT, Status.IN_REVIEW})
# Where an edit from the admin is staged (articles/workflow/staging.py): live, scheduled or
# expired, the article's row is what readers get (or will get), so a change waits beside it
# until an editor publishes it.  Writers may stage changes to their own articles here.
STAGED = frozenset({Status.PUBLISHED})


class Action(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    SCHEDULED = "scheduled", "Scheduled"
    UNPUBLISHED = "unpublished", "Unpublished"
    RESTORED = "restored", "Restored a revision"
    SHARED = "shared", "Created a share link"
    SHARE_REVOKED = "share_revoked", "Revoked a share link"
    DELETED = "deleted", "Deleted"
    CHANGES_SAVED = "changes_saved", "Saved unpublished changes"
    CHANGES_SUBMITTED = "changes_submitted", "Submitted changes for review"
    CHANGES_PUBLISHED = "changes_published", "Published changes"
    CHANGES_DISCARDED = "changes_discarded", "Discarded unpublished changes"
    CORRECTION_PUBLISHED = "correction_published", "Published a correction"
