"""The console's clock: a first run shows the plan on the day its file describes, and `:advance` moves it."""

from __future__ import annotations

import io
import re
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.console import Console
from bot.console_clock import ConsoleClock, console_clock, parse_advance
from bot.deps import Deps
from bot.settings import Settings
from models.db import make_sessionmaker
from tests.bot.test_console import run_console

LONDON = ZoneInfo("Europe/London")
TODAY = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_plan_describing_a_past_day_starts_the_clock_there_and_says_how_to_use_the_real_one():
    clock, note = console_clock(None, tz="Europe/London", as_at=date(2020, 2, 7), real_now=lambda: TODAY)
    assert clock() - datetime(2020, 2, 7, 9, 0, tzinfo=LONDON) < timedelta(seconds=5)
    assert clock.running
    assert note is not None and "Fri 7 Feb 2020" in note and "--now now" in note


def test_a_plan_of_today_or_without_a_day_uses_the_real_clock():
    for as_at in (None, TODAY.date()):
        clock, note = console_clock(None, tz="Europe/London", as_at=as_at, real_now=lambda: TODAY)
        assert note is None and clock() - TODAY < timedelta(seconds=5)


def test_now_pins_the_clock_and_now_now_is_the_real_clock():
    pinned, note = console_clock("2020-02-12T09:00", tz="Europe/London", as_at=date(2020, 2, 7))
    assert note is None and not pinned.running
    assert pinned() == datetime(2020, 2, 12, 9, 0, tzinfo=LONDON)
    real, note = console_clock("now", tz="Europe/London", as_at=date(2020, 2, 7), real_now=lambda: TODAY)
    assert note is None and real() - TODAY < timedelta(seconds=5)
    with pytest.raises(ValueError, match="not an ISO date"):
        console_clock("next tuesday", tz="Europe/London", as_at=None)


def test_advance_by_steps_or_to_a_moment_and_never_backwards():
    now = datetime(2020, 2, 7, 9, 0, tzinfo=LONDON)
    assert parse_advance("2d", "Europe/London", now) == now + timedelta(days=2)
    assert parse_advance("1w 3h 30m", "Europe/London", now) == now + timedelta(weeks=1, hours=3, minutes=30)
    assert parse_advance("to 2020-02-12T09:00", "Europe/London", now) == datetime(
        2020, 2, 12, 9, 0, tzinfo=LONDON
    )
    for bad in ("soon", "2 fortnights", "to tomorrow", ""):
        with pytest.raises(ValueError):
            parse_advance(bad, "Europe/London", now)
    with pytest.raises(ValueError, match="only moves forward"):
        parse_advance("to 2020-01-01", "Europe/London", now)


def test_the_clock_runs_with_real_time_unless_pinned():
    start = datetime(2020, 2, 7, 9, 0, tzinfo=LONDON)
    running, pinned = ConsoleClock(start), ConsoleClock(start, running=False)
    time.sleep(0.05)
    assert running() > start and pinned() == start
    assert pinned.advance(timedelta(days=2)) == start + timedelta(days=2)


def test_a_first_run_shows_durham_as_the_board_saw_it(database_url, sessions, tmp_path):
    done = run_console(database_url, tmp_path, "/qib overdue\n:now\n")
    assert done.returncode == 0, done.stderr
    assert "The plan describes Fri 7 Feb 2020" in done.stdout
    assert "the console's clock: Fri 7 Feb 2020 09:0" in done.stdout
    # against today's date every open milestone would be thousands of days overdue
    assert not re.search(r"\d{3,} days? (overdue|late)", done.stdout)
    assert "Nothing is overdue" in done.stdout


def test_advancing_to_the_digest_instant_and_ticking_posts_the_digest_once(database_url, sessions, tmp_path):
    done = run_console(database_url, tmp_path, ":advance to 2020-02-12T09:00\n:tick\n:tick\n")
    assert done.returncode == 0, done.stderr
    ticks = [line for line in done.stdout.splitlines() if line.startswith("tick:")]
    assert len(ticks) == 2
    assert "digest 2020-02-20" in ticks[0]
    assert ticks[1] == "tick: nothing due"
    assert done.stdout.count("--- posted in the channel ---") == 1


def test_with_now_the_console_says_nothing_about_the_plans_day(database_url, sessions, tmp_path):
    done = run_console(database_url, tmp_path, ":now\n", "--now", "2020-03-02T10:00")
    assert done.returncode == 0, done.stderr
    assert "The plan describes" not in done.stdout
    assert "the console's clock: Mon 2 Mar 2020 10:00" in done.stdout


def test_the_console_ticks_by_itself_as_real_time_passes(engine, durham):
    out = io.StringIO()
    clock = ConsoleClock(datetime(2020, 2, 12, 9, 0, tzinfo=LONDON), running=False)
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine), clock=clock)
    console = Console(Settings(_env_file=None), deps, out=out)
    stop = threading.Event()
    console.start_ticking(stop, every=0.05)
    try:
        deadline = time.monotonic() + 30
        while "digest 2020-02-20" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
    text = out.getvalue()
    assert "tick: " in text and "digest 2020-02-20" in text
    assert "nothing due" not in text  # a background tick with nothing to post stays quiet
