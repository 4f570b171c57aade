"""The update use cases' results as Slack shows them: inline form errors, receipts, edited announcements."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.exc import OperationalError

from bot.services.corrections import Corrected, Posted, Withdrawn
from bot.services.queries import BoardCalendar, UpdateEntry
from bot.services.status import Health
from bot.services.updates import UpdateResult
from bot.usecases.results import Refused
from bot.usecases.updates import PersonalData, Unavailable, Unconfirmed
from handlers.blocks import Reply
from handlers.status.milestone import history_blocks
from handlers.updates.announce import announcement, confirmation
from handlers.updates.render import (
    corrected_blocks,
    corrected_line,
    correction_receipt,
    form_errors,
    joined,
    on_blocks,
    withdrawal_receipt,
    withdrawn_line,
)
from models.vocab import Status

VIEW = {
    "blocks": [
        {"block_id": b} for b in ("milestone", "status", "percent~100", "note", "next_steps", "blockers")
    ]
}


def result(**over) -> UpdateResult:
    fields = dict(
        update_id=12,
        milestone_code="M-07",
        milestone_title="Foster carer <reviews>",
        area_code="AFI-2",
        area_title="Carers",
        before_status="at risk",
        before_percent=40,
        after_status="on track",
        after_percent=60,
        summary="M-07: at risk -> on track, 40% -> 60%",
        duplicate=False,
        announce=False,
        reopened=False,
        health=Health.ON_TRACK,
        due=date(2020, 3, 31),
        at=datetime(2020, 2, 3, 9, 30, tzinfo=UTC),
        author_name="Jo *Bloggs*",
        owner_name="Jo Bloggs",
        note="Panel met",
        evidence_url=None,
        next_steps=None,
        blockers=None,
    )
    return UpdateResult(**(fields | over))


def entry(update_id: int) -> UpdateEntry:
    return UpdateEntry(
        at=datetime(2020, 2, 3, 9, 30, tzinfo=UTC),
        author_key="iro",
        author_name="Alex Morgan",
        status=Status.ON_TRACK,
        previous_status=Status.NOT_STARTED,
        percent=20,
        previous_percent=0,
        note="Checklist agreed",
        evidence_url=None,
        next_steps=None,
        blockers=None,
        source="slack",
        update_id=update_id,
    )


def test_errors_go_on_the_blocks_the_view_has():
    assert on_blocks(VIEW, {"percent": "Give a number", "reopen_reason": "Why?"}) == {
        "percent~100": "Give a number",
        "status": "Why?",  # a field the view does not show: the status, which can put it right
    }


def test_each_refusal_is_shown_on_its_field():
    assert form_errors(VIEW, Refused("Not yours", None)) == {"milestone": "Not yours"}
    assert form_errors(VIEW, Refused("Say why", "blockers", {"blockers": "why", "next_steps": "how"})) == {
        "blockers": "why",
        "next_steps": "how",
    }
    assert form_errors(VIEW, Refused("Too long", "note")) == {"note": "Too long"}


def test_personal_data_offers_the_box_only_when_it_can_help():
    soft = form_errors(VIEW, PersonalData("A name?", "note", {"note": "A name?"}, overridable=True))
    assert soft["note"] == "A name?" and "confirm" in soft and "override_reason" in soft
    hard = form_errors(VIEW, PersonalData("NHS number", "note", {"note": "NHS number"}))
    assert hard == {"note": "NHS number"}


def test_an_outage_keeps_the_form_and_an_unknown_commit_says_so():
    down = form_errors(
        VIEW, Unavailable(OperationalError("x", {}, Exception())), unavailable="Database down."
    )
    assert down == {"milestone": "Database down. What you typed is kept: submit the form again."}
    unknown = form_errors(VIEW, Unconfirmed("M-07"))["milestone"]
    assert "stopped answering" in unknown and "submit the form again" in unknown


def test_announcement_and_receipt_escape_what_people_typed():
    line = announcement(result())
    assert line.startswith("*M-07* Foster carer &lt;reviews&gt;: at risk -&gt; on track")
    assert line.endswith(", by Jo *Bloggs*")
    reply = confirmation(result())
    assert reply.text == "Saved: M-07: at risk -> on track, 40% -> 60%"
    assert confirmation(result(duplicate=True)).text.startswith("That update was already saved")


def test_a_corrected_announcement_is_marked_and_shows_the_new_note():
    done = Corrected("U-11", result(note="New & better"), (Posted("C1", "1.2"),))
    assert corrected_line(done).endswith("_(corrected)_")
    assert "New &amp; better" in str(corrected_blocks(done))
    receipt = correction_receipt(done, problem="could not edit")
    assert receipt.text == "U-11 is corrected: M-07: at risk -> on track, 40% -> 60%"
    assert ":warning: could not edit" in str(receipt.blocks)
    assert correction_receipt(Corrected("U-11", result(), (), duplicate=True)).text.startswith(
        "U-11 was already corrected"
    )


def test_a_withdrawn_announcement_keeps_none_of_the_text():
    gone = Withdrawn("U-12", "M-07", "Reviews", "Jo", (Posted("C1", "1.2"),), "at risk", 40)
    assert withdrawn_line(gone) == "*M-07* Reviews: an update by Jo was withdrawn _(corrected)_"
    assert withdrawal_receipt(gone).text == "U-12 is withdrawn: M-07 is now at risk, 40%."


def test_history_puts_an_edit_button_on_each_correctable_update_only():
    entries = [entry(13), entry(12), entry(11)]
    calendar = BoardCalendar(date(2020, 2, 10), "Europe/London", None, None, None)
    plain = history_blocks(entries, calendar)
    assert len(plain) == 1 and "accessory" not in plain[0]  # nobody may edit: packed as before
    blocks = history_blocks(entries, calendar, frozenset({12}))
    assert [b.get("accessory", {}).get("value") for b in blocks] == [None, "12", None]
    assert blocks[1]["accessory"]["action_id"] == "correct_update"
    assert "`U-12`" in blocks[1]["text"]["text"]


def test_joined_replies_read_as_one_message():
    both = joined(Reply(text="Saved", blocks=[{"a": 1}]), Reply(text="Asked", blocks=[{"b": 2}]))
    assert both.text == "Saved\nAsked" and both.blocks == [{"a": 1}, {"b": 2}]
