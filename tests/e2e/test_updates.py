"""Progress updates the way owners give them in Slack: quick syntax, the modal, buttons, replays."""

from __future__ import annotations

import json

from sqlalchemy import select

from models import Milestone, ProgressUpdate
from qib_testing.people import BOARD, CHAIR, IRO, IRO_2, PRACTICE_LEAD
from qib_testing.slack_standin import BOARD_CHANNEL_ID

VALID_NHS_NUMBER = "943 476 5919"


def history(bot, code: str) -> list[tuple[str, int, str | None, str]]:
    with bot.deps.sessions() as db:
        rows = db.execute(
            select(ProgressUpdate.status, ProgressUpdate.percent, ProgressUpdate.note, ProgressUpdate.source)
            .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
            .where(Milestone.code == code)
            .order_by(ProgressUpdate.id)
        ).all()
    return [tuple(r) for r in rows]


def open_modal(bot, text: str = "update", *, user: str) -> dict:
    assert bot.command(text, user=user) == []
    [call] = bot.slack.wait_for("views.open")
    bot.slack.reset()
    return call.args["view"]


def state(
    milestone: str | None = None,
    status: str | None = None,
    percent: str | None = None,
    note: str | None = None,
    confirm: bool = False,
) -> dict:
    values: dict = {
        "status": {
            "value": {
                "type": "static_select",
                "selected_option": {"value": status, "text": {"type": "plain_text", "text": status}}
                if status
                else None,
            }
        },
        "percent": {"value": percent},
        "note": {"value": note},
        "evidence_url": {"value": None},
        "next_steps": {"value": None},
        "blockers": {"value": None},
        "reopen_reason": {"value": None},
        "confirm": {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"value": "not_personal"}] if confirm else [],
            }
        },
    }
    values["milestone"] = {
        "update_pick_milestone": {
            "type": "static_select",
            "selected_option": {"value": milestone, "text": {"type": "plain_text", "text": milestone}}
            if milestone
            else None,
        }
    }
    return values


def test_owner_updates_by_quick_syntax_and_the_board_thread_hears_of_it(bot):
    [reply] = bot.command("update M-05 on track 20% Scrutiny checklist agreed with IROs", user=IRO)
    assert reply["text"] == "Saved: M-05: not started -&gt; on track, 0% -&gt; 20%"  # mrkdwn: > escaped
    assert history(bot, "M-05") == [("on track", 20, "Scrutiny checklist agreed with IROs", "slack")]
    parent, line = bot.slack.wait_for("chat.postMessage", count=2)
    assert parent.args["text"] == "Updates: AFI-1 Management oversight"
    assert line.args["thread_ts"] == parent.response["ts"]
    assert "*M-05* IROs increase scrutiny" in line.args["text"] and "by Alex Morgan" in line.args["text"]


def test_parts_of_a_quick_update_can_come_in_any_order(bot):
    bot.command(
        "update 35% M-05 amber Capacity gap until the second post starts; recovery: agency cover", user=IRO
    )
    assert history(bot, "M-05")[-1][:2] == ("at risk", 35)


def test_the_second_update_of_an_area_goes_into_the_same_thread(bot):
    bot.command("update M-05 on track 20% first", user=IRO)
    bot.command("update M-05 on track 30% second", user=IRO)
    posts = bot.slack.wait_for("chat.postMessage", count=3)
    assert posts[2].args["thread_ts"] == posts[0].response["ts"]


def test_owner_updates_through_the_modal(bot):
    view = open_modal(bot, user=IRO)
    status, text = bot.submit(
        view, state("M-05", "on track", "25", "Checklist in use"), user=IRO, view_id="VMODAL1"
    )
    assert status == 200 and text == ""
    assert history(bot, "M-05") == [("on track", 25, "Checklist in use", "slack")]
    receipt = bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == IRO)
    assert "Saved: M-05" in receipt[0].args["text"]


def test_a_quick_update_missing_its_milestone_opens_the_modal_pre_filled(bot):
    view = open_modal(bot, "update on track 40% Good progress", user=IRO)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["percent"]["element"]["initial_value"] == "40"
    assert blocks["note"]["element"]["initial_value"] == "Good progress"
    assert blocks["status"]["element"]["initial_option"]["value"] == "on track"
    assert history(bot, "M-05") == []


def notice_of(view: dict) -> str:
    return view["blocks"][0]["text"]["text"]


def test_a_mistyped_status_saves_nothing_and_opens_the_form_saying_which_word(bot):
    view = open_modal(bot, "update M-05 on trak 80% done", user=IRO)
    assert history(bot, "M-05") == []
    assert "I did not understand “trak” (did you mean “on track”?)" in notice_of(view)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["milestone"]["element"]["initial_option"]["value"] == "M-05"
    assert blocks["percent"]["element"]["initial_value"] == "80"
    assert "initial_value" not in blocks["note"]["element"]  # "trak" is not taken for the note
    assert bot.slack.calls_to("chat.postMessage") == []


def test_an_unknown_word_where_the_status_goes_opens_the_form_and_keeps_the_percent(bot):
    view = open_modal(bot, "update M-05 purple 10%", user=IRO)
    assert history(bot, "M-05") == []  # not saved as the note "purple 10%", with the 10% lost
    assert "I did not understand “purple”: check the status below." in notice_of(view)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["percent"]["element"]["initial_value"] == "10"
    assert "initial_value" not in blocks["note"]["element"]


def test_a_malformed_percent_is_named_in_the_form_escaped_once(bot):
    view = open_modal(bot, "update M-05 on track 8&lt;0% Workshops held", user=IRO)  # as Slack sends "8<0%"
    assert history(bot, "M-05") == []
    assert "I did not understand “8&lt;0%”: check the percent below." in notice_of(view)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["status"]["element"]["initial_option"]["value"] == "on track"
    assert blocks["note"]["element"]["initial_value"] == "Workshops held"


def test_a_note_that_merely_starts_with_ordinary_words_still_saves(bot):
    [reply] = bot.command("update M-05 on track 20% read the report at last", user=IRO)
    assert reply["text"].startswith("Saved: M-05")
    assert history(bot, "M-05") == [("on track", 20, "read the report at last", "slack")]


def test_modal_lists_the_users_own_milestones_first(bot):
    view = open_modal(bot, user=IRO)
    select = next(b for b in view["blocks"] if b.get("block_id") == "milestone")["element"]
    codes = [o["value"] for o in select.get("options", [])]
    assert codes == ["M-05", "M-16"]


def test_a_non_owner_is_refused_with_the_owners_name(bot):
    [reply] = bot.command("update M-05 on track 20% taking over", user=PRACTICE_LEAD)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("M-05 is owned by Alex Morgan (IRO Operations Manager)")
    assert history(bot, "M-05") == []


def test_a_delegate_covering_for_the_owner_can_update(bot):
    [reply] = bot.command("update M-05 on track 15% Covering while Alex is on leave", user=IRO_2)
    assert reply["text"].startswith("Saved: M-05")
    assert history(bot, "M-05")[0][:2] == ("on track", 15)


def test_a_replayed_modal_submission_records_one_update(bot):
    view = open_modal(bot, user=IRO)
    for _ in range(3):
        status, _ = bot.submit(
            view, state("M-05", "on track", "25", "Once only"), user=IRO, view_id="VREPLAY"
        )
        assert status == 200
    assert history(bot, "M-05") == [("on track", 25, "Once only", "slack")]
    receipts = [c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == IRO]
    assert "Saved: M-05" in receipts[0].args["text"]
    assert all("already saved" in r.args["text"] for r in receipts[1:])
    announcements = [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(announcements) == 1


def test_an_nhs_number_in_a_note_is_caught_on_the_field_and_nothing_is_saved(bot):
    view = open_modal(bot, user=IRO)
    status, text = bot.submit(
        view, state("M-05", "on track", "25", f"Reviewed case {VALID_NHS_NUMBER}"), user=IRO
    )
    assert status == 200
    answer = json.loads(text)
    assert answer["response_action"] == "errors"
    assert "NHS number" in answer["errors"]["note"]
    assert history(bot, "M-05") == []


def test_a_confirmed_false_alarm_is_saved(bot):
    view = open_modal(bot, user=IRO)
    values = state("M-05", "on track", "25", "Kerry Smith from commissioning joined us", confirm=True)
    values["override_reason"] = {"value": "a commissioning officer"}
    bot.submit(view, values, user=IRO)
    assert len(history(bot, "M-05")) == 1


def test_a_bad_percent_is_an_error_on_that_field(bot):
    view = open_modal(bot, user=IRO)
    _, text = bot.submit(view, state("M-05", "on track", "150", "x"), user=IRO)
    assert json.loads(text)["errors"] == {"percent": "Give a whole number from 0 to 100."}


def test_a_channel_ping_in_a_note_reaches_the_channel_escaped(bot):
    bot.command("update M-05 on track 20% <!channel> please read <https://evil.example|click>", user=IRO)
    line = bot.slack.wait_for("chat.postMessage", count=2)[1]
    rendered = json.dumps(line.args["blocks"])
    assert "<!channel>" not in rendered and "<https://evil" not in rendered
    assert "&lt;!channel&gt;" in rendered


def test_an_update_button_opens_the_modal_on_that_milestone(bot):
    status, _ = bot.click("update_milestone", "M-05", user=IRO)
    assert status == 200
    [call] = bot.slack.wait_for("views.open")
    select = next(b for b in call.args["view"]["blocks"] if b.get("block_id") == "milestone")["element"]
    assert select["initial_option"]["value"] == "M-05"


def test_someone_not_in_the_plan_is_told_how_to_get_added(bot):
    [reply] = bot.command("update M-05 on track 20%", user="UNOBODY")
    assert "not in the plan's list of people" in reply["text"]


def test_history_after_these_steps_is_exactly_what_happened_in_order(bot):
    bot.command("update M-05 on track 20% one", user=IRO)
    bot.command("update M-05 at risk 30% two; recovery: cover", user=IRO_2)
    bot.command("update M-05 on track 40% three", user=CHAIR)
    bot.command("update M-05 off track 10% refused", user=PRACTICE_LEAD)
    assert history(bot, "M-05") == [
        ("on track", 20, "one", "slack"),
        ("at risk", 30, "two", "slack"),
        ("on track", 40, "three", "slack"),
    ]


def test_board_channel_setting_overrides_the_plan(bot):
    bot.command("update M-05 on track 20% x", user=IRO)
    posted_to = bot.slack.wait_for("chat.postMessage")[0].args["channel"]
    assert posted_to == BOARD_CHANNEL_ID != BOARD  # the plan's #qib-board, by its id


def test_an_admin_reassigns_a_milestone_and_the_new_owner_can_update_it(bot):
    [reply] = bot.command(f"owner M-05 <@{PRACTICE_LEAD}|drew>", user=CHAIR)
    assert (
        reply["text"].startswith("M-05 IROs increase scrutiny")
        and "now owned by Drew Lawson" in reply["text"]
    )
    [saved] = bot.command("update M-05 on track 10% picked up", user=PRACTICE_LEAD)
    assert saved["text"].startswith("Saved: M-05")


def test_only_admins_may_reassign_or_set_cover(bot):
    [owner] = bot.command(f"owner M-05 <@{PRACTICE_LEAD}|drew>", user=IRO)
    [cover] = bot.command(f"delegate <@{IRO}|alex> <@{PRACTICE_LEAD}|drew>", user=IRO)
    for reply in (owner, cover):
        assert "admin" in reply["text"].lower()
    assert history(bot, "M-05") == []


def test_cover_ends_on_its_date_and_can_be_cleared(bot):
    [set_] = bot.command(f"delegate <@{IRO}|alex> <@{PRACTICE_LEAD}|drew> until 2020-02-10", user=CHAIR)
    assert (
        set_["text"]
        == "Drew Lawson (Practice Lead, ASYE academy) now covers for Alex Morgan until Mon 10 Feb 2020."
    )
    [ok] = bot.command("update M-05 on track 5% covering", user=PRACTICE_LEAD)
    assert ok["text"].startswith("Saved")
    from datetime import UTC, datetime

    bot.clock[0] = datetime(2020, 2, 11, 9, 0, tzinfo=UTC)
    [ended] = bot.command("update M-05 on track 6% still covering?", user=PRACTICE_LEAD)
    assert "ended" in ended["text"]
    [cleared] = bot.command(f"delegate <@{IRO}|alex> none", user=CHAIR)
    assert cleared["text"] == "Nobody covers for Alex Morgan now."
