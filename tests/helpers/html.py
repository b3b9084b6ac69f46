"""Read pages the way the tests need them: one place that parses HTML (and our XML).

Readers' view: visible text in order, images as their alt text.  Machines' view: JSON-LD
blocks, meta tags, feeds and sitemaps.  The admin's view: the form a browser would submit,
its buttons and its error messages.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from bs4 import BeautifulSoup, Comment, NavigableString, SoupStrainer

INVISIBLE = {"script", "style", "template", "head", "noscript"}


def parse_html(html: str | bytes) -> BeautifulSoup:
    """The one HTML parser the tests use."""
    return BeautifulSoup(html, "html.parser")


def soup_of(response) -> BeautifulSoup:
    """A test client response's page, parsed."""
    return parse_html(response.content.decode())


def parse_xml(response) -> ElementTree.Element:
    # Our own responses, parsed in tests: no untrusted XML.
    return ElementTree.fromstring(response.content)  # noqa: S314


# --- What a reader sees ------------------------------------------------------------------


def reading_order(html: str | bytes, root: str = "main") -> str:
    """The visible text of ``root`` in document order; each <img> appears as "[img: alt]"."""
    soup = parse_html(html)
    container = soup.select_one(root) or soup
    tokens = []
    for node in container.descendants:
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if not any(parent.name in INVISIBLE for parent in node.parents):
                tokens.append(str(node))
        elif node.name == "img":
            tokens.append(f" [img: {node.get('alt', '')}] ")
    return " ".join("".join(tokens).split())


def assert_in_order(text: str, *parts: str) -> None:
    """Each part appears in ``text``, after the one before it."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        assert found != -1, f"{part!r} not found after position {position} in: {text}"
        position = found + len(part)


# --- What a page says to machines --------------------------------------------------------


def jsonld_blocks(response) -> list[dict]:
    soup = soup_of(response)
    return [
        json.loads(script.string)
        for script in soup.find_all("script", attrs={"type": "application/ld+json"})
    ]


def jsonld_of_type(response, schema_type: str) -> dict:
    matches = [block for block in jsonld_blocks(response) if block.get("@type") == schema_type]
    assert len(matches) == 1, f"expected one {schema_type}, found {len(matches)}"
    return matches[0]


def meta_content(soup, **attrs) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return tag["content"] if tag else None


# --- The admin's forms -------------------------------------------------------------------
# Reading field names, inline prefixes and management-form counts from the GET response keeps
# the tests honest about the real admin: if a field or inline is renamed, the tests follow it
# instead of posting to names that no longer exist.


def _forms_of(html: str | bytes) -> BeautifulSoup:
    # Only the <form> elements: an admin change page is large and tests read many of them.
    return BeautifulSoup(html, "html.parser", parse_only=SoupStrainer("form"))


def rendered_form_data(html: str | bytes) -> dict[str, object]:
    """The values a browser would submit from the admin change form, untouched.

    Empty inline templates (``__prefix__``) and submit buttons are left out, as a browser
    would leave them out.
    """
    soup = _forms_of(html)
    form = soup.find("form", id=re.compile(r"_form$")) or soup.find("form", method="post")
    assert form is not None, "no admin form on the page"
    data: dict[str, object] = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or "__prefix__" in name or field.has_attr("disabled"):
            continue
        if field.name == "textarea":
            # Browsers drop the newline right after <textarea> (Django writes one there).
            data[name] = field.text.removeprefix("\r").removeprefix("\n")
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


def error_texts(html: str | bytes) -> list[str]:
    """Every error message the admin shows on a form page (field, inline and form-wide)."""
    soup = parse_html(html)
    return [
        " ".join(item.get_text(" ").split()) for item in soup.select(".errorlist li, .errornote")
    ]


def field_errors(html: str | bytes, field: str) -> list[str]:
    """Error messages the admin shows next to one field (or inline column) named ``field``."""
    soup = parse_html(html)
    return [
        " ".join(item.get_text(" ").split())
        for item in soup.select(f".field-{field} .errorlist li, td.field-{field} .errorlist li")
    ]


def submit_buttons(html: str | bytes) -> dict[str, str]:
    """The named submit buttons the admin offers on this page (e.g. "_publish")."""
    soup = _forms_of(html)
    buttons = soup.select('input[type="submit"][name], button[type="submit"][name]')
    return {button["name"]: button.get("value", "") for button in buttons}
