"""Every write that skips model signals is known to renew the page cache's generation.

Model saves, deletes and tag changes renew it through signals (articles/workflow/
invalidation.py); ``QuerySet.update``, ``bulk_create``, ``bulk_update`` and raw SQL send none.
Each such write in the code is listed here with why the cached pages still cannot go stale,
so a new one fails this test until someone has looked at it.
"""

import ast
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
BULK_WRITES = {"update", "bulk_create", "bulk_update", "raw", "_raw_delete", "cursor"}

REVIEWED = {
    # Calls public_pages_changed itself, right after the update.
    ("articles/workflow/services.py", "_change_state", "update"): "renews itself",
    # (search_index.refresh_search_vectors updates the queryset it is given, which this
    # finder cannot tell from a dict: it runs inside save_edit's transaction, whose article
    # save is a signal, or in the bench's corpus loader; the search page is not cached.)
    # Which files an article shows: /media/ is never cached; inside save_edit anyway.
    ("articles/workflow/media_record.py", "record_media", "bulk_create"): "media not cached",
    ("articles/workflow/media_record.py", "record_cards", "bulk_create"): "media not cached",
    # load_demo's children, in save_edit's transaction with the article's own save.
    ("articles/management/commands/load_demo.py", "write_children", "bulk_create"): "in save_edit",
    # Staged changes move the article's edit token only: the row readers get is unchanged.
    ("articles/workflow/staging.py", "_bump_version", "update"): "version only, not public",
    # Second-factor recovery codes: no public page shows them.
    ("authors/sign_in/two_factor.py", "replace_recovery_codes", "bulk_create"): "not public",
    # Who has an article's form open (an upsert): only the admin's banner shows it.
    ("articles/workflow/presence.py", "_write", "cursor"): "not public",
    # Reads the primary's WAL position (SELECT pg_current_wal_lsn()): writes nothing.
    ("articles/workflow/page_generation.py", "primary_wal_position", "cursor"): "a read",
    # The public-change sequence: read, and drawn from after a commit (it is the renewal).
    ("articles/workflow/page_generation.py", "database_epoch", "cursor"): "a read",
    ("articles/workflow/page_generation.py", "_count_public_change", "cursor"): "the renewal",
}


class _Finder(ast.NodeVisitor):
    """Each bulk write on a queryset, with the function it is written in (the innermost)."""

    def __init__(self, relative: str):
        self.relative = relative
        self.functions: list[str] = []
        self.found: set[tuple[str, str, str]] = set()

    def visit_FunctionDef(self, node):
        self.functions.append(_unmutated(node.name))
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in BULK_WRITES
            and _on_a_queryset(func.value)
        ):
            where = self.functions[-1] if self.functions else "<module>"
            self.found.add((self.relative, where, func.attr))
        self.generic_visit(node)


def _unmutated(name: str) -> str:
    """The function's own name in a mutation run's copy of the code (tests/mutation/run.py),
    where mutmut renames it ``x_<name>__mutmut_orig`` / ``xǁClassǁ<name>__mutmut_3``."""
    found = _MUTMUT_NAME.fullmatch(name)
    return found.group(1) if found else name


_MUTMUT_NAME = re.compile(r"x(?:ǁ[^ǁ]+ǁ|_)(.+)__mutmut_(?:orig|\d+)")


def _bulk_writes():
    found = set()
    for folder in ("articles", "authors"):
        for path in (BASE_DIR / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            finder = _Finder(str(path.relative_to(BASE_DIR)))
            finder.visit(ast.parse(path.read_text()))
            found |= finder.found
    return found


def _on_a_queryset(receiver) -> bool:
    """``X.objects...`` or ``....filter(...)``-like chains: not a dict's or a hash's update."""
    text = ast.unparse(receiver)
    return ".objects" in text or ".filter(" in text or ".exclude(" in text or "connection" in text


def test_every_write_that_skips_signals_has_been_reviewed():
    found = _bulk_writes()
    assert found - REVIEWED.keys() == set(), "A write that sends no signal: renew the generation"


def test_the_reviewed_list_has_no_stale_entries():
    assert REVIEWED.keys() - _bulk_writes() == set()
