"""The newsroom admin: articles (with their workflow screens), sections, tags, the audit trail."""

from articles.admin import articles, audit, taxonomy  # noqa: F401  (they register the admins)
