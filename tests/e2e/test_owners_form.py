"""The update form keeps the record straight: the latest update as context, complete at 100%, the
reopen reason only when it applies, no repeated updates, and reasons for at risk and off track."""

from __future__ import annotations

import json
from typing import Any

from qib_testing.people import IRO
from tests.e2e.test_updates import history, notice_of, open_modal, state


def blocks_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}


def choose_status(bot, view: dict[str, Any], values: dict[str, Any], status: str) -> dict[str, Any]:
    """Pick a status in the open form, as Slack sends it: the view with its state, and the selection."""
    option = {"value": status, "text": {"type": "plain_text", "text": status}}
    full = {
        block: {
            action: {"type": "plain_text_input", "value": v} if isinstance(v, str) or v is None else v
            for action, v in actions.items()
        }
        for block, actions in values.items()
    }
    shown = {**view, "id": "VFORM", "hash": "h1", "state": {"values": full}}
    code, _ = bot.click(
        "update_pick_status",
        user=IRO,
        view=shown,
        action_type="static_select",
        selected_option=option,
        block_id="status",
    )
    assert code == 200
    [call] = bot.slack.wait_for("views.update")
    bot.slack.reset()
    return call.args["view"]


def errors_of(text: str) -> dict[str, str]:
    answer = json.loads(text)
    assert answer["response_action"] == "errors"
    return answer["errors"]


def test_the_form_shows_the_latest_update_as_context_and_never_reuses_its_note(bot):
    bot.command("update M-05 on track 20% Checklist agreed with IROs; next: audit in March", user=IRO)
    view = open_modal(bot, "update M-05 complete", user=IRO)
    blocks = blocks_of(view)
    assert "initial_value" not in blocks["note"]["element"]
    assert "initial_value" not in blocks["next_steps"]["element"]
    context = json.dumps([b for b in view["blocks"] if b["type"] == "context"])
    assert "Checklist agreed with IROs" in context and "Latest update" in context
    status, text = bot.submit(view, state("M-05", "complete", "20", None), user=IRO)
    assert "impact" in errors_of(text)["note"]  # the old note is not the completion's evidence
    assert history(bot, "M-05") == [("on track", 20, "Checklist agreed with IROs", "slack")]


def test_choosing_complete_sets_the_percent_to_100_and_saving_it_records_100(bot):
    view = open_modal(bot, "update M-05", user=IRO)
    redrawn = choose_status(
        bot, view, state("M-05", "on track", "0", "Audit shows all reviews on time"), "complete"
    )
    blocks = blocks_of(redrawn)
    [percent] = [b for k, b in blocks.items() if k.startswith("percent")]
    assert percent["element"]["initial_value"] == "100"
    assert blocks["note"]["element"]["initial_value"] == "Audit shows all reviews on time"  # kept
    assert blocks["status"]["element"]["initial_option"]["value"] == "complete"
    # The percent the form showed, left as it was, is not a claim: complete saves at 100%.
    status, text = bot.submit(view, state("M-05", "complete", "0", "All reviews on time"), user=IRO)
    assert (status, text) == (200, "")
    assert history(bot, "M-05") == [("complete", 100, "All reviews on time", "slack")]


def test_100_percent_with_another_status_suggests_complete(bot):
    view = open_modal(bot, "update M-05", user=IRO)
    _, text = bot.submit(view, state("M-05", "on track", "100", "All done"), user=IRO)
    assert "100% suggests complete" in errors_of(text)["status"]
    quick = open_modal(bot, "update M-05 100% All reviews on time", user=IRO)
    assert blocks_of(quick)["status"]["element"]["initial_option"]["value"] == "complete"
    assert history(bot, "M-05") == []


def test_the_reopen_reason_is_asked_only_when_a_complete_milestone_is_reopened(bot):
    assert "reopen_reason" not in blocks_of(open_modal(bot, "update M-05", user=IRO))
    complete = open_modal(bot, "update M-16", user=IRO)  # M-16 is complete
    assert "reopen_reason" not in blocks_of(complete)
    reopening = choose_status(bot, complete, state("M-16", "complete", "100", None), "at risk")
    reason = blocks_of(reopening)["reopen_reason"]
    assert reason["optional"] is False
    back = choose_status(bot, reopening, state("M-16", "at risk", "100", None), "complete")
    assert "reopen_reason" not in blocks_of(back)


def test_an_update_identical_to_the_latest_is_refused_as_no_change(bot):
    view = open_modal(bot, "update M-05", user=IRO)
    values = state("M-05", "on track", "25", "Checklist in use")
    assert bot.submit(view, values, user=IRO, view_id="VFIRST") == (200, "")
    _, text = bot.submit(view, values, user=IRO, view_id="VSECOND")
    assert errors_of(text)["note"].startswith("No change")
    assert history(bot, "M-05") == [("on track", 25, "Checklist in use", "slack")]


def test_at_risk_needs_a_reason_and_a_recovery_action_in_the_form(bot):
    view = open_modal(bot, "update M-05", user=IRO)
    _, text = bot.submit(view, state("M-05", "at risk", "10", None), user=IRO)
    errors = errors_of(text)
    assert "why M-05 is at risk" in errors["blockers"] and "recovery action" in errors["next_steps"]
    values = state("M-05", "at risk", "10", None)
    values["blockers"] = {"value": "Second IRO post vacant"}
    values["next_steps"] = {"value": "Agency cover from March"}
    assert bot.submit(view, values, user=IRO, view_id="VAMBER") == (200, "")
    assert history(bot, "M-05") == [("at risk", 10, None, "slack")]


def test_off_track_by_quick_syntax_without_a_reason_opens_the_form_prefilled(bot):
    view = open_modal(bot, "update M-05 off track", user=IRO)
    assert history(bot, "M-05") == []
    assert "Nothing was saved yet" in notice_of(view) and "recovery action" in notice_of(view)
    assert blocks_of(view)["status"]["element"]["initial_option"]["value"] == "off track"
    [reply] = bot.command("update M-05 late 5% venue lost; recovery: new venue booked for March", user=IRO)
    assert reply["text"].startswith("Saved: M-05")
    assert history(bot, "M-05") == [("off track", 5, "venue lost", "slack")]


def test_a_bare_number_after_the_code_or_status_is_the_percent(bot):
    [reply] = bot.command("update M-05 60", user=IRO)
    assert reply["text"].startswith("Saved: M-05") and "0% -&gt; 60%" in reply["text"]
    [again] = bot.command("update M-05 ontrack 55 working group met", user=IRO)
    assert again["text"].startswith("Saved: M-05")
    assert history(bot, "M-05") == [
        ("not started", 60, None, "slack"),
        ("on track", 55, "working group met", "slack"),
    ]


def test_status_words_in_every_spelling_are_statuses_late_among_them(bot):
    for n, word in enumerate(["on-track", "green", "ontrack", "late"]):
        [reply] = bot.command(f"update M-05 {word} {10 + n}% step {n}; recovery: cover agreed", user=IRO)
        assert reply["text"].startswith("Saved: M-05"), reply
    assert [h[:2] for h in history(bot, "M-05")] == [
        ("on track", 10),
        ("on track", 11),
        ("on track", 12),
        ("off track", 13),
    ]
