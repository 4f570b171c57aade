"""The soak: two bot processes in HTTP mode on one PostgreSQL database, their schedulers ticking, mixed
traffic from a load process, `qib tick` processes walking the calendar so that digests fall due, and a
database restart in the middle. Run by `make soak` (SOAK_MINUTES, default 30; SOAK_MINUTES=1 for a
quick check); excluded from `make test`.

It prints a report (requests served, errors, updates recorded against acknowledged, digests posted
against meetings due) and asserts what must hold: nobody told "saved" is missing an update, nobody told
"failed" has one, every update is whole, one digest per due meeting and no other, both processes up.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, create_engine, make_url, select, text

from bot.scheduler import LOOK_AHEAD, LOOK_BACK, MARKER
from bot.services.calendar import schedule_for
from bot.services.planfile import import_plan, read_plan_file
from models import Milestone
from models.db import make_engine, make_sessionmaker, upgrade
from qib_testing.people import SECRET
from qib_testing.slack_standin import BOARD_CHANNEL_ID, SignedClient
from seeds import DURHAM
from tests.reliability.conftest import (
    ON_POSTGRES,
    ROOT,
    BotProcess,
    assert_updates_are_whole,
    get_status,
    process_env,
    recorded_keys,
    start_process,
)
from tests.reliability.flaky_slack import FlakySlack
from tests.reliability.outcomes import modal_outcome, told
from tests.reliability.tcp_proxy import TcpProxy

MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
OUTAGE_SECONDS = float(os.environ.get("SOAK_OUTAGE_SECONDS", "5"))
SEED_TIME = datetime(2020, 1, 15, 9, 0, tzinfo=UTC)
SIM_START = datetime(2020, 2, 10, 9, 30, tzinfo=UTC)  # `qib tick --now` walks from here, a day a step
CHANNEL = BOARD_CHANNEL_ID  # #qib-board, the Durham plan's board channel, as Slack answers it
AREAS = 6

pytestmark = [
    pytest.mark.soak,
    pytest.mark.timeout(int(MINUTES * 60 + 900)),
    pytest.mark.skipif(
        not ON_POSTGRES, reason="the soak runs two bot processes on one PostgreSQL database (make soak)"
    ),
]


class SoakSlack(FlakySlack):
    """The Slack stand-in, remembering only what the soak reads back (a long run makes many calls):
    every payload is still checked against Slack's limits as it arrives."""

    KEEP = ("text", "channel", "thread_ts", "response_type", "metadata", "reply_broadcast", "user_id")

    def _record(self, method, args, headers, status, body, violations, *, failed, path=""):  # type: ignore[no-untyped-def]
        slim = {k: v for k, v in args.items() if k in self.KEEP}
        super()._record(method, slim, {}, status, {k: body[k] for k in ("ok", "ts", "error") if k in body},
                        violations, failed=failed, path=path)  # fmt: skip

    def _store_message(self, channel, message):  # type: ignore[no-untyped-def]
        super()._store_message(channel, {k: v for k, v in message.items() if k != "blocks"})


# ---------------------------------------------------------------------- a database of the soak's own


@pytest.fixture
def soak_database() -> Iterator[tuple[str, Engine, str]]:
    """A database created for this soak and dropped after it, on the shared server (never restarted)."""
    server = make_url(os.environ["QIB_TEST_DATABASE_URL"])
    name = f"qib_soak_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine).begin() as db:
            import_plan(db, read_plan_file(DURHAM), now=SEED_TIME)
        yield url, engine, name
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def restart_database(server_url: str, name: str, proxy: TcpProxy, seconds: float) -> int:
    """What the bots see when PostgreSQL restarts: every session of the soak's database ends, and for a
    while nothing answers. The server itself (shared with others) keeps running."""
    proxy.cut()
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
    finally:
        admin.dispose()
    time.sleep(seconds)
    proxy.restore()
    return int(ended)


# ---------------------------------------------------------------------- ticking through the calendar


@dataclass
class Ticker:
    """Pairs of `qib tick --now T` processes at once (racing for the claims), T a day later each step."""

    url: str
    slack: FlakySlack
    cwd: Path
    now: datetime = SIM_START
    runs: Counter[str] = field(default_factory=Counter)
    last_ok: datetime | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def step(self) -> None:
        env = process_env(self.url, self.slack)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", "tick", "--now", self.now.isoformat()],
                cwd=self.cwd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            for _ in range(2)
        ]
        codes = [p.wait(120) for p in procs]
        self.runs.update("ok" if c == 0 else "failed" for c in codes)
        if all(c == 0 for c in codes):
            self.last_ok = self.now
        self.now += timedelta(days=1)

    def run(self) -> None:
        while not self.stop.is_set():
            self.step()


def due_digests(engine: Engine, frm: datetime, to: datetime) -> set[str]:
    """Meetings whose digest fell due by `to` and that had not started at `frm`: each gets one digest
    (the tick runs at least daily, and a digest is due days before its meeting)."""
    from bot.deps import Deps
    from bot.scheduler import Scheduler
    from bot.settings import Settings

    sched = Scheduler(Deps(engine=engine, sessions=make_sessionmaker(engine)), Settings(_env_file=None), None)  # type: ignore[arg-type]
    rule = sched.rule()
    assert rule is not None
    tz = ZoneInfo(rule.tz)
    due = set()
    for meeting in rule.meetings(
        frm.astimezone(tz).date() - LOOK_BACK, to.astimezone(tz).date() + LOOK_AHEAD
    ):
        when = schedule_for(
            meeting,
            digest_working_days=rule.timing.digest_working_days,
            reminder_working_days=rule.timing.reminder_working_days,
            post_time=rule.timing.post_time,
            tz=rule.tz,
        )
        if when.digest_at <= to and meeting.starts_at > frm:
            due.add(meeting.on.isoformat())
    return due


# ---------------------------------------------------------------------- the soak


def test_two_bots_under_mixed_load_through_a_database_restart_lose_nothing_and_post_each_digest_once(
    soak_database, tmp_path, capsys
):
    url, engine, name = soak_database
    real = make_url(url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432).start()
    proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    slack = SoakSlack().start()
    bots: list[BotProcess] = []
    ticker = Ticker(proxied, slack, tmp_path)
    real_start = datetime.now(UTC)
    try:
        for i in range(2):
            env = process_env(proxied, slack, SCHEDULER="true")
            bots.append(start_process(["run", "--http", "--host", "127.0.0.1", "--port", "0"], env, tmp_path,
                                      tmp_path / f"bot{i}.log"))  # fmt: skip
        with make_sessionmaker(engine)() as db:
            open_milestones = list(db.scalars(select(Milestone.code).where(Milestone.status != "complete")))
        seconds = MINUTES * 60
        load_out = tmp_path / "load.jsonl"
        load = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.soak_load", "--bots", ",".join(b.base_url for b in bots),
             "--slack-port", str(slack.port), "--seconds", str(seconds), "--milestones", ",".join(open_milestones),
             "--out", str(load_out)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        ticking = threading.Thread(target=ticker.run, name="ticker", daemon=True)
        ticking.start()

        time.sleep(seconds / 2)
        ended_sessions = restart_database(os.environ["QIB_TEST_DATABASE_URL"], name, proxy, OUTAGE_SECONDS)
        alive_after_restart = [b.alive() for b in bots]

        load_output, _ = load.communicate(timeout=seconds + 600)
        assert load.returncode == 0, load_output
        ticker.stop.set()
        ticking.join(300)
        ticker.now -= timedelta(days=1)
        ticker.step()  # a last step, with everything up, at the last day walked
        real_end = datetime.now(UTC)

        records = [json.loads(line) for line in load_out.read_text().splitlines()]
        ledger, unconfirmed = outcomes(records, slack)
        reconciled = reconcile(unconfirmed, records, bots[0], slack)
        for key, outcome in reconciled.items():
            ledger.setdefault(key, []).append(outcome)

        health = [get_status(b.base_url + "/healthz") for b in bots]
        report = build_report(
            records, ledger, reconciled, slack, engine, bots, ticker, ended_sessions, health,
            due=due_digests(engine, SIM_START, ticker.last_ok or SIM_START) | due_digests(engine, real_start, real_end),
        )  # fmt: skip
        (tmp_path / "soak-report.json").write_text(json.dumps(report, indent=2, default=str))
        with capsys.disabled():
            print("\n" + render(report))

        assert all(alive_after_restart) and report["processes"]["alive"] == [True, True]
        assert report["updates"]["told_saved_but_missing"] == []
        assert report["updates"]["told_failed_but_recorded"] == []
        assert report["updates"]["recorded"] == report["updates"]["acknowledged"]
        assert report["digests"]["posted_per_meeting"] == {m: 1 for m in report["digests"]["due"]}
        assert report["digests"]["threads_complete"]
        assert all(n == 1 for n in report["announcement_threads"]["parents_per_area"].values())
        assert report["requests"]["transport_errors"] == 0
        assert report["requests"]["load_errors"] == 0, [r for r in records if r["kind"] == "load_error"][:5]
        assert report["requests"]["http_5xx"] == 0
        assert report["errors"]["unhandled_in_logs"] == 0
        assert health == [200, 200]
        assert_updates_are_whole(engine)
        slack.assert_no_violations()
    finally:
        ticker.stop.set()
        for b in bots:
            if b.alive():
                b.proc.kill()
                b.proc.wait(10)
        slack.stop()
        proxy.close()


# ---------------------------------------------------------------------- reading what happened


def outcomes(records: list[dict[str, Any]], slack: FlakySlack) -> tuple[dict[str, list[str]], set[str]]:
    """Every update key with what its sender was told each time; and the keys never confirmed either way."""
    ledger: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for r in records:
        if r.get("key"):
            ledger.setdefault(r["key"], [])
            if r.get("told"):
                ledger[r["key"]].append(r["told"])
            if r.get("name"):
                names[r["name"]] = r["key"]
    for call in slack.calls_to("response_url"):
        key = names.get(call.path.rsplit("/", 1)[-1])
        if key is not None:
            ledger[key].append(told(call.args.get("text")))
    unconfirmed = {k for k, told_ in ledger.items() if "saved" not in told_ and set(told_) != {"failed"}}
    return ledger, unconfirmed


def reconcile(
    unconfirmed: set[str], records: list[dict[str, Any]], bot: BotProcess, slack: FlakySlack
) -> dict[str, str]:
    """A person who was told neither "saved" nor "failed" sends the same request again (the same modal,
    the same command): with everything up, the answer settles it, and the update is saved once."""
    sent = {r["key"]: r for r in records if r.get("body")}
    http = SignedClient(bot.base_url, SECRET, timeout=30)
    settled: dict[str, str] = {}
    for key in sorted(unconfirmed):
        original = sent[key]
        if key.startswith("view:"):
            status, _, answer = http.post("/slack/events", original["body"], original["content_type"])
            settled[key] = modal_outcome(status, answer)
            continue
        name = original["name"]
        before = len([c for c in slack.calls_to("response_url") if c.path.endswith("/" + name)])
        http.post("/slack/events", original["body"], original["content_type"])
        replies = slack.wait_for(
            "response_url", count=before + 1, timeout=30, predicate=lambda c, n=name: c.path.endswith("/" + n)
        )
        settled[key] = told(replies[-1].args.get("text"))
    return settled


def build_report(
    records: list[dict[str, Any]],
    ledger: dict[str, list[str]],
    reconciled: dict[str, str],
    slack: FlakySlack,
    engine: Engine,
    bots: list[BotProcess],
    ticker: Ticker,
    ended_sessions: int,
    health: list[int],
    *,
    due: set[str],
) -> dict[str, Any]:
    by_kind = Counter(r["kind"] for r in records)
    statuses = Counter(str(r["status"]) for r in records)
    latencies = sorted(r["ms"] for r in records)
    slack_requests = [r for r in records if r["kind"] != "healthz"]
    recorded = recorded_keys(engine)
    acknowledged = {k for k, told_ in ledger.items() if "saved" in told_}
    failed_only = {k for k, told_ in ledger.items() if told_ and set(told_) == {"failed"}}
    digests = [m for m in slack.posts(CHANNEL) if (m.get("metadata") or {}).get("event_type") == MARKER]
    per_meeting = Counter(m["metadata"]["event_payload"]["meeting_on"] for m in digests)
    threads_complete = all(
        len(replies := [r["text"] for r in slack.messages(CHANNEL) if r.get("thread_ts") == m["ts"] and r["ts"] != m["ts"]])
        == len(set(replies)) == AREAS
        for m in digests
    )  # fmt: skip
    parents = Counter(
        m["text"] for m in slack.posts(CHANNEL) if str(m.get("text", "")).startswith("Updates: ")
    )
    logs = [b.log_text() for b in bots]
    return {
        "minutes": MINUTES,
        "requests": {
            "sent": len(records),
            "served": sum(1 for r in records if isinstance(r["status"], int) and r["status"] < 500),
            "by_kind": dict(by_kind),
            "http_status": dict(statuses),
            "http_5xx": sum(1 for r in slack_requests if isinstance(r["status"], int) and r["status"] >= 500),
            "transport_errors": sum(
                1 for r in records if not isinstance(r["status"], int) and r["kind"] != "load_error"
            ),
            "load_errors": sum(1 for r in records if r["kind"] == "load_error"),
            "healthz_503": sum(1 for r in records if r["kind"] == "healthz" and r["status"] == 503),
            "latency_ms": {
                "p50": statistics.median(latencies) if latencies else None,
                "p95": latencies[int(len(latencies) * 0.95)] if latencies else None,
                "max": latencies[-1] if latencies else None,
            },
        },
        "errors": {
            "unhandled_in_logs": sum(log.count("unhandled error") for log in logs),
            "database_unavailable_in_logs": sum(log.count("database unavailable") for log in logs),
            "scheduler_tick_failures_in_logs": sum(log.count("scheduler tick failed") for log in logs),
            "tick_processes": dict(ticker.runs),
        },
        "database_restart": {"sessions_ended": ended_sessions, "outage_seconds": OUTAGE_SECONDS},
        "updates": {
            "sent": len(ledger),
            "acknowledged": len(acknowledged),
            "recorded": len(recorded),
            "told_failed": len(failed_only),
            "unconfirmed_then_resent": len(reconciled),
            "modal_resubmissions": sum(1 for r in records if r.get("resubmitted")),
            "told_saved_but_missing": sorted(acknowledged - recorded),
            "told_failed_but_recorded": sorted(failed_only & recorded),
            "recorded_but_never_acknowledged": sorted(recorded - acknowledged),
        },
        "digests": {
            "due": sorted(due),
            "posted": len(digests),
            "posted_per_meeting": dict(sorted(per_meeting.items())),
            "threads_complete": threads_complete,
            "simulated_until": ticker.last_ok.isoformat() if ticker.last_ok else None,
        },
        "announcement_threads": {"parents_per_area": dict(parents)},
        "processes": {"alive": [b.alive() for b in bots], "healthz": health},
    }


def render(report: dict[str, Any]) -> str:
    r, u, d, e = report["requests"], report["updates"], report["digests"], report["errors"]
    lines = [
        f"=== soak: {report['minutes']} minute(s), 2 bot processes, database restart of "
        f"{report['database_restart']['outage_seconds']}s ({report['database_restart']['sessions_ended']} sessions ended)",
        f"requests: {r['sent']} sent, {r['served']} served; by kind {r['by_kind']}",
        f"  HTTP {r['http_status']}; 5xx {r['http_5xx']}; transport errors {r['transport_errors']}; "
        f"/healthz 503 {r['healthz_503']} (during the restart); latency ms {r['latency_ms']}",
        f"errors: unhandled {e['unhandled_in_logs']}; 'database unavailable' told {e['database_unavailable_in_logs']}; "
        f"scheduler ticks failed {e['scheduler_tick_failures_in_logs']}; qib tick runs {e['tick_processes']}",
        f"updates: {u['sent']} sent, {u['acknowledged']} acknowledged, {u['recorded']} recorded, "
        f"{u['told_failed']} told failed, {u['unconfirmed_then_resent']} unconfirmed then resent, "
        f"{u['modal_resubmissions']} modal resubmissions",
        f"  told saved but missing {u['told_saved_but_missing']}; told failed but recorded "
        f"{u['told_failed_but_recorded']}; recorded but never acknowledged {u['recorded_but_never_acknowledged']}",
        f"digests: {d['posted']} posted for {len(d['due'])} due meetings (simulated until {d['simulated_until']}); "
        f"per meeting {d['posted_per_meeting']}; threads complete {d['threads_complete']}",
        f"announcement thread parents per area: {report['announcement_threads']['parents_per_area']}",
        f"processes alive {report['processes']['alive']}, /healthz {report['processes']['healthz']}",
    ]
    return "\n".join(lines)
