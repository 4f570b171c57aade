"""The console: the same handlers as Slack, scripted through stdin, payloads valid for Slack."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.console import Console
from bot.deps import Deps
from bot.services.planfile import import_plan, parse_plan_text
from bot.settings import Settings
from models import Milestone, Person, ProgressUpdate
from models.db import make_sessionmaker
from models.vocab import Source
from qib_testing.slack_standin import check_payload
from tests.conftest import SEED_TIME


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


def test_the_console_answers_even_when_slack_team_id_names_a_real_workspace(engine, durham):
    """Console requests are local: the workspace lock of a deployment's .env does not apply to them."""
    out = io.StringIO()
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine))
    console = Console(Settings(_env_file=None, slack_team_id="T0REAL123"), deps, out=out)
    console.run_line("/qib help")
    assert "/qib help" in out.getvalue()


def test_two_console_sessions_save_two_owners_updates_of_two_milestones(
    database_url, durham, sessions, tmp_path
):
    """Each process's first command and first form must not be taken for the other's: both are saved."""
    now = ("--now", "2020-02-10T10:00")
    first = run_console(
        database_url,
        tmp_path,
        "/qib update M-05 on track 40% Audit of CP plans started\n"
        "/qib update M-05\n"
        ":submit percent=45 'note=Audit half done'\n",
        "--as",
        "iro-ops",
        *now,
    )
    second = run_console(
        database_url,
        tmp_path,
        "/qib update M-07 at risk 30% Procedure draft is late; recovery: legal review booked\n"
        "/qib update M-06\n"
        ":submit percent=55 'note=Supervision sessions booked'\n",
        "--as",
        "sm-safeguarding",
        *now,
    )
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "Saved: M-05" in first.stdout and "already saved" not in first.stdout
    assert "Saved: M-07" in second.stdout and "Saved: M-06" in second.stdout
    assert "already saved" not in second.stdout and "M-05" not in second.stdout
    with sessions() as db:
        saved = db.execute(
            select(Milestone.code, Person.key, ProgressUpdate.percent, ProgressUpdate.note)
            .join(Milestone, ProgressUpdate.milestone_id == Milestone.id)
            .join(Person, ProgressUpdate.author_id == Person.id)
            .where(ProgressUpdate.source != "import")
            .order_by(ProgressUpdate.id)
        ).all()
    assert [tuple(r) for r in saved] == [
        ("M-05", "iro-ops", 40, "Audit of CP plans started"),
        ("M-05", "iro-ops", 45, "Audit half done"),
        ("M-07", "sm-safeguarding", 30, "Procedure draft is late"),
        ("M-06", "sm-safeguarding", 55, "Supervision sessions booked"),
    ]


def test_console_ids_are_slack_shaped_and_not_repeated_by_another_process(database_url, durham, tmp_path):
    """Slack's ids are unique across processes; so are the console's (a second session's first form
    does not get the first session's view id)."""
    views = []
    for _ in range(2):
        done = run_console(database_url, tmp_path, "/qib update M-05\n", "--as", "iro-ops", "--json")
        assert done.returncode == 0, done.stderr
        [opened] = [json.loads(line) for line in done.stdout.splitlines() if '"views.open"' in line]
        views.append(opened["payload"]["id"])
    assert views[0] != views[1]
    assert all(re.fullmatch(r"V[A-Z0-9]{10}", v) for v in views), views


def test_console_requests_carry_fresh_ids_in_slacks_shapes(engine, durham):
    one, _ = make_console(engine, durham)
    two, _ = make_console(engine, durham)
    commands = [c._command("help") for c in (one, two, one)]
    triggers = [c["trigger_id"] for c in commands]
    assert len(set(triggers)) == 3
    assert all(re.fullmatch(r"\d+\.\d+\.[0-9a-f]{21}", t) for t in triggers), triggers
    assert len({c["response_url"] for c in commands}) == 3
    events = [c._event("message", "hi", "D1") for c in (one, two)]
    assert events[0]["event_id"] != events[1]["event_id"]
    assert all(re.fullmatch(r"Ev[A-Z0-9]{10}", e["event_id"]) for e in events)
    stamps = [one._ts() for _ in range(50)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 50
    assert all(re.fullmatch(r"\d{10}\.\d{6}", s) for s in stamps)


def test_console_sends_typed_text_the_way_slack_does():
    from bot.console import as_slack_sends

    assert as_slack_sends("R&D <x> &amp;") == "R&amp;D &lt;x&gt; &amp;amp;"
    # What Slack's composer would have made markup of stays markup.
    assert as_slack_sends("owner M-07 <@U0QIB0002> see <https://a.example/p|the paper> & <!channel>") == (
        "owner M-07 <@U0QIB0002> see <https://a.example/p|the paper> &amp; &lt;!channel&gt;"
    )


def test_console_quotes_what_was_typed_once(engine, durham):
    console, out = make_console(engine, durham, as_json=True)
    console.run_line("/qib status R&D <x>")
    console.run_line("R&D <x>")
    [command, dm] = [json.loads(line)["payload"]["text"] for line in out.getvalue().splitlines()]
    assert "“R&amp;D &lt;x&gt;”" in command and "&amp;amp;" not in command
    assert "“R&amp;D &lt;x&gt;”" in dm and "&amp;amp;" not in dm
    text, plain = make_console(engine, durham)
    text.run_line("/qib status R&amp;D")
    assert "“R&amp;D”" in plain.getvalue()  # typed literally, shown literally


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


def test_a_date_typed_into_a_forms_date_picker_is_sent_as_slack_sends_a_picked_date(engine, durham, sessions):
    """Slack sends a date picker's choice as selected_date: a revised due date typed in the console is
    asked for, not dropped."""
    out = io.StringIO()
    clock = lambda: datetime(2020, 2, 10, 10, tzinfo=UTC)  # noqa: E731
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine), clock=clock)
    console = Console(Settings(_env_file=None), deps, out=out)
    console.run_line(":as iro-ops")
    console.run_line("/qib update M-05 at risk 40% Audit slipped")
    console.run_line(
        ":submit 'next_steps=Extra auditor from March' 'blockers=Two auditors off' "
        "due=2020-09-30 'due_reason=Auditors back in April'"
    )
    assert "Saved: M-05" in out.getvalue()
    with sessions() as db:
        asked = db.execute(
            select(Milestone.due_requested, Milestone.due_request_reason).where(Milestone.code == "M-05")
        ).one()
    assert tuple(asked) == (date(2020, 9, 30), "Auditors back in April")


def test_an_update_given_in_the_console_is_recorded_as_from_the_console(engine, durham, sessions):
    console, out = make_console(engine, durham)
    console.run_line(":as iro-ops")
    console.run_line("/qib update M-05 on track 40% Audit of CP plans started")
    assert "Saved: M-05" in out.getvalue()
    with sessions() as db:
        sources = db.scalars(select(ProgressUpdate.source).where(ProgressUpdate.source != Source.IMPORT))
        assert list(sources) == [Source.CONSOLE]


def test_the_console_serves_several_plans_and_switches_with_qib_plan(engine, durham, sessions):
    """Two plans in one database, sharing people: the console starts (as the Slack bot does, without
    QIB_PLAN), asks which plan, and `/qib plan NAME` switches; a shared Slack id is one person."""
    from qib_testing.people import IRO
    from tests.e2e.test_several_plans import SEND_M01, SEND_PLAN, SEND_TITLE

    with sessions.begin() as db:
        import_plan(db, parse_plan_text(SEND_PLAN), now=SEED_TIME)
    console, out = make_console(engine, durham, user=IRO)
    assert [p.slack_user_id for p in console.people].count(IRO) == 1
    console.run_line("/qib status M-01")
    assert "Which one do you mean?" in out.getvalue()
    console.run_line("/qib plan SEND")
    console.run_line("/qib status M-01")
    assert f"now answer about {SEND_TITLE}" in out.getvalue()
    assert SEND_M01.upper() in out.getvalue()


def test_qib_console_starts_on_a_database_of_two_plans(database_url, durham, sessions, tmp_path):
    from tests.e2e.test_several_plans import SEND_PLAN, SEND_TITLE

    with sessions.begin() as db:
        import_plan(db, parse_plan_text(SEND_PLAN), now=SEED_TIME)
    done = run_console(database_url, tmp_path, "/qib plan\n", "--now", "2020-02-10T10:00")
    assert done.returncode == 0, done.stderr
    assert "The plans I keep:" in done.stdout and SEND_TITLE in done.stdout
