"""What text cleaning would take away: the words an editor wrote that the cleaned HTML lacks.

Removing markup (a ``<span style>``, an ``onclick``) is the cleaner's job.  Removing text is
not: an unclosed ``<title>``, ``<textarea>``, ``<script>``, ``<style>``, ``<xmp>`` or
``<!--`` makes the HTML parser read everything after it as that element's content, which the
cleaner then drops or turns into literal tags, and an article would be saved cut short.

"Before" is read lexically: every tag is a tag, whatever it opens, so a tag that never closes
hides nothing.  Only code and comments that do close (``<script>…</script>``,
``<style>``, ``<template>``, ``<!-- … -->``) count as no text.  Both sides are compared as
words, after entities are decoded and whitespace is normalised.
"""

import re
from html.parser import HTMLParser

_NOT_TEXT = re.compile(
    r"""
      <!--(?:>|->|.*?--!?>)                              # a closed comment (<!--> closes at once)
    | <!--                                               # an unclosed one hides nothing
    | <(script|style|template)\b[^>]*>.*?</\1\s*>        # closed code: never shown as text
    | <[!?][^>]*>                                        # doctype, CDATA, processing instructions
    | <[a-zA-Z/][^>]*\Z                                  # a tag cut off at the very end
    """,
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)


class _Words(HTMLParser):
    # No element's content is special: an unclosed <script> or <title> hides nothing here.
    CDATA_CONTENT_ELEMENTS = ()
    RCDATA_CONTENT_ELEMENTS = ()

    def __init__(self, word_breaks: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.word_breaks = word_breaks
        self.pieces: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._tag(tag)

    def handle_endtag(self, tag):
        self._tag(tag)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag)

    def _tag(self, tag):
        # A kept tag (<p>, <br>, <li>) separates words on both sides; a removed one (<span>)
        # is gone after cleaning, so it must not separate them before either.
        if tag in self.word_breaks:
            self.pieces.append(" ")

    def handle_data(self, data):
        self.pieces.append(data)


def visible_words(html: str, word_breaks: frozenset[str]) -> list[str]:
    reader = _Words(word_breaks)
    reader.feed(_NOT_TEXT.sub("", html))
    reader.close()
    return "".join(reader.pieces).split()


def lost_passage(before_html: str, after_html: str, word_breaks: frozenset[str]) -> str:
    """The editor's words from the first that ``after_html`` drops or changes to the last.

    Empty when nothing is lost (added words, such as a stray "<" kept as text, lose nothing).
    The whole span between the common beginning and the common end, not a word-by-word
    diff: when the cleaner turns the rest into literal tags ("<p>After…</p>" as text), most
    words survive in name, yet the passage is gone.  And it takes linear time: a diff of a
    long body whose every paragraph changed took minutes.
    """
    before = visible_words(before_html, word_breaks)
    after = visible_words(after_html, word_breaks)
    shorter = min(len(before), len(after))
    same_start = 0
    while same_start < shorter and before[same_start] == after[same_start]:
        same_start += 1
    same_end = 0
    while (
        same_end < shorter - same_start
        and before[len(before) - 1 - same_end] == after[len(after) - 1 - same_end]
    ):
        same_end += 1
    return " ".join(before[same_start : len(before) - same_end])
