"""Build admin POST data from the form the admin actually rendered.

Reading field names, inline prefixes and management-form counts from the GET response keeps
these tests honest about the real admin: if a field or inline is renamed, the tests follow
it instead of posting to names that no longer exist.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup


def rendered_form_data(html: str | bytes) -> dict[str, object]:
    """The values a browser would submit from the admin change form, untouched.

    Empty inline templates (``__prefix__``) and submit buttons are left out, as a browser
    would leave them out.
    """
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id=re.compile(r"_form$")) or soup.find("form", method="post")
    assert form is not None, "no admin form on the page"
    data: dict[str, object] = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or "__prefix__" in name or field.has_attr("disabled"):
            continue
        if field.name == "textarea":
            data[name] = field.text
        elif field.name == "select":
            chosen = [
                o.get("value", o.text) for o in field.find_all("option") if o.has_attr("selected")
            ]
            if field.has_attr("multiple"):
                data[name] = chosen
            elif chosen:
                data[name] = chosen[0]
            else:
                first = field.find("option")
                data[name] = first.get("value", first.text) if first else ""
        else:
            kind = (field.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"}:
                if field.has_attr("checked"):
                    data[name] = field.get("value", "on")
                continue
            data[name] = field.get("value", "")
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


def error_texts(html: str | bytes) -> list[str]:
    """Every error message the admin shows on a form page (field, inline and form-wide)."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        " ".join(item.get_text(" ").split()) for item in soup.select(".errorlist li, .errornote")
    ]


def submit_buttons(html: str | bytes) -> dict[str, str]:
    """The named submit buttons the admin offers on this page (e.g. "_publish")."""
    soup = BeautifulSoup(html, "html.parser")
    buttons = soup.select('input[type="submit"][name], button[type="submit"][name]')
    return {button["name"]: button.get("value", "") for button in buttons}


def field_errors(html: str | bytes, field: str) -> list[str]:
    """Error messages the admin shows next to one field (or inline column) named ``field``."""
    soup = BeautifulSoup(html, "html.parser")
    return [
        " ".join(item.get_text(" ").split())
        for item in soup.select(f".field-{field} .errorlist li, td.field-{field} .errorlist li")
    ]
