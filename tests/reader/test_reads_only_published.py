"""The reader package's boundary: its code reads articles only through
``Article.objects.published()``.  ``preview.py`` (staff previews and share links) is the one
documented exception.  Checked on the source, so a new page that reads articles another way
fails here before it can leak anything."""

import ast
from pathlib import Path

import pytest

READER = Path(__file__).resolve().parents[2] / "articles" / "reader"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EXCEPTION = "preview.py"
FORBIDDEN_MANAGERS = {"_default_manager", "_base_manager"}


def boundary_breaks(source: str) -> list[str]:
    """Lines of ``source`` that read articles other than through ``published()``."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        on_article = isinstance(node.value, ast.Name) and node.value.id == "Article"
        if on_article and node.attr in FORBIDDEN_MANAGERS:
            found.append(f"line {node.lineno}: Article.{node.attr}")
        elif on_article and node.attr == "objects":
            after = parents.get(node)
            if not (isinstance(after, ast.Attribute) and after.attr == "published"):
                found.append(f"line {node.lineno}: Article.objects not followed by .published()")
        elif node.attr == "articles" and isinstance(parents.get(node), ast.Attribute):
            # author.articles.all(), section.articles.filter(...): every article, drafts too.
            found.append(f"line {node.lineno}: a related .articles manager")
    return found


def reader_modules():
    return sorted(path for path in READER.rglob("*.py") if path.name != EXCEPTION)


@pytest.mark.parametrize("module", reader_modules(), ids=lambda path: path.name)
def test_reader_module_reads_articles_only_through_published(module):
    assert boundary_breaks(module.read_text()) == []


def test_templates_never_walk_from_an_author_section_or_tag_to_all_its_articles():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if ".articles." in path.read_text() or ".articles " in path.read_text()
    ]
    assert offenders == []


def test_the_exception_is_the_preview_module_alone():
    assert (READER / EXCEPTION).exists()
    assert boundary_breaks((READER / EXCEPTION).read_text()) != [], (
        "preview.py no longer reads unpublished articles: drop the exception"
    )


@pytest.mark.parametrize(
    "source",
    [
        "Article.objects.filter(slug=slug)",
        "Article.objects.all()",
        "Article._default_manager.get(pk=1)",
        "author.articles.all()",
        "manager = Article.objects",
    ],
)
def test_the_checker_catches_each_way_around_published(source):
    assert boundary_breaks(source) != []


def test_the_checker_lets_published_through():
    assert boundary_breaks("Article.objects.published().filter(section=section)") == []
