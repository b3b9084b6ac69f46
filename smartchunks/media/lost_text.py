"""What text cleaning would take away: the words an editor wrote that the cleaned HTML lacks.

Removing markup (a ``<span style>``, an ``onclick``) is the cleaner's job.  Removing text is
not: an unclosed ``<title>``, ``<textarea>``, ``<script>``, ``<style>``, ``<xmp>`` or
``<!--`` makes the HTML parser read everything after it as that element's content, which the
cleaner then drops or turns into literal tags, and an article would be saved cut short.

"Before" is read lexically: every tag is a tag, whatever it opens, so a tag that never closes
hides nothing.  Only code and comments that do close (``<script>…</script>``,
``<style>``, ``<template>``, ``<!-- … -->``) count as no text; a comment or tag still open
at the end hides nothing either.  Both sides are compared as words, after entities are
decoded and whitespace is normalised.

Written as one forward scan rather than with ``html.parser``: Python 3.11's parser takes
quadratic time on some malformed input (50 kB of ``<a `` took 45 s), and this runs on every
save of every rich-text field.
"""

import re
from html import unescape

_COMMENT_END = re.compile(r"--!?>")
# "<" or "</" and an ASCII letter start a tag; anything else after "<" is text.
_TAG_START = re.compile(r"</?[A-Za-z]")
# A start or end tag up to its ">", quoted attribute values included; possessive, so a tag
# that never ends fails in one pass instead of backtracking.
_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/>]*+)(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")
# Elements whose content is code, never shown: skipped only when they are closed.
_CODE = ("script", "style", "template")
_CODE_END = {name: re.compile(rf"</{name}(?![^\s/>])[^>]*+>", re.IGNORECASE) for name in _CODE}
# In swallowed text: a tag, or one cut off at the very end (markup, not words).
_ANY_TAG = re.compile(r"<[^<>]*+(?:>|\Z)")


def _pieces(html: str, word_breaks: frozenset[str]):
    position, code_never_closes = 0, set()
    while True:
        start = html.find("<", position)
        if start < 0:
            yield unescape(html[position:])
            return
        yield unescape(html[position:start])
        if html.startswith("<!--", start):
            if html.startswith((">", "->"), start + 4):  # <!--> and <!---> close at once
                position = html.index(">", start) + 1
                continue
            end = _COMMENT_END.search(html, start + 4)
            if end is None:
                yield from _hidden_by_the_parser(html[start + 4 :])
                return
            position = end.end()
        elif _TAG_START.match(html, start):
            tag = _TAG.match(html, start)
            if tag is None:
                # A tag still open at the end: the parser drops the rest with it.
                yield from _hidden_by_the_parser(html[start:])
                return
            closing, name = tag.group(1), tag.group(2).lower()
            if name in word_breaks:
                yield " "
            position = tag.end()
            if not closing and name in _CODE and name not in code_never_closes:
                end = _CODE_END[name].search(html, position)
                if end is None:
                    code_never_closes.add(name)  # so later openings do not search again
                else:
                    position = end.end()
        elif html.startswith(("<!", "<?", "</"), start):
            # Doctype, CDATA, processing instruction, "</3": ignored up to the next ">".
            end = html.find(">", start)
            if end < 0:
                yield from _hidden_by_the_parser(html[start + 2 :])
                return
            position = end + 1
        else:
            yield "<"
            position = start + 1


def _hidden_by_the_parser(rest: str):
    """The words in what a parser swallows to the end (an open comment or tag): text too."""
    yield " "
    yield unescape(_ANY_TAG.sub(" ", rest))


def visible_words(html: str, word_breaks: frozenset[str]) -> list[str]:
    """The words of ``html``; a tag named in ``word_breaks`` separates words, others do not."""
    return "".join(_pieces(html, word_breaks)).split()


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
