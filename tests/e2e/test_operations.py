"""What an operator relies on: /metrics scraped over real HTTP, JSON logs, and a quiet start."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from bot import metrics
from bot.app import create_app, make_client
from bot.logs import JsonFormatter
from bot.scheduler import Scheduler
from models.db import upgrade
from qib_testing.bots import Bot, bot_settings
from qib_testing.people import IRO
from qib_testing.slack_standin import FakeSlack

DIGEST_TIME = datetime(2020, 2, 12, 9, 0, tzinfo=UTC)


def scrape(bot: Bot) -> tuple[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    """GET /metrics over HTTP, parsed by prometheus_client's own parser: (content type, samples)."""
    with urllib.request.urlopen(f"{bot.http.base_url}/metrics", timeout=10) as answer:
        kind = answer.headers["Content-Type"]
        text = answer.read().decode("utf-8")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return kind, samples


def sample(name: str, **labels: str) -> float:
    """A metric's value in this process, read from prometheus_client's registry."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_slack_requests_by_kind_and_outcome_and_time_their_acks(bot: Bot):
    kind, before = scrape(bot)
    assert kind.startswith("text/plain") and "version=0.0.4" in kind
    bot.command("help")
    bot.command("status")
    unsigned = urllib.request.Request(
        f"{bot.http.base_url}/slack/events", data=b"command=%2Fqib", method="POST"
    )
    try:
        urllib.request.urlopen(unsigned, timeout=10)
    except urllib.error.HTTPError as refused:
        assert refused.code == 401
    _, after = scrape(bot)
    ok = ("qib_requests_total", {"kind": "command", "outcome": "ok"})
    assert value(after, ok[0], **ok[1]) - value(before, ok[0], **ok[1]) == 2
    refused_count = value(after, "qib_requests_total", kind="unverified", outcome="refused")
    assert refused_count - value(before, "qib_requests_total", kind="unverified", outcome="refused") == 1
    timed = value(after, "qib_request_seconds_count", kind="command") - value(
        before, "qib_request_seconds_count", kind="command"
    )
    assert timed == 2
    assert value(after, "qib_request_seconds_bucket", kind="command", le="+Inf") >= 2


def test_acks_over_two_and_a_half_seconds_are_counted():
    before = sample("qib_slow_acks_total", kind="event")
    metrics.observe_request("event", "200 OK", 2.4)
    metrics.observe_request("event", "200 OK", 2.6)
    assert sample("qib_slow_acks_total", kind="event") - before == 1


def test_scheduled_posts_and_the_last_tick_show_on_metrics(bot: Bot, database_url):
    _, before = scrape(bot)
    settings = bot_settings(database_url, bot.slack)
    Scheduler(bot.deps, settings, make_client(settings), worker="metrics-test").tick(DIGEST_TIME)
    _, after = scrape(bot)
    for outcome in ("due", "posted"):
        moved = value(after, "qib_scheduled_posts_total", kind="digest", outcome=outcome) - value(
            before, "qib_scheduled_posts_total", kind="digest", outcome=outcome
        )
        assert moved == 1, outcome
    assert value(after, "qib_scheduled_posts_total", kind="digest", outcome="failed") == value(
        before, "qib_scheduled_posts_total", kind="digest", outcome="failed"
    )
    last = value(after, "qib_scheduler_last_tick_timestamp_seconds")
    assert last > value(before, "qib_scheduler_last_tick_timestamp_seconds")
    assert abs(last - datetime.now(UTC).timestamp()) < 120  # real time, whatever the tick's clock


def test_the_outbox_shows_what_it_posted_and_what_waits(bot: Bot):
    _, before = scrape(bot)
    bot.slack.fail("chat.postMessage", status=503, times=None)  # Slack down: the line must wait
    bot.command("update M-05 on track 20% Slack is down", user=IRO)
    _, waiting = scrape(bot)
    assert value(waiting, "qib_outbox_backlog") == 1
    retried = value(waiting, "qib_outbox_messages_total", outcome="retried")
    assert retried - value(before, "qib_outbox_messages_total", outcome="retried") == 1
    bot.slack.clear_failures()  # Slack is back
    bot.clock[0] += timedelta(minutes=1)  # past the backoff
    bot.deps.outbox.ring()
    _, after = scrape(bot)
    assert value(after, "qib_outbox_backlog") == 0
    posted = value(after, "qib_outbox_messages_total", outcome="posted")
    assert posted - value(waiting, "qib_outbox_messages_total", outcome="posted") == 1


def test_a_failed_digest_is_counted_as_failed(bot: Bot, database_url):
    settings = bot_settings(database_url, bot.slack)
    bot.slack.fail("chat.postMessage", status=200, error="channel_not_found", times=None)
    before = sample("qib_scheduled_posts_total", kind="digest", outcome="failed")
    report = Scheduler(bot.deps, settings, make_client(settings), worker="metrics-test").tick(DIGEST_TIME)
    assert report.problems
    assert sample("qib_scheduled_posts_total", kind="digest", outcome="failed") - before == 1


def test_json_logs_are_one_object_per_line(durham, database_url, slack: FakeSlack, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_", "LOG_"))}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-tick",
        SLACK_API_URL=slack.base_url,
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "tick", "--now", DIGEST_TIME.isoformat()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r["message"] == "digest for the meeting on 2020-02-20 posted" for r in records)


def test_a_stack_trace_stays_inside_its_one_json_line():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "qib.x", logging.ERROR, __file__, 1, "failed: %s", ("why",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed: why" and entry["level"] == "ERROR"
    assert "Traceback" in entry["exception"] and "RuntimeError: boom" in entry["exception"]


def test_starting_with_a_bot_token_gives_no_bolt_warning(
    durham, engine, database_url, slack, caplog, monkeypatch
):
    from bot.deps import Deps
    from models.db import make_sessionmaker

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")  # Bolt reads it too, as in `qib run`
    settings = bot_settings(database_url, slack)
    with caplog.at_level(logging.WARNING):
        create_app(settings, Deps(engine=engine, sessions=make_sessionmaker(engine)))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_alembic_speaks_only_when_a_migration_runs(engine, tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        upgrade(engine)  # already at head
    assert [r for r in caplog.records if r.name.startswith("alembic")] == []
    fresh = create_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with caplog.at_level(logging.INFO):
        upgrade(fresh)
    assert any("Running upgrade" in r.getMessage() for r in caplog.records if r.name.startswith("alembic"))
    fresh.dispose()


def test_an_http_bot_starts_quietly_logs_json_and_serves_metrics(database_url, durham, slack, tmp_path):
    from qib_testing.people import SECRET
    from tests.e2e.test_processes import bot_env, start_bot

    env = bot_env(database_url, slack, SLACK_SIGNING_SECRET=SECRET, SCHEDULER="false", LOG_FORMAT="json")
    proc = start_bot(["--http", "--host", "127.0.0.1", "--port", "0"], env, tmp_path)
    try:
        assert proc.stderr is not None
        seen: list[dict] = []
        while not any(r["message"].startswith("listening on") for r in seen):
            line = proc.stderr.readline()
            assert line, f"the bot stopped: {seen}"
            seen.append(json.loads(line))
        port = seen[-1]["message"].rsplit(":", 1)[1].split("/")[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            assert b"\nqib_scheduler_last_tick_timestamp_seconds " in answer.read()
        proc.terminate()
        assert proc.wait(15) == 0
        seen += [json.loads(line) for line in proc.stderr.read().splitlines()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert not [r for r in seen if r["logger"].startswith("alembic")]
    assert not [r for r in seen if "token" in r["message"]]  # Bolt's warning about `token`
    # waitress.queue warns when this (loaded) test machine leaves a request waiting for a thread: load,
    # not start-up noise.
    assert not [r for r in seen if r["level"] in {"WARNING", "ERROR"} and r["logger"] != "waitress.queue"]
