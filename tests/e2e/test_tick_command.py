"""`qib tick` and `qib digest --preview` as an operator runs them: real processes, the real database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from models import ScheduledPost
from models.db import make_sessionmaker
from qib_testing.slack_standin import FakeSlack


def qib(database_url: str, cwd, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_", "LOG_"))}
    env.update(DATABASE_URL=database_url, **extra)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def posts(engine) -> int:
    with make_sessionmaker(engine)() as db:
        return db.scalar(select(func.count(ScheduledPost.id))) or 0


def test_tick_dry_run_prints_the_digest_without_any_slack_setting_and_changes_nothing(
    database_url, engine, durham, tmp_path
):
    first = qib(database_url, tmp_path, "tick", "--dry-run", "--now", "2020-02-12T09:00")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert out.count("--- would be posted in the channel ---") == 1
    assert "DIGEST FOR THU 20 FEB" in out
    replies = out.split("--- would be a reply in the thread ---")[1:]
    charts = [r for r in replies if r.lstrip().startswith("[file ")]
    assert len(replies) - len(charts) == 6  # one reply per area
    assert any("brag" in c.lower() for c in charts) and len(charts) == 2  # the BRAG chart and KPI-3's trend
    assert "--- would be a direct message ---" in out  # the owners' reminders, due by then too
    assert "would post digest 2020-02-20" in out
    assert "nothing was posted and nothing was recorded" in out
    lines = out.splitlines()
    assert "--- posted in the channel ---" not in lines
    assert not [line for line in lines if line.startswith("posted ")]
    assert posts(engine) == 0
    again = qib(database_url, tmp_path, "tick", "--dry-run", "--now", "2020-02-12T09:00")
    assert again.stdout == out  # nothing was claimed, so the same would go out again


def test_a_real_tick_still_needs_the_bot_token_and_says_how_to_try_it(database_url, durham, tmp_path):
    done = qib(database_url, tmp_path, "tick", "--now", "2020-02-12T09:00")
    assert done.returncode == 2
    assert "--dry-run" in done.stderr


def test_tick_says_nothing_when_nothing_is_due_unless_asked(
    database_url, engine, durham, slack: FakeSlack, tmp_path
):
    slack_env = {"SLACK_BOT_TOKEN": "xoxb-tick", "SLACK_API_URL": slack.base_url}
    busy = qib(database_url, tmp_path, "tick", "--now", "2020-02-12T09:00", **slack_env)
    assert busy.returncode == 0, busy.stderr
    assert "posted digest 2020-02-20" in busy.stdout
    quiet = qib(database_url, tmp_path, "tick", "--now", "2020-02-12T09:05", **slack_env)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""
    assert "alembic" not in quiet.stderr  # an up-to-date database is not worth a line every minute
    verbose = qib(database_url, tmp_path, "tick", "-v", "--now", "2020-02-12T09:10", **slack_env)
    assert verbose.stdout == "nothing due\n"


def test_previewing_a_past_meeting_uses_its_digest_time_and_says_preview(database_url, durham, tmp_path):
    named = qib(database_url, tmp_path, "digest", "--preview", "--meeting", "2020-02-20")
    assert named.returncode == 0, named.stderr
    assert "preview, not posted: the digest for the meeting on 2020-02-20, as at 2020-02-12 09:00" in (
        named.stdout
    )
    assert "posted in the channel" not in named.stdout
    pinned = qib(database_url, tmp_path, "digest", "--preview", "--now", "2020-02-12T09:00")
    assert pinned.stdout == named.stdout  # the same paper as the board was sent


def test_previewing_without_a_meeting_previews_the_next_one_from_now(database_url, durham, tmp_path):
    done = qib(database_url, tmp_path, "digest", "--preview")
    assert done.returncode == 0, done.stderr
    head = done.stdout.splitlines()[0]
    assert head.startswith("--- preview, not posted: the digest for the meeting on ")
    meeting = date.fromisoformat(head.split("meeting on ")[1][:10])
    assert meeting >= datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).date()


PACIFIC_PLAN = """\
version: 1
plan: {title: Southby Plan, authority: Southby Council, timezone: America/Los_Angeles, digest_time: "17:00",
       channel: C0SOUTHBY}
areas:
  - {code: A, title: Leadership, description: "Leaders' grip on practice."}
people:
  - {key: sam, name: Sam Jones, role: Independent Chair, slack_user_id: U0SAM, roles: [chair, admin]}
milestones:
  - {code: "1", area: A, title: Performance clinics, owner: sam, due: 2026-05-10, status: on track, percent: 25}
board: {name: Southby Board, chair: sam, rrule: "FREQ=WEEKLY;INTERVAL=6;BYDAY=TH", start: 2026-01-08, time: "18:30"}
"""


def test_now_without_an_offset_is_read_in_the_plans_time_zone_not_london(
    database_url, engine, sessions, tmp_path
):
    (tmp_path / "plan.yaml").write_text(PACIFIC_PLAN)
    imported = qib(database_url, tmp_path, "import", "plan.yaml")
    assert imported.returncode == 0, imported.stderr
    # The digest for Thu 14 May goes out at 17:00 Pacific on Wed 6 May.
    preview = qib(database_url, tmp_path, "digest", "--preview", "--now", "2026-05-06T17:00")
    assert preview.returncode == 0, preview.stderr
    assert "as at 2026-05-06 17:00 PDT" in preview.stdout
    tick = qib(database_url, tmp_path, "tick", "--dry-run", "--now", "2026-05-06T17:00")
    assert tick.returncode == 0, tick.stderr
    assert "would post digest 2026-05-14" in tick.stdout
    early = qib(database_url, tmp_path, "tick", "--dry-run", "--now", "2026-05-06T16:59")
    assert "would post digest" not in early.stdout
    assert posts(engine) == 0
