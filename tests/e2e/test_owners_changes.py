"""Owner changes and reopenings: both owners are told, and /qib history shows them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.services.milestone_events import milestone_events
from bot.services.planfile import dump_yaml, export_plan, import_plan, parse_plan_text
from models import Milestone, Plan, ProgressUpdate
from qib_testing.people import CHAIR, IRO, PRACTICE_LEAD
from tests.conftest import SEED_TIME, empty_all_tables
from tests.e2e.test_owners_form import choose_status
from tests.e2e.test_updates import history, open_modal, state


def dms_to(bot, user: str) -> list[str]:
    return [c.args["text"] for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == user]


def test_an_owner_change_tells_the_new_and_the_old_owner_and_is_in_history(bot):
    [reply] = bot.command(f"owner M-05 <@{PRACTICE_LEAD}|drew>", user=CHAIR)
    assert "now owned by Drew Lawson" in reply["text"]
    bot.slack.wait_for("chat.postMessage", count=2)
    [to_new] = dms_to(bot, PRACTICE_LEAD)
    [to_old] = dms_to(bot, IRO)
    assert "*M-05*" in to_new and "is now yours" in to_new and "Alex Morgan" in to_new
    assert "is now owned by Drew Lawson" in to_old and "no longer need to update it" in to_old
    [history] = bot.command("history M-05", user=CHAIR)
    assert "changed the owner from Alex Morgan to Drew Lawson" in history["text"]


def test_both_owners_are_told_once_even_when_slack_is_down_at_first(bot):
    bot.slack.fail("chat.postMessage", status=503, times=None)
    [reply] = bot.command(f"owner M-05 <@{PRACTICE_LEAD}|drew>", user=CHAIR)
    assert "now owned by Drew Lawson" in reply["text"]  # saved: the DMs wait in the outbox
    bot.slack.clear_failures()
    bot.clock[0] += timedelta(minutes=1)  # past the outbox's backoff
    bot.deps.outbox.ring()
    bot.deps.outbox.ring()  # a second drain finds nothing left to send
    delivered = [c for c in bot.slack.calls_to("chat.postMessage") if not c.failed]
    assert sorted(c.args["channel"] for c in delivered) == sorted([PRACTICE_LEAD, IRO])


def test_the_admin_who_changes_an_owner_is_not_told_of_it(bot):
    bot.command(f"owner M-05 <@{CHAIR}|sam>", user=CHAIR)  # the chair takes M-05 on from Alex Morgan
    [dm] = bot.slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == IRO
    bot.deps.outbox.ring()
    assert [c.args["channel"] for c in bot.slack.calls_to("chat.postMessage")] == [IRO]


def test_a_reopening_and_its_reason_are_in_history(bot):
    view = open_modal(bot, "update M-16", user=IRO)  # M-16 is complete
    reopening = choose_status(bot, view, state("M-16", "complete", "100", None), "at risk")
    values = state("M-16", "at risk", "80", "February audit found four reviews late")
    values["next_steps"] = {"value": "Weekly checks"}
    values["reopen_reason"] = {"value": "Audit found four reviews out of timescale"}
    assert bot.submit(reopening, values, user=IRO, view_id="VREOPEN") == (200, "")
    assert history(bot, "M-16")[-1][:2] == ("at risk", 80)
    [shown] = bot.command("history M-16", user=IRO)
    assert "reopened it (complete -&gt; at risk): Audit found four reviews out of timescale" in shown["text"]


def reopen_m16(bot, user: str, view_id: str) -> None:
    """Reopen M-16 (complete, owned by Alex Morgan) from the form, as `user`."""
    view = open_modal(bot, "update M-16", user=user)
    reopening = choose_status(bot, view, state("M-16", "complete", "100", None), "at risk")
    values = state("M-16", "at risk", "80", "February audit found four reviews late")
    values["next_steps"] = {"value": "Weekly checks"}
    values["reopen_reason"] = {"value": "Audit found four reviews out of timescale"}
    assert bot.submit(reopening, values, user=user, view_id=view_id) == (200, "")


def test_a_reopening_by_its_owner_tells_the_chair_and_not_the_owner(bot):
    reopen_m16(bot, IRO, "VREOPEN3")
    [dm] = bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == CHAIR)
    text = dm.args["text"]
    assert "*M-16*" in text and "*reopened* by Alex Morgan" in text and "80%" in text
    assert "/qib history M-16" in text
    assert "Audit found" not in text  # the reason stays in history, where a redaction reaches it
    assert not [t for t in dms_to(bot, IRO) if "reopened" in t]


def test_a_reopening_by_the_chair_tells_the_owner_once_and_not_the_chair(bot):
    reopen_m16(bot, CHAIR, "VREOPEN4")
    [dm] = bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == IRO)
    assert "*reopened* by Sam Carter" in dm.args["text"]
    bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == CHAIR)  # the receipt
    assert [t for t in dms_to(bot, IRO) if "reopened" in t] == [dm.args["text"]]
    assert not [t for t in dms_to(bot, CHAIR) if "reopened" in t]


def test_a_reopening_reason_is_in_the_export_and_survives_a_round_trip(bot, engine):
    view = open_modal(bot, "update M-16", user=IRO)
    reopening = choose_status(bot, view, state("M-16", "complete", "100", None), "at risk")
    values = state("M-16", "at risk", "80", "Four reviews late")
    values["next_steps"] = {"value": "Weekly checks"}
    values["reopen_reason"] = {"value": "Audit found four reviews out of timescale"}
    assert bot.submit(reopening, values, user=IRO, view_id="VREOPEN2") == (200, "")
    with bot.deps.sessions() as db:
        text = dump_yaml(export_plan(db, db.scalars(select(Plan.id)).one()))
    assert "reopen_reason: Audit found four reviews out of timescale" in text
    empty_all_tables(engine)
    with bot.deps.sessions.begin() as db:
        import_plan(db, parse_plan_text(text, "export.yaml"), now=SEED_TIME)
    with bot.deps.sessions() as db:
        reasons = db.scalars(
            select(ProgressUpdate.reopen_reason).where(ProgressUpdate.reopen_reason.is_not(None))
        )
        assert list(reasons) == ["Audit found four reviews out of timescale"]


def test_owner_changes_and_a_pending_date_are_in_the_export_and_survive_a_round_trip(bot, engine):
    bot.command(f"owner M-05 <@{PRACTICE_LEAD}|drew>", user=CHAIR)
    bot.command("update M-06 due 2020-09-30 because the trainer moved the course", user=CHAIR)
    with bot.deps.sessions() as db:
        text = dump_yaml(export_plan(db, db.scalars(select(Plan.id)).one()))
    assert "owner_changes:" in text and "due_requested: 2020-09-30" in text
    assert "due_request_reason: the trainer moved the course" in text
    empty_all_tables(engine)
    with bot.deps.sessions.begin() as db:
        import_plan(db, parse_plan_text(text, "export.yaml"), now=SEED_TIME)
    with bot.deps.sessions() as db:  # the re-imported plan has a new id (PostgreSQL): read it directly
        events = milestone_events(db, db.scalars(select(Plan.id)).one(), "M-05")
        assert "changed the owner from Alex Morgan to Drew Lawson" in [e.what for e in events]
        m6 = db.scalars(select(Milestone).where(Milestone.code == "M-06")).one()
        assert (m6.due_requested, m6.due_request_reason) == (
            date(2020, 9, 30),
            "the trainer moved the course",
        )


def test_a_quick_due_date_with_a_status_and_percent_keeps_them(bot):
    [reply] = bot.command("update M-05 on track 30% due 2020-09-30 because the audit moved", user=IRO)
    assert "Saved: M-05: not started -&gt; on track, 0% -&gt; 30%" in reply["text"]
    assert "Asked the chair to move M-05" in reply["text"]
    assert history(bot, "M-05")[-1][:2] == ("on track", 30)
    with bot.deps.sessions() as db:
        m5 = db.scalars(select(Milestone).where(Milestone.code == "M-05")).one()
        assert (m5.due_requested, m5.due_request_reason) == (date(2020, 9, 30), "the audit moved")
