"""``make mutation``: break the rules that guard unpublished work, one small change at a time,
and count how many of those breaks the non-browser suite catches.

mutmut (settings in pyproject.toml, ``[tool.mutmut]``) copies the code to ``mutants/`` and
tries each mutant (``and``↔``or``, a dropped ``not``, ``<=``↔``<``, a changed string, …)
against the tests that run that function.  This script starts it on clean test databases,
then prints the score: killed mutants over all mutants except those listed as equivalent in
``[tool.smartchunks.mutation]`` (each with the reason it cannot change behaviour), and every
survivor as a diff.  It exits non-zero when the score is under the target.

    python tests/mutation/run.py            # a full run (about half an hour on 2 cores)
    python tests/mutation/run.py --keep     # go on from the last run (changed code only)
    python tests/mutation/run.py --survivors  # try the last run's survivors again (new tests)
    python tests/mutation/run.py --report   # only print the last run's result
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="reuse the last run's results")
    parser.add_argument("--report", action="store_true", help="only report the last run")
    parser.add_argument("--survivors", action="store_true", help="re-try the last survivors")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    os.chdir(ROOT)
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["smartchunks"]
    settings = settings["mutation"]
    if args.survivors:
        again = sorted(name for name, status in _results().items() if status not in KILLED)
        run_mutmut(keep=True, max_children=args.max_children, names=again)
    elif not args.report:
        run_mutmut(keep=args.keep, max_children=args.max_children)
    return report(settings["target"], settings.get("equivalent", {}))


def _environment() -> dict[str, str]:
    """mutmut runs the tests from mutants/, which has no var/: name the database directly."""
    sys.path.insert(0, str(ROOT))
    from smartchunks import localdb

    env = dict(os.environ, SMARTCHUNKS_MUTATION="1")
    env.setdefault("DATABASE_URL", localdb.saved_url() or "")
    env.setdefault("DJANGO_SECRET_KEY", "mutation-testing-only")
    if not env["DATABASE_URL"]:
        sys.exit("No database: run `make db` first or set DATABASE_URL.")
    return env


def _drop_old_databases(env) -> None:
    """Mutation runs keep their test databases; a new run starts from fresh ones."""
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute(\"SELECT datname FROM pg_database WHERE datname LIKE '%\\\\_mutation\\\\_%'\")\n"
        "    for (name,) in cursor.fetchall():\n"
        "        cursor.execute(f'DROP DATABASE IF EXISTS \"{name}\"')\n"
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code], env=env, check=True, cwd=ROOT
    )


def run_mutmut(*, keep: bool, max_children: int, names=()) -> None:
    env = _environment()
    if not keep:
        shutil.rmtree(MUTANTS, ignore_errors=True)
        _drop_old_databases(env)
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut), "run", "--max-children", str(max_children), *names]
    subprocess.run(command, env=env, check=False, cwd=ROOT)  # noqa: S603


def _results() -> dict[str, str]:
    from mutmut.stats import status_by_exit_code

    statuses = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            statuses[name] = status_by_exit_code[code]
    return statuses


def _diff(name: str) -> str:
    mutmut = Path(sys.executable).with_name("mutmut")
    shown = subprocess.run(  # noqa: S603
        [str(mutmut), "show", name], capture_output=True, text=True, check=False, cwd=ROOT
    ).stdout
    return "\n".join(
        line for line in shown.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    )


def report(target: float, equivalent: dict[str, str]) -> int:
    statuses = _results()
    if not statuses:
        print("No mutation results yet: run `make mutation`.")
        return 1
    counted = {name: status for name, status in statuses.items() if name not in equivalent}
    killed = sum(status in KILLED for status in counted.values())
    score = 100 * killed / len(counted)
    by_module = Counter(name.rsplit(".", 1)[0] for name in counted)
    killed_by_module = Counter(
        name.rsplit(".", 1)[0] for name, status in counted.items() if status in KILLED
    )
    print(
        f"\nMutation score: {killed} of {len(counted)} mutants killed = {score:.1f}% (target {target}%)"
    )
    print(f"({len(statuses) - len(counted)} listed as equivalent in pyproject.toml, not counted)\n")
    for module in sorted(by_module):
        print(f"  {module:<60} {killed_by_module[module]:>4} / {by_module[module]:<4}")
    survivors = sorted(name for name, status in counted.items() if status not in KILLED)
    stale = sorted(set(equivalent) - set(statuses))
    if survivors:
        print(f"\n{len(survivors)} surviving mutants (a test should fail on each):")
        for name in survivors:
            print(f"\n{name}  [{counted[name]}]\n{_diff(name)}")
    if stale:
        print("\nListed as equivalent but no longer generated (remove them):", *stale, sep="\n  ")
    return 0 if score >= target else 1


if __name__ == "__main__":
    sys.exit(main())
