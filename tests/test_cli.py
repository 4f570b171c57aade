"""The `qib` command as a user runs it: a real process, the real database, output on stdout/stderr."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import make_url

from bot.app import make_client
from bot.deps import Deps
from bot.scheduler import Scheduler
from models.db import make_sessionmaker
from qib_testing.bots import bot_settings
from seeds import DURHAM


@pytest.fixture
def qib(database_url, sessions, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "QIB_PLAN"):
        env.pop(name, None)

    def run(*args: str, check: bool = True, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env={**env, **(extra_env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check:
            assert done.returncode == 0, done.stderr
        return done

    return run


def test_import_export_and_dry_run_reimport_report_no_changes(qib, tmp_path: Path):
    assert "created plan" in qib("import", str(DURHAM)).stdout
    assert "wrote" in qib("export", str(tmp_path / "out.yaml")).stdout
    assert qib("import", str(tmp_path / "out.yaml"), "--dry-run").stdout.strip() == "no changes"


def test_dry_run_prints_what_would_change_and_changes_nothing(qib, tmp_path: Path):
    qib("seed")
    edited = DURHAM.read_text(encoding="utf-8").replace("title: Management oversight", "title: Oversight", 1)
    (tmp_path / "edited.yaml").write_text(edited, encoding="utf-8")
    out = qib("import", str(tmp_path / "edited.yaml"), "--dry-run").stdout
    assert 'area AFI-1: title "Management oversight" -> "Oversight"' in out
    assert "AFI-1  Management oversight" in qib("plan").stdout


def test_seed_loads_durham_once(qib):
    assert "loaded the Durham 2019 plan" in qib("seed").stdout
    assert "nothing loaded" in qib("seed").stdout
    plan = qib("plan").stdout
    assert "Durham County Council" in plan
    assert "AFI-5  Foster carer reviews" in plan


def test_a_bad_plan_file_goes_to_stderr_with_a_non_zero_exit(qib, tmp_path: Path):
    bad = DURHAM.read_text(encoding="utf-8").replace("due: 2020-03-31", 'due: "31.06.18"', 1)
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    done = qib("import", str(tmp_path / "bad.yaml"), check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert '.due: "31.06.18" is not a date' in done.stderr
    assert "Traceback" not in done.stderr


def test_a_wrong_setting_stops_with_one_line_naming_it(qib):
    done = qib("plan", check=False, extra_env={"TIMEZONE": "Mars/Olympus"})
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == 'qib: setting TIMEZONE: "Mars/Olympus" is not an IANA time zone such as Europe/London'
    )


def test_commands_on_an_empty_database_explain_what_to_do(qib):
    done = qib("plan", check=False)
    assert done.returncode == 1
    assert "run `qib seed` or `qib import FILE`" in done.stderr


@pytest.mark.parametrize("command", [[], ["db"], ["import"], ["export"], ["seed"], ["plan"], ["run"]])
def test_every_command_has_help(qib, command):
    done = qib(*command, "--help")
    assert "usage: qib" in done.stdout


def one_line_error(done: subprocess.CompletedProcess) -> str:
    """What a user sees when a command fails: nothing on stdout, exactly one line on stderr."""
    assert done.returncode != 0
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.endswith("\n") and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("qib: ")
    return done.stderr.strip()


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


def unreachable_databases(database_url: str, tmp_path: Path) -> list[tuple[str, str]]:
    """(DATABASE_URL, what the one line must say); a missing PostgreSQL database needs a server."""
    cases = [
        (
            f"sqlite:///{tmp_path / 'missing' / 'qib.sqlite3'}",
            f"the folder {tmp_path / 'missing'} does not exist",
        ),
        (f"postgresql+psycopg://qib:s3cret@127.0.0.1:{refused_port()}/qib", "Connection refused"),
    ]
    if database_url.startswith("postgresql"):
        missing = make_url(database_url).set(database="qib_no_such_database")
        cases.append(
            (missing.render_as_string(hide_password=False), 'database "qib_no_such_database" does not exist')
        )
    return cases


@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["seed"],
        ["import", str(DURHAM)],
        ["export"],
        ["plan"],
        ["tick"],
        ["digest", "--preview"],
        ["digest", "export"],
        ["console"],
        ["run"],
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line_for_every_command(qib, database_url, tmp_path, command):
    for url, reason in unreachable_databases(database_url, tmp_path):
        done = qib(
            *command,
            check=False,
            extra_env={"DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-1"}
            if command == ["tick"]
            else {"DATABASE_URL": url},
        )
        line = one_line_error(done)
        assert done.returncode == 1
        assert line.startswith("qib: cannot open the ") and reason in line, line
        assert "s3cret" not in line
    assert not (tmp_path / "missing").exists()


def test_export_to_a_missing_folder_or_to_a_folder_is_one_line_and_writes_nothing(qib, tmp_path: Path):
    qib("seed")
    line = one_line_error(qib("export", str(tmp_path / "missing" / "x.yaml"), check=False))
    assert (
        line
        == f"qib: cannot write {tmp_path / 'missing' / 'x.yaml'}: the folder {tmp_path / 'missing'} does not exist"
    )
    line = one_line_error(qib("export", str(tmp_path), check=False))
    assert line == f"qib: cannot write {tmp_path}: it is a folder; give a file name"
    assert not (tmp_path / "missing").exists()


def test_digest_export_to_a_missing_folder_or_to_a_folder_is_one_line(
    qib,
    engine,
    database_url,
    durham,
    slack,
    tmp_path: Path,
):
    settings = bot_settings(database_url, slack)
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine))
    assert (
        Scheduler(deps, settings, make_client(settings)).tick(datetime(2020, 2, 12, 9, 0, tzinfo=UTC)).posted
    )
    assert "Thu 20 Feb" in qib("digest", "export").stdout  # there is a posted digest to write
    for target, why in [
        (tmp_path / "missing" / "paper.md", f"the folder {tmp_path / 'missing'} does not exist"),
        (tmp_path, "it is a folder; give a file name"),
    ]:
        line = one_line_error(qib("digest", "export", "-o", str(target), check=False))
        assert line == f"qib: cannot write {target}: {why}"
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("command", [["plan"], ["plan", "--list"], ["export"], ["digest", "--preview"]])
def test_a_closed_pipe_is_a_quiet_exit(qib, database_url, tmp_path, command):
    """`qib plan | head -1`: the reader is gone before qib writes, as it is when head has its line."""
    qib("seed")
    env = {**os.environ, "DATABASE_URL": database_url}
    reader_gone = subprocess.Popen(
        [sys.executable, "-m", "bot", *command],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader_gone.stdout is not None and reader_gone.stderr is not None
    reader_gone.stdout.close()
    stderr = reader_gone.stderr.read()
    assert reader_gone.wait(timeout=60) == 141  # 128 + SIGPIPE, as the shell reports `yes | head -1`
    assert stderr == b""


def test_the_readmes_refused_plan_file_is_what_qib_prints(qib, tmp_path: Path):
    """README.md shows the message for a plan file with a bad date and an unknown owner: it must be
    exactly what `qib import` prints for that file, so it is read from the README here."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(
        b for b in readme.split("```") if "the plan file is not valid" in b
    ).strip("\n")  # fmt: skip
    data = yaml.safe_load(DURHAM.read_text(encoding="utf-8"))
    data["milestones"][4]["due"] = "31.06.18"
    data["milestones"][7]["owner"] = "iro-manager"
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    done = qib("import", "plan.yaml", check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.rstrip("\n") == block


def test_a_plan_without_priorities_says_so_and_heads_its_areas_as_areas():
    """A council's plan may have no strategic priorities: its areas are not listed under that heading."""
    from bot.cli_plan import render_plan_text
    from qib_testing.plans import plan_data

    text = render_plan_text(plan_data(2, priorities=[], milestones=[]))
    lines = text.splitlines()
    assert "Strategic priorities: none" in lines
    heading = lines.index("Areas for improvement, with their milestones:")
    assert lines[heading + 2].startswith("AFI-1  Area 1")
