"""The newsroom admin: articles (with their workflow screens), sections, tags, site pages,
the audit trail."""

from articles.admin import (  # noqa: F401  (they register the admins)
    articles,
    audit,
    site_pages,
    taxonomy,
)
