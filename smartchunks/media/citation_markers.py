"""Citation markers in rich text: a numbered superscript that points at one of the
article's sources, by its place in the Sources list.

The one form stored (the editor's "Cite source" button inserts it,
static/editor/citations/plugin.js)::

    <sup class="cite"><a href="#source-2">2</a></sup>

Everything else about a citation (its id, the link back from the source, the number shown)
is made when the page is rendered (articles/pages/citations.py), so nothing an editor can
type decides an id on the page.  The cleaner (richtext.clean_html) keeps exactly this form:
``keep_only_markers`` unwraps every other ``<sup>``, keeping its text.

Works on nh3's output, which is serialised the same way every time (double-quoted attributes,
``<`` in text escaped), so a regular expression can read it.
"""

from __future__ import annotations

import re

MARKER_CLASS = "cite"
# nh3 adds rel to every link; a marker is an in-page link, so rel is accepted and dropped.
_MARKER = re.compile(
    r'<sup class="cite"><a href="#source-(?P<number>[1-9][0-9]{0,3})"'
    r'(?: rel="noopener noreferrer")?>(?P<text>[0-9]{1,4})</a></sup>'
)
_SUP_TAG = re.compile(r"<sup(?: [^>]*)?>|</sup>")


def marker_html(number: int) -> str:
    """The stored form of a marker pointing at source ``number`` (1 is the first)."""
    return f'<sup class="cite"><a href="#source-{number}">{number}</a></sup>'


def _valid(match: re.Match) -> bool:
    return match["text"] == match["number"]


def keep_only_markers(cleaned: str) -> str:
    """``cleaned`` (nh3's output) with each valid marker in its stored form and every other
    ``<sup>`` unwrapped: a forged or edited marker keeps its text, loses the superscript."""
    kept = []
    last = 0
    for match in _MARKER.finditer(cleaned):
        if not _valid(match):
            continue
        kept.append(_SUP_TAG.sub("", cleaned[last : match.start()]))
        kept.append(marker_html(int(match["number"])))
        last = match.end()
    kept.append(_SUP_TAG.sub("", cleaned[last:]))
    return "".join(kept)


def marker_numbers(cleaned: str) -> list[int]:
    """The source numbers of the valid markers in ``cleaned``, in the order of the text."""
    return [int(match["number"]) for match in _MARKER.finditer(cleaned) if _valid(match)]


def replace_markers(cleaned: str, replacement) -> str:
    """``cleaned`` with each valid marker replaced by ``replacement(number)``."""

    def swap(match: re.Match) -> str:
        return replacement(int(match["number"])) if _valid(match) else match[0]

    return _MARKER.sub(swap, cleaned)


_SOURCE_LINK = re.compile(r'<a href="(?P<target>#source-[^"]*)"', re.IGNORECASE)


def stray_source_links(cleaned: str) -> list[str]:
    """The targets of links to a source that are not valid markers (typed or pasted by hand:
    ``#source-01``, a "7" pointing at source 1), which would show as plain links."""
    outside_markers = replace_markers(cleaned, lambda number: "")
    return [match["target"] for match in _SOURCE_LINK.finditer(outside_markers)]
