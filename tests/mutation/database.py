"""A test database of its own for each pytest session of a mutation run.

mutmut (``make mutation``) runs several mutants at once, each in a pytest session of its own.
Each session takes the first free slot (a lock file held while the session's process lives)
and its database, kept between sessions (``--reuse-db``), so no two sessions ever share one
and no session pays for creating one again.
"""

import fcntl
import os
import re
import tempfile
from pathlib import Path

SLOTS = 16
_held: dict[int, tuple[object, str]] = {}


def slot_database(base_name: str) -> str:
    """The name of a test database no other running session uses."""
    pid = os.getpid()
    if pid in _held:
        return _held[pid][1]
    # A session forked from another (mutmut's workers) inherits its already-chosen name.
    base_name = re.sub(r"_mutation_\d+$", "", base_name)
    for slot in range(SLOTS):
        lock = open(Path(tempfile.gettempdir()) / f"{base_name}-mutation-{slot}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        _held[pid] = (lock, f"{base_name}_mutation_{slot}")
        return _held[pid][1]
    raise RuntimeError(f"All {SLOTS} mutation test databases are in use.")
