"""The cleaner keeps a citation marker in exactly its stored form and nothing else like it
(smartchunks/media/citation_markers.py, smartchunks/media/richtext.py)."""

import pytest

from smartchunks.media.citation_markers import marker_numbers
from smartchunks.media.richtext import clean_html

MARKER = '<sup class="cite"><a href="#source-2">2</a></sup>'


def test_a_valid_marker_is_kept_as_stored_and_cleaning_it_again_changes_nothing():
    body = f"<p>Demand doubled.{MARKER} Prices followed.</p>"
    assert clean_html(body) == body
    assert clean_html(clean_html(body)) == body
    assert marker_numbers(clean_html(body)) == [2]


def test_the_rel_the_cleaner_adds_to_links_is_not_kept_on_a_marker():
    sent = '<p>x<sup class="cite"><a href="#source-1" rel="noopener noreferrer">1</a></sup></p>'
    assert clean_html(sent) == '<p>x<sup class="cite"><a href="#source-1">1</a></sup></p>'


@pytest.mark.parametrize(
    ("forged", "kept"),
    [
        # A script address: the link loses it, the superscript goes, the text stays.
        (
            '<sup class="cite"><a href="javascript:alert(1)">2</a></sup>',
            '<a rel="noopener noreferrer">2</a>',
        ),
        # Extra attributes on the superscript or its link: not a marker.
        (
            '<sup class="cite" onclick="alert(1)" id="source-1" style="color:red">'
            '<a href="#source-2">2</a></sup>',
            MARKER,
        ),
        (
            '<sup class="cite"><a href="#source-2" title="Fortune" onmouseover="x()">2</a></sup>',
            '<a href="#source-2" title="Fortune" rel="noopener noreferrer">2</a>',
        ),
        # Another class, or none: an ordinary superscript, which the page does not allow.
        (
            '<sup class="cite evil"><a href="#source-2">2</a></sup>',
            '<a href="#source-2" rel="noopener noreferrer">2</a>',
        ),
        ("<p>E = mc<sup>2</sup></p>", "<p>E = mc2</p>"),
        # A marker whose number is not its target, or that points outside the page.
        (
            '<sup class="cite"><a href="#source-2">3</a></sup>',
            '<a href="#source-2" rel="noopener noreferrer">3</a>',
        ),
        (
            '<sup class="cite"><a href="https://evil.example/#source-2">2</a></sup>',
            '<a href="https://evil.example/#source-2" rel="noopener noreferrer">2</a>',
        ),
        (
            '<sup class="cite"><a href="#source-0">0</a></sup>',
            '<a href="#source-0" rel="noopener noreferrer">0</a>',
        ),
        # Words inside the marker: kept, as text of an ordinary link.
        (
            '<sup class="cite"><a href="#source-2"><strong>2</strong> see</a></sup>',
            '<a href="#source-2" rel="noopener noreferrer"><strong>2</strong> see</a>',
        ),
        # A marker wrapped in another superscript keeps only the marker.
        (f"<sup>{MARKER}</sup>", MARKER),
    ],
)
def test_a_forged_or_unsafe_marker_loses_its_markup_but_never_the_words(forged, kept):
    assert clean_html(forged) == kept
    assert "javascript" not in clean_html(forged)
    assert "onclick" not in clean_html(forged) and "style" not in clean_html(forged)


def test_only_valid_markers_are_counted():
    body = (
        f'<p>{MARKER}<sup class="cite"><a href="#source-3">4</a></sup>'
        '<sup class="cite"><a href="#source-5">5</a></sup></p>'
    )
    assert marker_numbers(clean_html(body)) == [2, 5]
