"""Progress of long work (smartchunks/progress.py): a bar on a terminal, a plain line every
few seconds in logs, nothing at verbosity 0; and a real command that uses it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article
from smartchunks.progress import Progress, track
from tests.factories import image_upload, make_article


class FakeClock:
    """Seconds that pass only when the test says so: no sleeps, no timing."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TerminalStream(StringIO):
    def isatty(self) -> bool:
        return True


def _lines(stream: StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_in_a_log_a_line_every_few_seconds_with_count_percent_and_estimate():
    clock, log = FakeClock(), StringIO()
    with Progress("prerender_articles", 100, stream=log, every=5, clock=clock) as progress:
        for _ in range(100):  # one item a second
            clock.now += 1
            progress.advance()
    lines = _lines(log)
    assert lines[0] == "prerender_articles: 5/100 (5%), 5 s elapsed, ~2 min left"
    assert lines[1] == "prerender_articles: 10/100 (10%), 10 s elapsed, ~2 min left"
    assert "prerender_articles: 50/100 (50%), 50 s elapsed, ~50 s left" in lines
    # One line per 5 s, never one per item: 20 periodic lines and the final one.
    assert len(lines) == 21
    assert lines[-1] == "prerender_articles: 100/100 (100%), done in 2 min"


def test_no_line_before_the_interval_has_passed_only_the_final_one():
    clock, log = FakeClock(), StringIO()
    with Progress("load_demo: articles", 3, stream=log, every=5, clock=clock) as progress:
        for _ in range(3):
            clock.now += 1
            progress.advance()
    assert _lines(log) == ["load_demo: articles: 3/3 (100%), done in 3 s"]


def test_the_interval_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SMARTCHUNKS_PROGRESS_SECONDS", "60")
    clock, log = FakeClock(), StringIO()
    with Progress("job", 10_000, stream=log, clock=clock) as progress:
        for _ in range(100):
            clock.now += 1
            progress.advance(100)
    lines = _lines(log)
    assert lines[0] == "job: 6,000/10,000 (60%), 60 s elapsed, ~40 s left"
    assert len(lines) == 2  # the one at 60 s and the final one


def test_an_unknown_total_shows_the_count_alone():
    clock, log = FakeClock(), StringIO()
    with Progress("restore: media files", None, stream=log, every=5, clock=clock) as progress:
        clock.now += 6
        progress.advance(1234)
    assert _lines(log) == [
        "restore: media files: 1,234, 6 s elapsed",
        "restore: media files: 1,234, done in 6 s",
    ]


def test_a_step_that_reports_itself_gets_no_final_line_and_starts_on_a_new_line():
    clock, log = FakeClock(), StringIO()
    log.write("[2/3] Archiving 20 media files ... ")
    options = {"stream": log, "every": 5, "clock": clock, "summary": False, "fresh_line": True}
    with Progress("backup: media files", 20, **options) as progress:
        for _ in range(20):
            clock.now += 1
            progress.advance()
    assert log.getvalue().splitlines() == [
        "[2/3] Archiving 20 media files ... ",
        "backup: media files: 5/20 (25%), 5 s elapsed, ~15 s left",
        "backup: media files: 10/20 (50%), 10 s elapsed, ~10 s left",
        "backup: media files: 15/20 (75%), 15 s elapsed, ~5 s left",
        "backup: media files: 20/20 (100%), 20 s elapsed",
    ]


@pytest.mark.parametrize("stream_class", [StringIO, TerminalStream])
def test_verbosity_0_shows_nothing(stream_class):
    clock, stream = FakeClock(), stream_class()
    items = list(track(range(50), "job", stream=stream, verbosity=0, every=5, clock=clock))
    assert items == list(range(50))
    assert stream.getvalue() == ""


def test_on_a_terminal_the_bar_is_drawn(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = TerminalStream()
    progress = Progress("make_renditions: images", 3, stream=terminal)
    assert progress.bar is not None, "a terminal gets the rich progress bar"
    for _ in range(3):
        progress.advance()
    progress.close()
    shown = terminal.getvalue()
    assert "make_renditions: images" in shown
    assert "━" in shown  # rich's bar
    assert "3/3" in shown
    # The plain lines are for logs only.
    assert "done in" not in shown


def test_a_bar_stopped_by_an_error_lets_the_error_through():
    terminal = TerminalStream()
    with pytest.raises(ZeroDivisionError), Progress("job", 3, stream=terminal) as progress:
        progress.advance()
        1 / 0  # noqa: B018
    assert progress.bar is None


@pytest.mark.django_db
def test_prerender_articles_ends_with_a_line_of_its_whole_count(media_in_tmp):
    for _ in range(3):
        make_article()
    total = Article.objects.count()
    assert total >= 3
    out, err = StringIO(), StringIO()
    call_command("prerender_articles", "--all", stdout=out, stderr=err)
    assert (
        err.getvalue()
        .splitlines()[-1]
        .startswith(f"prerender_articles: {total}/{total} (100%), done in ")
    )
    assert f"Stored the page parts of {total} articles" in out.getvalue()


@pytest.mark.django_db
def test_prerender_articles_at_verbosity_0_prints_no_progress(media_in_tmp):
    make_article()
    out, err = StringIO(), StringIO()
    call_command("prerender_articles", "--all", verbosity=0, stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert out.getvalue() == ""


@pytest.mark.django_db
def test_make_renditions_on_a_terminal_draws_bars_of_its_counts(media_in_tmp, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    make_article(hero_image=image_upload("hero.png", size=(800, 450)))
    terminal = TerminalStream()
    call_command("make_renditions", stdout=StringIO(), stderr=terminal)
    shown = terminal.getvalue()
    assert "make_renditions: images" in shown
    assert "make_renditions: article pages" in shown
    assert "━" in shown
    assert "done in" not in shown  # the plain lines are for logs
