"""Fill in the admin's forms: the article change page, and inline rows by their real prefix."""

from __future__ import annotations

import re

from tests.helpers.html import rendered_form_data


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def change_form(client, article, **changes) -> dict:
    """The article's change form as the admin rendered it, with ``changes`` applied."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    data = rendered_form_data(response.content)
    data.update(changes)
    return data


def inline_prefix(data: dict[str, object], field: str) -> str:
    """The formset prefix whose forms carry ``field`` (e.g. "tldr_bullets" for "text").

    Found from the rendered names ``<prefix>-<n>-<field>``, so the test never guesses how the
    admin prefixes an inline.
    """
    prefixes = {
        match.group(1)
        for name in data
        if (match := re.fullmatch(rf"(.+)-\d+-{re.escape(field)}", name))
    }
    assert len(prefixes) == 1, f"expected one inline with a {field!r} field, found {prefixes}"
    return prefixes.pop()


def fill_inline(data: dict[str, object], prefix: str, rows: list[dict[str, object]]) -> None:
    """Put ``rows`` into the inline ``prefix`` and set its TOTAL_FORMS to match."""
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(max(total, len(rows)))
