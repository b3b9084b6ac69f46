"""What `make prepare`, `make run` and `make dev` do before serving, in a few lines of output.

``python -m smartchunks.site_start prepare|run [--verbose]``

``prepare`` collects the static files (first: the article pages stored at save name their
hashed URLs), migrates, loads the demo content, stores the article pages and makes sure an
admin login exists.  Each step's own output is kept back and summarised in one line (the
migrations as "Database up to date" or "Applied 3 migrations"); a step that fails shows all
it printed.  ``--verbose`` or ``VERBOSE=1`` (``make run VERBOSE=1``) shows every step's output as before.

``run`` prepares, starts nginx and gunicorn (smartchunks/frontserver.py) and ends with a
short block: the site's address, the admin's, and the admin login when it was just created
(its generated password is shown that once).  gunicorn's start-up lines are left out unless
``--verbose``; its warnings, errors and access log still show.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

# Read by smartchunks/gunicorn_conf.py; the front server's gunicorn inherits it.  At warning
# level its "Starting gunicorn / Listening at / Booting worker" lines (one a worker) are not
# printed; requests are still logged by the access log.
QUIET_GUNICORN_LOG_LEVEL = "warning"


@dataclass
class Prepared:
    """What the steps said that the closing block repeats."""

    admin_lines: list[str] = field(default_factory=list)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartchunks.settings")
    import django

    django.setup()


def _last_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _last_line(text: str) -> str:
    lines = _last_lines(text)
    return lines[-1] if lines else ""


def _quietly(name: str, *args, show_errors: bool = False, **options) -> str:
    """Run a management command with its output kept back (its progress lines too); on
    failure, show it all.  ``show_errors``: what it writes to stderr is for the person."""
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err, **options)
    except BaseException:
        sys.stdout.write(out.getvalue())
        sys.stderr.write(err.getvalue())
        raise
    if show_errors:
        sys.stderr.write(err.getvalue())
    return out.getvalue()


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _migrate() -> str:
    pending = _pending_migrations()
    _quietly("migrate", interactive=False, verbosity=0)
    return f"Applied {_plural(pending, 'migration')}." if pending else "Database up to date."


def _collectstatic() -> str:
    summary = _quietly("collectstatic", interactive=False, verbosity=1)
    # "3 static files copied to '/…/var/static', 140 unmodified, 290 post-processed."
    line = _last_line(summary)
    if " to '" in line:
        head, _, tail = line.partition(" to '")
        line = head + tail.partition("'")[2]
    return f"Static files: {line}" if line else "Static files collected."


def _prerender() -> str:
    line = _last_line(_quietly("prerender_articles", verbosity=1))
    # "Stored the page parts of 0 articles; drew 0 share cards."
    if not line or re.fullmatch(r"\D*\b0 articles; drew 0 \D*", line):
        return "Article pages up to date."
    return line


def prepare(*, verbose: bool = False, say: Callable[[str], None] | None = None) -> Prepared:
    """The steps of `make prepare`; Django must be set up."""
    from django.core.management import call_command

    say = say or (lambda line: print(line, flush=True))
    if verbose:
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("migrate", interactive=False)
        call_command("load_demo")
        call_command("prerender_articles", verbosity=0)
        admin = io.StringIO()
        call_command("ensure_admin", stdout=admin)
        return Prepared(admin_lines=_last_lines(admin.getvalue()))
    say(_collectstatic())
    say(_migrate())
    say(_last_line(_quietly("load_demo")) or "Demo content ready.")
    say(_prerender())
    # "exists but is not an active superuser" comes on stderr: the person must see it.
    return Prepared(admin_lines=_last_lines(_quietly("ensure_admin", show_errors=True)))


def closing_block(url: str, prepared: Prepared) -> list[str]:
    """The lines a person needs once the site answers."""
    lines = [
        f"Smart Chunks is ready at {url}/",
        f"  Admin: {url}/admin/",
    ]
    lines += [f"  {line}" for line in prepared.admin_lines]
    lines.append("Ctrl-C stops the site.")
    return lines


def run(*, verbose: bool = False) -> int:
    from django.db import connections

    from smartchunks import frontserver

    prepared = prepare(verbose=verbose)
    # The servers are separate processes; this one only supervises them.
    connections.close_all()
    if not verbose:
        os.environ.setdefault("GUNICORN_LOG_LEVEL", QUIET_GUNICORN_LOG_LEVEL)
    return frontserver.run(announce=lambda url: closing_block(url, prepared))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m smartchunks.site_start")
    parser.add_argument("command", choices=["prepare", "run"])
    parser.add_argument("--verbose", action="store_true", help="every step's own output")
    options = parser.parse_args(argv[1:])
    verbose = options.verbose or os.environ.get("VERBOSE", "") not in ("", "0")
    _setup_django()
    if options.command == "prepare":
        prepared = prepare(verbose=verbose)
        for line in prepared.admin_lines:
            print(line, flush=True)
        return 0
    from smartchunks.frontserver import FrontServerError

    try:
        return run(verbose=verbose)
    except FrontServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
