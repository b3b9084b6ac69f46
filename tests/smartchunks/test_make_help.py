"""`make help` lists every target of the Makefile, one line each."""

import re
import subprocess
from pathlib import Path

from django.conf import settings

MAKEFILE = Path(settings.BASE_DIR) / "Makefile"


def _phony_targets() -> set[str]:
    targets = set()
    for line in MAKEFILE.read_text().splitlines():
        if line.startswith(".PHONY:"):
            targets.update(line.partition(":")[2].split())
    return targets


def test_make_help_lists_every_phony_target_with_one_line_of_description():
    result = subprocess.run(
        ["make", "--no-print-directory", "help"],  # noqa: S607
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    described = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^  ([\w-]+) +(\S.*)$", line)
        assert match, f"not a target and its description: {line!r}"
        assert match.group(1) not in described, f"{match.group(1)} listed twice"
        described[match.group(1)] = match.group(2)
    targets = _phony_targets()
    assert {"run", "dev", "test", "help", "backup"} <= targets
    assert targets - described.keys() == set(), result.stdout
    for target in targets:
        assert len(described[target]) > 10, f"{target}: {described[target]!r}"
