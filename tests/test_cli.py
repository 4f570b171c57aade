"""The `qib` command as a user runs it: a real process, the real database, output on stdout/stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
