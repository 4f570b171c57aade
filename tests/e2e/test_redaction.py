"""/qib redact: an update's text taken out of the database, every Slack message the bot posted with it
(checked in the Slack stand-in's channel history), the frozen digest and its board paper, and qib export."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import yaml
from sqlalchemy import select

from bot.app import make_client
from bot.deps import Deps
from bot.scheduler import Scheduler
from bot.services.digest import frozen_digest
from bot.services.digest_export import to_html, to_markdown
from bot.services.planfile import dump_yaml, export_plan
from models import AuditEvent, Milestone, ProgressUpdate, RedactionEdit
from models.db import make_sessionmaker
from qib_testing.bots import bot_settings
from qib_testing.people import CHAIR, IRO
from tests.e2e.test_updates import open_modal, state

NOTE = "Escalated drift on Jayden Smith's plan; mum Kerry Smith not engaging"
DIGEST_TIME = datetime(2020, 2, 12, 9, 0, tzinfo=UTC)
AFTER = datetime(2020, 2, 13, 10, 0, tzinfo=UTC)


def save_override(bot) -> None:
    view = open_modal(bot, user=IRO)
    values = state("M-05", "at risk", "25", NOTE, confirm=True)
    values["override_reason"] = {"value": "checked with the team"}
    values["next_steps"] = {"value": "Recovery plan agreed"}  # at risk needs its recovery action
    status, text = bot.submit(view, values, user=IRO, view_id="VREDACT")
    assert (status, text) == (200, "")


def everything_in_slack(bot) -> str:
    channels = {c.args.get("channel") for c in bot.slack.calls}
    stored = []
    for channel in list(channels) + [c.response.get("channel") for c in bot.slack.calls if c.response]:
        if channel:
            stored += bot.slack.messages(str(channel))
    return json.dumps(stored)


def reference(bot) -> str:
    """The reference of the update given over Slack, as /qib history shows it."""
    with bot.deps.sessions() as db:
        update_id = db.scalars(select(ProgressUpdate.id).where(ProgressUpdate.source == "slack")).one()
    [reply] = bot.command("history M-05", user=CHAIR)
    assert f"U-{update_id}" in re.findall(r"U-[0-9]+", json.dumps(reply))
    return f"U-{update_id}"


def scheduler(bot, database_url, engine) -> Scheduler:
    settings = bot_settings(database_url, bot.slack)
    return Scheduler(Deps(engine=engine, sessions=make_sessionmaker(engine)), settings, make_client(settings))


def test_history_shows_a_reference_for_each_update(bot):
    bot.command("update M-05 on track 20% Checklist agreed", user=IRO)
    [reply] = bot.command("history M-05", user=CHAIR)
    with bot.deps.sessions() as db:
        ids = db.scalars(select(ProgressUpdate.id).join(Milestone).where(Milestone.code == "M-05")).all()
    assert sorted(re.findall(r"U-[0-9]+", json.dumps(reply["blocks"]))) == sorted(f"U-{i}" for i in ids)


def test_a_redacted_update_is_gone_from_the_database_slack_the_digest_and_the_export(
    bot, database_url, engine
):
    save_override(bot)
    sched = scheduler(bot, database_url, engine)
    sched.tick(DIGEST_TIME)
    assert "Jayden Smith" in everything_in_slack(bot)  # the announcement and the digest carried it
    with bot.deps.sessions() as db:
        assert "Jayden Smith" in json.dumps(
            frozen_digest(db=db, plan_id=bot.deps.plan_id()).model_dump(mode="json")
        )

    ref = reference(bot)
    bot.clock[0] = AFTER
    [reply] = bot.command(f"redact {ref} child's name in the note", user=CHAIR)
    assert f"{ref} (M-05) is redacted" in reply["text"]
    assert "Jayden" not in json.dumps(reply)

    marker = "[redacted 2020-02-13 by Sam Carter: child's name in the note]"
    with bot.deps.sessions() as db:
        row = db.scalars(select(ProgressUpdate).where(ProgressUpdate.source == "slack")).one()
        assert row.note == marker and row.redacted_at is not None
        plan_id = bot.deps.plan_id()
        exported = dump_yaml(export_plan(db, plan_id))
        frozen = frozen_digest(db=db, plan_id=plan_id)
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "redact")).one()
        assert db.scalars(select(RedactionEdit).where(RedactionEdit.done_at.is_(None))).all() == []
    slack_now = everything_in_slack(bot)
    assert "Jayden" not in slack_now and "Kerry" not in slack_now
    assert "[redacted 2020-02-13 by Sam Carter" in slack_now
    assert "Jayden" not in exported
    notes = [u.get("note") for m in yaml.safe_load(exported)["milestones"] for u in m.get("updates", [])]
    assert marker in notes
    paper = to_markdown(frozen.digest, posted_at=frozen.posted_at) + to_html(
        frozen.digest, posted_at=frozen.posted_at
    )
    assert "Jayden" not in paper and f"{ref} redacted on 2020-02-13 by Sam Carter" in paper
    assert audit.actor == "Sam Carter" and audit.after["reason"] == "child's name in the note"
    assert audit.after["kinds"] == ["person_name"]
    assert "Jayden" not in json.dumps(audit.after)


def test_only_an_admin_or_the_privacy_officer_can_redact(bot):
    bot.command("update M-05 on track 20% Checklist agreed", user=IRO)
    ref = reference(bot)
    [reply] = bot.command(f"redact {ref} wrong", user=IRO)
    assert "Only a plan admin or the privacy officer" in reply["text"]
    with bot.deps.sessions() as db:
        assert db.scalars(select(ProgressUpdate.note).where(ProgressUpdate.source == "slack")).one() == (
            "Checklist agreed"
        )


@pytest.mark.parametrize("args", ["U-99999 reason", "M-05 reason", "U-1"])
def test_a_bad_reference_or_no_reason_is_a_friendly_answer(bot, args):
    [reply] = bot.command(f"redact {args}", user=CHAIR)
    assert re.search(r"no update U-99999|not an update reference|reference and the reason", reply["text"])


def test_a_failed_slack_edit_is_retried_by_the_scheduler_and_reported(bot, database_url, engine):
    save_override(bot)
    ref = reference(bot)
    bot.slack.fail("chat.update", status=200, error="not_in_channel", times=1)
    [reply] = bot.command(f"redact {ref} child's name", user=CHAIR)
    assert "could not be edited yet" in reply["text"]
    assert "Jayden" in everything_in_slack(bot)
    [warning] = [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args["channel"] == CHAIR and "Redaction of" in c.args["text"]
    ]
    assert "not_in_channel" in warning.args["text"] and "keep trying" in warning.args["text"]

    report = scheduler(bot, database_url, engine).tick(AFTER)
    assert "1 redaction edit(s)" in report.posted
    assert "Jayden" not in everything_in_slack(bot)
    told = [c.args["text"] for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == CHAIR]
    assert any(f"Redaction of {ref}: every Slack message" in t for t in told)
    with bot.deps.sessions() as db:
        assert db.scalars(select(RedactionEdit).where(RedactionEdit.done_at.is_(None))).all() == []
        assert db.scalar(select(Milestone.code).where(Milestone.code == "M-05")) == "M-05"
