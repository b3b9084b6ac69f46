"""Word-level differences between two texts made of blocks (paragraphs, bullets, lines).

difflib first pairs the blocks, so unchanged paragraphs can be folded away; the blocks that
changed are then compared word by word, with each side keeping its own paragraphs.  The
result is plain data (no HTML): the template marks ``ins``/``del`` and escapes the text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# A web address or a path is one word: a changed link shows as one changed address, not as
# a scatter of changed letters and slashes.  Words keep their inner apostrophes, hyphens and
# decimal points ("don't", "e-mail", "3.5"); every other mark is a word of its own.
_TOKEN = re.compile(
    r"(?:https?://|mailto:|/)[^\s\[\]()<>]*[^\s\[\]()<>.,;:!?'\"’”]"
    r"|\w+(?:['’.\-]\w+)*|\s+|[^\w\s]"
)
# Stands between two blocks inside a changed run: never produced by the tokenizer, since
# the blocks hold no line breaks.
_BREAK = "\n"
# A paragraph split or joined shows as this mark inside <ins>/<del>.
PILCROW = "¶"

Segment = tuple[str, str]  # (kind, text): kind is "same", "ins" or "del"
Paragraph = list[Segment]


@dataclass
class Row:
    """One row of a side-by-side comparison.

    Either a run of ``unchanged`` blocks (the same on both sides, shown folded away), or the
    blocks that changed, as ``before`` and ``after`` paragraphs with their words marked.
    """

    before: list[Paragraph]
    after: list[Paragraph]
    unchanged: list[str]
    noun: tuple[str, str] = ("line", "lines")  # what a block is called: one, several

    @property
    def unchanged_label(self) -> str:
        count = len(self.unchanged)
        return f"{count} unchanged {self.noun[count != 1]}"


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def diff_blocks(
    before: list[str], after: list[str], noun: tuple[str, str] = ("line", "lines")
) -> list[Row]:
    """The rows that turn the blocks ``before`` into ``after``."""
    rows = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.append(Row(before=[], after=[], unchanged=before[i1:i2], noun=noun))
        else:
            old, new = diff_words(before[i1:i2], after[j1:j2])
            rows.append(Row(before=old, after=new, unchanged=[], noun=noun))
    return rows


def diff_words(before: list[str], after: list[str]) -> tuple[list[Paragraph], list[Paragraph]]:
    """The two sides of a changed run of blocks, word by word."""
    old, new = _joined(before), _joined(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in _fold_spaces(matcher.get_opcodes(), old):
        if tag == "equal":
            left.extend(("same", token) for token in old[i1:i2])
            right.extend(("same", token) for token in new[j1:j2])
        else:
            left.extend(("del", token) for token in old[i1:i2])
            right.extend(("ins", token) for token in new[j1:j2])
    return _paragraphs(left), _paragraphs(right)


def _joined(blocks: list[str]) -> list[str]:
    joined: list[str] = []
    for number, block in enumerate(blocks):
        if number:
            joined.append(_BREAK)
        joined.extend(tokens(block))
    return joined


def _fold_spaces(opcodes, old):
    """Join two changes separated only by a space into one, so "the quick" replaced by
    "a slow" reads as one deletion and one insertion, not four pieces around a kept space."""
    folded: list[list] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag != "equal" and folded:
            kept = folded[-1]
            # Equal runs always sit between changes (difflib never puts two side by side).
            if kept[0] == "equal" and len(folded) > 1 and _only_spaces(old[kept[1] : kept[2]]):
                folded.pop()
            if folded[-1][0] != "equal":
                folded[-1][0], folded[-1][2], folded[-1][4] = "replace", i2, j2
                continue
        folded.append([tag, i1, i2, j1, j2])
    return folded


def _only_spaces(tokens_: list[str]) -> bool:
    return all(token.isspace() and token != _BREAK for token in tokens_)


def _paragraphs(segments: list[Segment]) -> list[Paragraph]:
    """Split one side's segments back into its blocks; runs of one kind become one segment."""
    paragraphs: list[Paragraph] = [[]]
    for kind, token in segments:
        if token == _BREAK:
            if kind != "same":
                _append(paragraphs[-1], kind, PILCROW)
            paragraphs.append([])
        else:
            _append(paragraphs[-1], kind, token)
    return [_trimmed(paragraph) for paragraph in paragraphs if paragraph]


def _append(paragraph: Paragraph, kind: str, text: str) -> None:
    if paragraph and paragraph[-1][0] == kind:
        paragraph[-1] = (kind, paragraph[-1][1] + text)
    else:
        paragraph.append((kind, text))


def _trimmed(paragraph: Paragraph) -> Paragraph:
    """A marked run keeps no space at its ends: the space goes outside the mark."""
    result: Paragraph = []
    for kind, text in paragraph:
        if kind == "same":
            _append(result, kind, text)
            continue
        core = text.strip()
        if not core:
            _append(result, "same", text)
            continue
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
        for piece_kind, piece in (("same", lead), (kind, core), ("same", trail)):
            if piece:
                _append(result, piece_kind, piece)
    return result
