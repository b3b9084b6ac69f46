"""Side-by-side comparison of two article revisions, field by field, with difflib: the
TL;DR, FAQ and sources included, each changed line marked."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from articles.models import FaqEntry, Section, Source, Tag, TldrBullet
from articles.workflow.revisions import children
from authors.models import Author


@dataclass
class FieldDiff:
    label: str
    lines: list[tuple[str, str]]  # (kind, text); kind is "same", "added" or "removed"


def _name(model, pk):
    if pk in (None, ""):
        return ""
    found = model.objects.filter(pk=pk).first()
    return str(found) if found else f"(deleted #{pk})"


def snapshot(version) -> dict[str, str]:
    """The revision as labelled text blocks, in the order the admin form shows them."""
    data = version.field_dict
    revision = version.revision
    article_id = version.object_id
    tag_names = sorted(_name(Tag, pk) for pk in data.get("tags", []))
    return {
        "Headline": data.get("title", ""),
        "Slug": data.get("slug", ""),
        "Standfirst": data.get("standfirst", ""),
        "Author": _name(Author, data.get("author_id")),
        "Section": _name(Section, data.get("section_id")),
        "Tags": ", ".join(tag_names),
        "Hero image": str(data.get("hero_image") or ""),
        "Hero alt text": data.get("hero_alt", ""),
        "Hero credit": data.get("hero_credit", ""),
        "Body": _html_lines(data.get("body", "")),
        "TL;DR": "\n".join(b.text for b in children(revision, TldrBullet, article_id)),
        "FAQ": "\n".join(
            f"Q: {entry.question}\nA: {_html_lines(entry.answer)}"
            for entry in children(revision, FaqEntry, article_id)
        ),
        "Sources": "\n".join(
            f"{source.name} — {source.url}" + (f" ({source.note})" if source.note else "")
            for source in children(revision, Source, article_id)
        ),
        "Meta description": data.get("meta_description", ""),
        "Status": str(data.get("status", "")),
        "Publication time": str(data.get("published_at") or ""),
        "Expiry": str(data.get("expires_at") or ""),
    }


def _html_lines(html: str) -> str:
    """One block element per line, so a changed paragraph shows as one changed line."""
    text = html or ""
    for closing in ("</p>", "</h2>", "</h3>", "</li>", "</blockquote>", "<br>", "<br/>"):
        text = text.replace(closing, closing + "\n")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def compare_versions(older, newer) -> list[FieldDiff]:
    """The fields that differ between two versions, each as a line-by-line diff."""
    before, after = snapshot(older), snapshot(newer)
    diffs = []
    for label in before:
        if before[label] == after[label]:
            continue
        lines = []
        for line in difflib.ndiff(before[label].splitlines(), after[label].splitlines()):
            marker, text = line[:2], line[2:]
            if marker == "  ":
                lines.append(("same", text))
            elif marker == "- ":
                lines.append(("removed", text))
            elif marker == "+ ":
                lines.append(("added", text))
        diffs.append(FieldDiff(label=label, lines=lines))
    return diffs
