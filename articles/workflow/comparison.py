"""What changed between two revisions of an article, field by field and word by word.

Each revision is first turned into what an editor reads: plain text blocks per field (the
body's paragraphs, one line per TL;DR bullet, FAQ entry and source), names instead of ids,
times in local time to the second.  Only then are the two compared, so a difference is one a
person could see.  Two false differences came from comparing raw stored values:

- Times.  The publish step stores ``timezone.now()`` with microseconds, the revision keeps
  them to the millisecond (Django's JSON encoder), and the admin's time input holds whole
  seconds, so the next save from the form writes the same minute and second without the
  fraction.  Compared as ``str(datetime)`` that read as a new publication time.  Times are
  compared at the precision the form shows and sets: whole seconds.
- Rich text.  The body is compared as its words, paragraph by paragraph, never as HTML, so
  how the editor happened to space or wrap the markup is not a change.  Links and images
  stay visible as "[link: address]" and "[image: file, alt “text”]" in the text.

The word-level work is articles/workflow/word_diff.py; the page is the article's history
(articles/admin/pages.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from articles.models import Article, Correction, FaqEntry, Section, Source, Tag, TldrBullet
from articles.workflow.revisions import children
from articles.workflow.word_diff import Row, diff_blocks
from authors.models import Author

# Elements that start a new block of text; everything else flows inside one.
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "pre",
        "table",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "hr",
    ]
)
# Characters editors cannot see: CKEditor's filler and byte-order marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_PARAGRAPHS = ("paragraph", "paragraphs")
_LINES = ("line", "lines")


@dataclass(frozen=True)
class Shown:
    """One field as the comparison shows it: its label, what a block of it is called, and
    whether restoring a revision brings it back (revisions.RESTORED_FIELDS and the parts)."""

    label: str
    noun: tuple[str, str] = _LINES
    restored: bool = True


FIELDS = [
    Shown("Headline"),
    Shown("Web address (slug)", restored=False),
    Shown("Standfirst"),
    Shown("Author"),
    Shown("Section"),
    Shown("Tags"),
    Shown("Hero image"),
    Shown("Hero alt text"),
    Shown("Hero caption / credit"),
    Shown("Body", noun=_PARAGRAPHS),
    Shown("TL;DR", noun=("bullet", "bullets")),
    Shown("FAQ"),
    Shown("Sources", noun=("source", "sources")),
    # Not brought back by a restore: a public correction stays (articles/workflow/revisions.py).
    Shown("Corrections", noun=("correction", "corrections"), restored=False),
    Shown("Meta description"),
    Shown("Status", restored=False),
    Shown("Publication time", restored=False),
    Shown("Expiry", restored=False),
]


@dataclass
class FieldDiff:
    label: str
    rows: list[Row] = field(default_factory=list)


def text_blocks(html: str | None) -> list[str]:
    """Rich text as an editor reads it: one string per paragraph, heading or list item, its
    whitespace collapsed; links and images described in words."""
    blocks: list[str] = []
    current: list[str] = []

    def flush():
        text = " ".join(unicodedata.normalize("NFC", "".join(current)).split())
        if text:
            blocks.append(text)
        current.clear()

    def walk(node):
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                current.append(str(child).translate(_INVISIBLE))
            elif child.name == "br":
                flush()
            elif child.name == "img":
                current.append(f" {_image_words(child)} ")
            elif child.name in _BLOCK_TAGS:
                flush()
                if child.name == "li":
                    current.append("• ")
                walk(child)
                flush()
            else:
                walk(child)
                if child.name == "a":
                    current.append(_link_words(child))

    walk(BeautifulSoup(html or "", "html.parser"))
    flush()
    return blocks


def _link_words(link) -> str:
    address = (link.get("href") or "").strip()
    text = " ".join(link.get_text(" ").split())
    return f" [link: {address}]" if address and text != address else ""


def _image_words(image) -> str:
    alt = " ".join((image.get("alt") or "").split())
    return f"[image: {(image.get('src') or '').strip()}, alt “{alt}”]"


def _line(value) -> list[str]:
    text = " ".join(str(value or "").split())
    return [text] if text else []


def _moment(value) -> list[str]:
    """A stored time at the precision the admin's form shows and sets: local, whole seconds."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return []
    local = timezone.localtime(value).replace(microsecond=0)
    return [date_format(local, "j F Y, H:i:s T")]


def _names(model, pks) -> dict[str, str]:
    """Names for ids a revision holds; a row deleted since is named by its old id."""
    wanted = {str(pk) for pk in pks if pk not in (None, "")}
    found = {str(row.pk): str(row) for row in model.objects.filter(pk__in=wanted)}
    return {pk: found.get(pk, f"(deleted, id {pk})") for pk in wanted}


def _name(model, pk) -> list[str]:
    return [_names(model, [pk])[str(pk)]] if pk not in (None, "") else []


def snapshot(version) -> dict[str, list[str]]:
    """The revision as blocks of text per field label, in the order the admin form shows."""
    data = version.field_dict
    revision, article_id = version.revision, version.object_id
    tags = sorted(_names(Tag, data.get("tags", [])).values(), key=str.casefold)
    faq = []
    for entry in children(revision, FaqEntry, article_id):
        answer = text_blocks(entry.answer)
        faq += [f"Q: {' '.join(entry.question.split())}", *(f"A: {line}" for line in answer[:1])]
        faq += answer[1:]
    status = data.get("status", "")
    return {
        "Headline": _line(data.get("title")),
        "Web address (slug)": _line(data.get("slug")),
        "Standfirst": _line(data.get("standfirst")),
        "Author": _name(Author, data.get("author_id")),
        "Section": _name(Section, data.get("section_id")),
        "Tags": [", ".join(tags)] if tags else [],
        "Hero image": _line(data.get("hero_image")),
        "Hero alt text": _line(data.get("hero_alt")),
        "Hero caption / credit": _line(data.get("hero_credit")),
        "Body": text_blocks(data.get("body")),
        "TL;DR": [line for b in children(revision, TldrBullet, article_id) for line in _line(b)],
        "FAQ": faq,
        "Sources": [
            " — ".join(part for part in (source.name, source.url, source.note) if part)
            for source in children(revision, Source, article_id)
        ],
        "Corrections": [
            line for c in children(revision, Correction, article_id) for line in _line(c.text)
        ],
        "Meta description": _line(data.get("meta_description")),
        "Status": _line(dict(Article.Status.choices).get(status, status)),
        "Publication time": _moment(data.get("published_at")),
        "Expiry": _moment(data.get("expires_at")),
    }


def compare_versions(older, newer, *, restored_only: bool = False) -> list[FieldDiff]:
    """The fields that differ between two versions, each as rows of marked words.

    ``restored_only``: only what restoring ``newer`` over ``older`` would change.
    """
    before, after = snapshot(older), snapshot(newer)
    return [
        FieldDiff(shown.label, diff_blocks(before[shown.label], after[shown.label], shown.noun))
        for shown in FIELDS
        if (shown.restored or not restored_only) and before[shown.label] != after[shown.label]
    ]
