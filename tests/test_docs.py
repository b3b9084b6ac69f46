"""The docs a newcomer, an editor, an operator and a developer read: README stays a short first
page that leads to the three guides, and no link in README or docs/ points at nothing.

A broken link is what a reader meets when a heading is renamed or a file moved, so every
relative link is followed to its file and, when it names one, to the heading it points at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
GUIDES = ("docs/editor-guide.md", "docs/operator-guide.md", "docs/developer-guide.md")

# [text](target) and ![alt](target); the target stops at the first space or ")".
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def links_in(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return LINK.findall(text)


def heading_anchors(path: Path) -> set[str]:
    """The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to -."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.MULTILINE):
        anchors.add(re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-"))
    return anchors


def test_readme_is_a_short_first_page_that_links_the_three_guides():
    size = len(README.read_bytes())
    assert size < 8 * 1024, f"README.md is {size} bytes; the newcomer's page stays under 8 KB"
    targets = {target.split("#")[0] for target in links_in(README)}
    for guide in GUIDES:
        assert guide in targets, f"README does not link {guide}"
        assert (ROOT / guide).is_file(), f"{guide} is missing"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: path.name)
def test_every_relative_link_reaches_an_existing_file_and_heading(path: Path):
    broken = []
    for target in links_in(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …: not ours to check
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked):
            broken.append(f"{target}: no heading with that anchor in {linked.name}")
    assert not broken, f"broken links in {path.name}: {broken}"


def test_the_editor_guide_shows_every_screenshot_the_browser_test_takes():
    guide = (DOCS / "editor-guide.md").read_text(encoding="utf-8")
    shots = sorted(path.name for path in (DOCS / "editor-guide").glob("*.png"))
    assert shots, "docs/editor-guide/ has no screenshots"
    missing = [name for name in shots if f"(editor-guide/{name})" not in guide]
    assert not missing, f"screenshots the editor's guide does not show: {missing}"


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set()
    for names in re.findall(r"^([A-Za-z0-9_.\- ]+):(?!=)", text, re.MULTILINE):
        targets.update(names.split())
    return targets


def test_every_make_command_the_readme_names_is_a_makefile_target():
    named = set(re.findall(r"\bmake ([a-z][a-z0-9-]*)", README.read_text(encoding="utf-8")))
    assert {"run", "test", "dev", "help"} <= named, "README names the everyday commands"
    unknown = sorted(named - makefile_targets())
    assert not unknown, f"README names make targets the Makefile lacks: {unknown}"
