"""Read an article's history page as an editor sees it: its lines, and the comparison of two
versions field by field (articles/admin/pages.py, includes/version_diff.html)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.helpers.html import parse_html


def history_url(article, **query) -> str:
    url = f"/admin/articles/article/{article.pk}/history/"
    if query:
        url += "?" + "&".join(f"{name}={value}" for name, value in query.items())
    return url


def _text(node) -> str:
    return " ".join(node.get_text().split()) if node is not None else ""


def history_lines(html) -> list[dict[str, str]]:
    """The history's lines, newest first: when, who, what (and its detail) and the version
    (blank for an event that left none)."""
    soup = parse_html(html)
    return [
        {
            "when": _text(row.select_one(".history-when")),
            "who": _text(row.select_one(".history-who")),
            "what": _text(row.select_one(".history-what-done")),
            "detail": _text(row.select_one(".history-detail")),
            "version": _text(row.select_one(".history-number")),
        }
        for row in soup.select(".history-table tbody tr")
    ]


@dataclass
class ShownField:
    """One field of the comparison: the whole text of each side, and the marked words."""

    before: str = ""
    after: str = ""
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def compared_fields(html, root: str = "#comparison") -> dict[str, ShownField]:
    """Each field the comparison lists, by its heading."""
    soup = parse_html(html)
    container = soup.select_one(root)
    assert container is not None, f"no comparison ({root}) on the page"
    fields = {}
    for section in container.select(".diff-field"):
        shown = ShownField()
        for side, attribute in ((".diff-before", "before"), (".diff-after", "after")):
            texts = [
                _text(paragraph)
                for cell in section.select(side)
                for paragraph in cell.select("p:not(.diff-nothing)")
            ]
            setattr(shown, attribute, "\n".join(texts))
        shown.removed = [_text(mark) for mark in section.select("del")]
        shown.added = [_text(mark) for mark in section.select("ins")]
        shown.unchanged = [_text(summary) for summary in section.select(".diff-unchanged summary")]
        fields[_text(section.select_one("h3"))] = shown
    return fields
