"""Progress of long work (management commands, backups, the bench corpus), shown one way.

On a terminal: a progress bar (rich) on the stream, normally stderr, so stdout keeps only
the command's result.  Elsewhere (logs, CI, a pipe): a plain line every few seconds, e.g.
``prerender_articles: 4,000/100,000 (4%), 12 s elapsed, ~5 min left``, and one final line;
never a line per item.  Verbosity 0 shows nothing.

The seconds between plain lines: ``every=``, else SMARTCHUNKS_PROGRESS_SECONDS, else 5.

    with Progress("prerender_articles", total=len(pks), verbosity=options["verbosity"]) as progress:
        for pk in pks:
            ...
            progress.advance()

or ``for item in track(items, "make_renditions: images"): ...``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

DEFAULT_SECONDS = 5.0
Item = TypeVar("Item")


def _interval(every: float | None) -> float:
    if every is not None:
        return every
    try:
        return float(os.environ.get("SMARTCHUNKS_PROGRESS_SECONDS", DEFAULT_SECONDS))
    except ValueError:
        return DEFAULT_SECONDS


def duration(seconds: float) -> str:
    """Rounded for a person: '12 s', '5 min', '2.5 h'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Counts done items of ``total`` (None when unknown) and shows how far the work is."""

    def __init__(
        self,
        label: str,
        total: int | None,
        *,
        stream: IO[str] | None = None,
        verbosity: int = 1,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        summary: bool = True,
        fresh_line: bool = False,
    ):
        """``summary``: end with a final plain line (off when the caller reports the outcome).
        ``fresh_line``: the caller left a line unfinished ('[2/3] Archiving ... '), so the
        first thing shown starts on a new line."""
        # A command's self.stderr is Django's OutputWrapper, which ends every write with a
        # newline: the bar's in-place redraws need the stream underneath.
        stream = stream if stream is not None else sys.stderr
        self.stream = getattr(stream, "_out", stream)
        self.label = label
        self.total = total
        self.done = 0
        self.every = _interval(every)
        self.clock = clock
        self.summary = summary
        self.fresh_line = fresh_line
        self.started = clock()
        self.last_line = self.started
        self.silent = verbosity == 0
        self.bar = None
        if not self.silent and _is_terminal(self.stream):
            self._start_bar()

    # --- counting --------------------------------------------------------------------------

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.silent:
            return
        if self.bar is not None:
            self.bar.advance(self.task, count)
            return
        now = self.clock()
        if now - self.last_line >= self.every:
            self.last_line = now
            self._write(self.line(now))

    def close(self) -> None:
        """The end of the work: the bar stops at its final count, or the final line."""
        if self.silent:
            return
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        elif self.summary and (self.done or self.total):
            elapsed = self.clock() - self.started
            self._write(f"{self.label}: {self._count()}, done in {duration(elapsed)}")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close()
        elif self.bar is not None:
            self.bar.stop()  # leave the terminal usable for the traceback
            self.bar = None

    # --- what is shown ---------------------------------------------------------------------

    def line(self, now: float) -> str:
        elapsed = now - self.started
        text = f"{self.label}: {self._count()}, {duration(elapsed)} elapsed"
        if self.total and 0 < self.done < self.total:
            left = elapsed / self.done * (self.total - self.done)
            text += f", ~{duration(left)} left"
        return text

    def _count(self) -> str:
        if not self.total:
            return f"{self.done:,}"
        percent = int(100 * self.done / self.total)
        return f"{self.done:,}/{self.total:,} ({percent}%)"

    def _write(self, text: str) -> None:
        if self.fresh_line:
            text, self.fresh_line = "\n" + text, False
        self.stream.write(text + "\n")
        self.stream.flush()

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        if self.fresh_line:
            self.stream.write("\n")
            self.fresh_line = False
        self.bar = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(file=self.stream),
            # Where the caller reports the outcome itself, the bar goes away when done.
            transient=not self.summary,
        )
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=self.total)


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def track(items: Iterable[Item], label: str, total: int | None = None, **options) -> Iterator[Item]:
    """Each item of ``items``, counted as it is handed out (see Progress for ``options``)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(label, total, **options) as progress:
        for item in items:
            yield item
            progress.advance()
