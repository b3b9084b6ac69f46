"""The newsroom admin: articles (with their workflow screens), sections, tags, the audit trail."""

from articles.admin import articles  # noqa: F401  (registers the ModelAdmins)
