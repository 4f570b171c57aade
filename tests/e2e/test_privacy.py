"""Children's personal data at the update form and the quick syntax, through the real app and Slack stand-in."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from models import AuditEvent, Person
from qib_testing.people import BOARD, CHAIR, IRO
from tests.e2e.test_updates import history, open_modal, state

NHS_AND_DOB = "NHS 943 476 5919 and DOB 14/03/2012 for Jayden"


def with_reason(values: dict, reason: str | None) -> dict:
    values["override_reason"] = {"value": reason}
    return values


def dms_to(bot, user: str) -> list[str]:
    return [c.args["text"] for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == user]


def test_the_confirmation_box_no_longer_saves_an_nhs_number_or_a_date_of_birth(bot):
    view = open_modal(bot, user=IRO)
    values = with_reason(state("M-05", "on track", "25", NHS_AND_DOB, confirm=True), "not a child")
    status, text = bot.submit(view, values, user=IRO)
    assert status == 200
    answer = json.loads(text)
    assert answer["response_action"] == "errors"
    assert "NHS number and a date of birth" in answer["errors"]["note"]
    assert "cannot be overridden" in answer["errors"]["note"]
    assert "confirm" not in answer["errors"]  # no box to tick for a hard identifier
    assert "5919" not in text and "14/03" not in text
    assert history(bot, "M-05") == []
    with bot.deps.sessions() as db:
        assert db.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data_override")).all() == []


def test_a_name_asks_for_the_box_and_a_reason_before_saving(bot):
    view = open_modal(bot, user=IRO)
    _, text = bot.submit(
        view, state("M-05", "on track", "25", "Escalated drift on Jayden Smith's plan"), user=IRO
    )
    answer = json.loads(text)
    assert "a person's name" in answer["errors"]["note"]
    assert set(answer["errors"]) == {"note", "confirm", "override_reason"}
    _, text = bot.submit(
        view,
        state("M-05", "on track", "25", "Escalated drift on Jayden Smith's plan", confirm=True),
        user=IRO,
    )
    assert set(json.loads(text)["errors"]) == {"override_reason"}
    assert history(bot, "M-05") == []


def test_a_confirmed_override_is_saved_audited_and_the_chair_is_told_without_the_text(bot):
    note = "Jayden (aged 7) plan escalated by IRO"
    view = open_modal(bot, user=IRO)
    values = with_reason(state("M-05", "on track", "25", note, confirm=True), "Jayden is a made-up example")
    status, text = bot.submit(view, values, user=IRO, view_id="VOVERRIDE")
    assert (status, text) == (200, "")
    assert history(bot, "M-05") == [("on track", 25, note, "slack")]
    bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == CHAIR)
    [notice] = dms_to(bot, CHAIR)  # Durham names no privacy officer: the board's chair is told
    assert "M-05" in notice and "Alex Morgan" in notice and "a first name with an age" in notice
    assert "Jayden" not in notice
    with bot.deps.sessions() as db:
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data_override")).one()
        assert audit.after["kinds"] == ["name_with_age"] and audit.actor == "Alex Morgan"


def test_the_privacy_officer_is_told_rather_than_the_chair(bot):
    with bot.deps.sessions.begin() as db:
        db.execute(update(Person).where(Person.key == "perf-manager").values(is_privacy_officer=True))
    officer = "U0QIB0011"
    view = open_modal(bot, user=IRO)
    values = with_reason(
        state("M-05", "on track", "25", "Kerry Smith joined the panel", confirm=True), "staff"
    )
    bot.submit(view, values, user=IRO)
    bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == officer)
    assert len(dms_to(bot, officer)) == 1
    assert dms_to(bot, CHAIR) == []


def test_a_quick_update_with_a_hard_identifier_saves_nothing_and_keeps_the_text_in_the_form(bot):
    view = open_modal(bot, "update M-05 on track 30% case 1234567 in Liquidlogic", user=IRO)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["note"]["element"]["initial_value"] == "case 1234567 in Liquidlogic"
    notice = json.dumps(view["blocks"][0])
    assert "Nothing was saved yet" in notice and "case reference" in notice and "1234567" not in notice
    assert history(bot, "M-05") == []


def test_a_quick_update_with_a_name_is_not_saved_without_the_form(bot):
    view = open_modal(
        bot, "update M-05 on track 30% 7 year old girl in Seaham whose mum is Kerry Smith", user=IRO
    )
    assert "privacy officer" in json.dumps(view["blocks"][0])
    assert history(bot, "M-05") == []


# ------------------------------------------------------------ mentions and direct messages


def _audits(bot, action: str) -> list[AuditEvent]:
    with bot.deps.sessions() as db:
        return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_mention_with_an_nhs_number_is_answered_privately_and_not_echoed(bot):
    bot.mention("how is 943 476 5919 doing? DOB 14/03/2012", user=IRO)
    [private] = bot.slack.wait_for("chat.postEphemeral")
    assert private.args["user"] == IRO and private.args["channel"] == BOARD
    assert "personal data (an NHS number and a date of birth)" in private.args["text"]
    assert "delete" in private.args["text"]
    sent = json.dumps([c.args for c in bot.slack.calls])
    assert "5919" not in sent and "14/03" not in sent
    assert [c for c in bot.slack.calls_to("chat.postMessage")] == []  # nothing in the channel or thread
    [audit] = _audits(bot, "personal_data_message")
    assert audit.actor == "Alex Morgan"
    assert audit.after == {"surface": "mention", "channel": BOARD, "kinds": ["nhs_number", "date_of_birth"]}


def test_a_direct_message_with_a_case_reference_gets_a_private_answer_and_an_audit(bot):
    bot.dm("update M-05 on track 30% case 1234567 in Liquidlogic", user=IRO)
    [answer] = bot.slack.wait_for("chat.postMessage")
    assert answer.args["channel"] == f"D{IRO}" and "a case reference" in answer.args["text"]
    assert "1234567" not in json.dumps([c.args for c in bot.slack.calls])
    assert history(bot, "M-05") == []
    [audit] = _audits(bot, "personal_data_message")
    assert audit.after is not None
    assert audit.after["surface"] == "dm" and audit.after["kinds"] == ["case_number"]


def test_a_mention_without_personal_data_is_answered_as_before(bot):
    bot.mention("what's overdue?", user=IRO)
    [reply] = bot.slack.wait_for("chat.postMessage")
    assert reply.args.get("thread_ts")
    assert _audits(bot, "personal_data_message") == []
