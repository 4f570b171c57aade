"""The console: the same handlers as Slack, scripted through stdin, payloads valid for Slack."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from bot.console import Console
from bot.deps import Deps
from bot.settings import Settings
from models.db import make_sessionmaker
from tests.slack_standin import check_payload


def run_console(database_url: str, tmp_path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=script,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def payload_problems(line: dict) -> list[str]:
    kind = "view" if line["where"] in {"modal", "home"} else "message"
    return check_payload(kind, line["payload"])


def test_piped_help_prints_one_valid_slack_payload_per_line(database_url, sessions, tmp_path):
    done = run_console(database_url, tmp_path, "/qib help\n", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["where"] for line in lines] == ["ephemeral"]
    assert "/qib help" in lines[0]["payload"]["text"]
    assert payload_problems(lines[0]) == []


def test_console_seeds_an_empty_database_and_exits_at_end_of_input(database_url, sessions, tmp_path):
    done = run_console(database_url, tmp_path, "/qib help\n:home\n")
    assert done.returncode == 0, done.stderr
    assert "--- only you can see this ---" in done.stdout
    assert "--- App Home ---" in done.stdout


def make_console(engine, durham, **kwargs) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine))
    return Console(Settings(_env_file=None), deps, out=out, **kwargs), out


def test_switching_user_by_key_name_or_slack_id(engine, durham):
    console, out = make_console(engine, durham)
    assert console.user.key == "head-csc"  # the chair by default
    for who in ("iro-ops", "Alex Morgan", "U0QIB0002"):
        console.run_line(f":as {who}")
        assert console.user.key == "iro-ops"
    console.run_line(":as nobody-at-all")
    assert 'nobody called "nobody-at-all"' in out.getvalue()


def test_mentions_are_answered_in_a_thread_and_plain_lines_in_the_dm(engine, durham):
    console, out = make_console(engine, durham)
    console.run_line("@qib help")
    console.run_line("help")
    text = out.getvalue()
    assert "--- reply in a thread ---" in text
    assert "--- direct message ---" in text


def test_unknown_meta_commands_say_so(engine, durham):
    console, out = make_console(engine, durham)
    assert console.run_line(":bogus")
    assert "unknown :bogus" in out.getvalue()
    assert console.run_line(":quit") is False


def test_a_chart_in_the_console_is_shown_as_its_file_and_alt_text(engine, durham):
    console, out = make_console(engine, durham)
    console.run_line(":as iro-ops")
    console.run_line("/qib measure KPI-3 2 for 2019-12")
    console.run_line("/qib measures KPI-3 chart")
    text = out.getvalue()
    assert "Saved: KPI-3 2 for Dec 2019." in text
    assert (
        "[file KPI-3.png, " in text and "Trend chart of KPI-3 Foster carer reviews out of timescale" in text
    )
    assert "The trend chart of KPI-3 is posted in this conversation." in text
