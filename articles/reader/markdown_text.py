"""Markdown from the site's text: cleaned rich text (markdownify) and plain fields.

The Markdown versions of articles (articles/reader/answer_ready.py) are read by people,
answer engines and other programs that may render them, so no text of ours may turn into
markup there: characters Markdown would read as emphasis, code, links or raw HTML are
escaped with a backslash, and the rich text is cleaned with the page's own nh3 allowlist
before it is converted, so only the markup the page shows (paragraphs, h2/h3, bold/italic,
lists, quotes, links, images, figures) reaches the converter.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdownify import ATX, BACKSLASH, MarkdownConverter

from smartchunks.media.citation_markers import replace_markers
from smartchunks.media.richtext import clean_html

# Emphasis, code, link brackets, raw HTML, and the backslash itself (first, so the escapes
# added here are not escaped again).
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<])")
# At the start of a block these would make a heading, quote, list item or rule of the text.
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=]|\d+(?=[.)]))")
_WHITESPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
_URL_NEEDS_BRACKETS = re.compile(r"[\s()<>]")


def escape_inline(text: str) -> str:
    """``text`` as Markdown that shows exactly these characters, within a line."""
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def plain(text: str | None) -> str:
    """A plain-text field (headline, standfirst, bullet, question, source name) as one line
    of Markdown that reads as text wherever it stands."""
    line = escape_inline(_WHITESPACE.sub(" ", text or "").strip())
    match = _BLOCK_START.match(line)
    if match and match.group(2).isdigit():
        return line[: match.end()] + "\\" + line[match.end() :]  # "1. …" is not a list
    return _BLOCK_START.sub(r"\1\\\2", line, count=1)


def link_destination(url: str) -> str:
    """A URL as a link destination: in angle brackets when it holds spaces or parentheses."""
    if _URL_NEEDS_BRACKETS.search(url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


class _RichTextConverter(MarkdownConverter):
    """markdownify with ATX headings, "-" bullets, absolute links and images, and every
    character that could become markup escaped (not only markdownify's ``*`` and ``_``)."""

    def __init__(self, absolute: Callable[[str], str]):
        super().__init__(
            heading_style=ATX,
            bullets="-",
            newline_style=BACKSLASH,
            autolinks=False,  # [text](url) always, never <url>: no angle brackets at all
            escape_asterisks=False,  # escape() below does these and more
            escape_underscores=False,
        )
        self.absolute = absolute

    def escape(self, text, parent_tags):
        return escape_inline(super().escape(text, parent_tags))

    def convert_a(self, el, text, parent_tags):
        if el.get("href"):
            el["href"] = link_destination(self.absolute(el["href"]))
        if el.get("title"):
            el["title"] = el["title"].replace("\\", "\\\\")
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):
        src = el.get("src")
        if not src:
            return ""
        alt = escape_inline(_WHITESPACE.sub(" ", el.get("alt") or "").strip())
        title = el.get("title")
        title_part = (
            ' "{}"'.format(title.replace("\\", "\\\\").replace('"', '\\"')) if title else ""
        )
        return f"![{alt}]({link_destination(self.absolute(src))}{title_part})"


def rich_text(html: str | None, *, absolute: Callable[[str], str]) -> str:
    """Rich text (cleaned again here, as the page does) as Markdown blocks, with its links and
    images made absolute by ``absolute`` (a request's ``build_absolute_uri``)."""
    cleaned = clean_html(html)
    if not cleaned:
        return ""
    # A citation marker reads "[2]": the second of the numbered Sources at the end.
    cited = replace_markers(cleaned, lambda number: f"[{number}]")
    markdown = _RichTextConverter(absolute).convert(cited)
    return _BLANK_LINES.sub("\n\n", markdown).strip()
