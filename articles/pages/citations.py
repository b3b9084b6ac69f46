"""Citations on the article page: the body's markers become superscript numbers linking to
their source in the Sources block, and each source links back to every marker citing it.

A marker is stored as ``<sup class="cite"><a href="#source-2">2</a></sup>``
(smartchunks/media/citation_markers.py): it names a source by its place in the Sources list,
so the numbers readers see always follow the sources' order.  The ids are made here, from
the order of the text: the first marker citing source 2 is ``cite-2-1``, the next
``cite-2-2``; source 2 is ``source-2``.  A marker pointing past the last source (the
checklist refuses to publish one, articles/workflow/checklist.py) shows its number without
a link, so no link on the page leads nowhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from smartchunks.media.citation_markers import replace_markers


def source_id(number: int) -> str:
    return f"source-{number}"


def citation_id(number: int, occurrence: int) -> str:
    return f"cite-{number}-{occurrence}"


@dataclass
class CitedSource:
    """A source as the Sources block shows it: its number and the markers citing it."""

    number: int
    name: str
    url: str
    note: str
    citation_ids: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return source_id(self.number)


@dataclass(frozen=True)
class CitedBody:
    html: SafeString
    sources: list[CitedSource]


def cite(cleaned_body: str, sources) -> CitedBody:
    """The cleaned body with its markers linked, and ``sources`` (in their order) with the
    ids of the markers citing each."""
    cited = [
        CitedSource(number, source.name, source.url, source.note)
        for number, source in enumerate(sources, start=1)
    ]
    seen = defaultdict(int)

    def marker(number: int) -> str:
        if not 1 <= number <= len(cited):
            return format_html('<sup class="cite">{}</sup>', number)
        seen[number] += 1
        target = cited[number - 1]
        target.citation_ids.append(citation_id(number, seen[number]))
        return format_html(
            '<sup class="cite" id="{}"><a href="#{}" aria-label="Source {}: {}">{}</a></sup>',
            target.citation_ids[-1],
            target.anchor,
            number,
            target.name,
            number,
        )

    html = replace_markers(cleaned_body, marker)
    return CitedBody(mark_safe(html), cited)  # noqa: S308 (nh3-cleaned, markers escaped)
