"""Status questions against the Durham plan, over signed HTTP, as on Mon 3 Feb 2020."""

from __future__ import annotations

import json

from qib_testing.people import BOARD, CHAIR, IRO, IRO_2


def text_of(reply: dict) -> str:
    return json.dumps(reply["blocks"]) + reply["text"]


def test_status_without_words_is_the_whole_plan(bot):
    [reply] = bot.command("status")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith(
        "Children's Social Care Quality Improvement Plan: on track. 11 of 22 milestones complete"
    )
    assert "AFI-5 Foster carer reviews: complete" in reply["text"]
    assert "next meets Thu 20 Feb" in text_of(reply)


def test_status_of_words_finds_the_area(bot):
    [reply] = bot.command("status foster carer reviews")
    assert reply["text"].startswith("AFI-5 Foster carer reviews: complete")
    assert "M-16 Timeliness of Foster Carer reviews addressed: complete" in reply["text"]


def test_status_by_code_in_any_form(bot):
    for form in ("M-05", "m5", "M05"):
        [reply] = bot.command(f"status {form}")
        assert reply["text"].startswith("M-05 IROs increase scrutiny"), form


def test_owner_sees_an_update_button_on_their_milestone_and_others_do_not(bot):
    [own] = bot.command("status M-05", user=IRO)
    [other] = bot.command("status M-05", user="U0QIB0006")
    assert "update_milestone" in json.dumps(own["blocks"])
    assert "update_milestone" not in json.dumps(other["blocks"])


def test_typos_and_word_order_still_find_it(bot):
    [reply] = bot.command("status reveiws fostr carer")
    assert reply["text"].startswith("AFI-5 Foster carer reviews")


def test_nothing_found_says_what_was_understood_and_offers_this_plans_questions(bot):
    [reply] = bot.command("status xylophone quantum")
    assert "“xylophone quantum”, but nothing in this plan matches it" in reply["text"]
    [buttons] = [b for b in reply["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in buttons["elements"]] == ["status AFI-1", "overdue", "due"]


def test_summary_follows_the_papers_order_and_can_be_shared(bot):
    [reply] = bot.command("summary")
    assert reply["response_type"] == "ephemeral"
    blocks = json.dumps(reply["blocks"])
    order = ["*Headline*", "*Decisions for the board", "*Exceptions", "*Completed since the last board"]
    order += ["*Measures", "*The month ahead"]
    assert [blocks.index(t) for t in order] == sorted(blocks.index(t) for t in order)
    assert "share_summary" in blocks
    [shared] = bot.command("summary share")
    assert shared["response_type"] == "in_channel"
    assert "share_summary" not in json.dumps(shared["blocks"])


def test_summary_keeps_ratings_and_lists_items_awaiting_an_update_apart_from_exceptions(bot):
    # 3 Feb: nothing is off track, at risk or overdue, though nine items have had no update since January.
    [reply] = bot.command("summary")
    blocks = json.dumps(reply["blocks"])
    assert "Nothing overdue, off track or at risk." in blocks
    assert "Awaiting an update since the last board (9): M-03," in blocks
    assert "stale" not in blocks


def test_the_share_button_posts_the_summary_for_everyone(bot):
    status, _ = bot.click("share_summary", "summary", user=CHAIR, channel_id=BOARD)
    assert status == 200
    [posted] = bot.slack.wait_for("response_url")
    assert posted.args["response_type"] == "in_channel"
    assert posted.args["text"].startswith("Board summary")


def test_mine_lists_own_milestones_with_update_buttons(bot):
    [reply] = bot.command("mine", user=IRO)
    assert reply["text"].splitlines()[0] == "2 milestone(s) for Alex Morgan:"
    assert '"value": "M-05"' in json.dumps(reply["blocks"])


def test_a_delegate_sees_the_milestones_they_cover(bot):
    [reply] = bot.command("mine", user=IRO_2)
    assert "covering for Alex Morgan" in json.dumps(reply["blocks"])
    assert "M-05" in reply["text"]


def test_overdue_is_empty_on_3_february_and_lists_late_work_later(bot):
    [reply] = bot.command("overdue")
    assert "Nothing is overdue" in reply["text"]
    from datetime import UTC, datetime

    bot.clock[0] = datetime(2020, 4, 2, 9, 0, tzinfo=UTC)
    [later] = bot.command("overdue")
    assert "M-03" in later["text"] and "M-06" in later["text"] and "M-12" in later["text"]
    assert "2 days overdue" in json.dumps(later["blocks"])


def test_due_within_n_days_and_before_the_next_board(bot):
    [within] = bot.command("due 60")
    assert [line.split()[0] for line in within["text"].splitlines()[1:]] == ["M-03", "M-06", "M-12"]
    [board] = bot.command("due")
    assert "Nothing else falls due" in board["text"]


def test_due_with_nonsense_days_is_a_friendly_error(bot):
    [reply] = bot.command("due soonish")
    assert reply["text"] == "“soonish” is not a number of days: try `/qib due 14`."


def test_priority_lists_both_and_one_with_its_milestones(bot):
    [both] = bot.command("priority")
    assert "SP-1 Improving the quality and consistency of Care Planning" in both["text"]
    assert "SP-2" in both["text"]
    [one] = bot.command("priority SP-2")
    assert "M-06" in json.dumps(one["blocks"])


def test_history_shows_who_and_when_newest_first(bot):
    [reply] = bot.command("history M-16")
    lines = reply["text"].splitlines()
    assert lines[0] == "History of M-16 Timeliness of Foster Carer reviews addressed: 2 update(s)."
    assert lines[1] > lines[2]  # dates, newest first


def test_plain_questions_in_a_channel_are_answered_in_a_thread(bot):
    ts = bot.mention("how are we doing on foster carer reviews?")
    [post] = bot.slack.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == ts
    assert post.args["text"].startswith("AFI-5 Foster carer reviews")


def test_plain_questions_in_a_dm_map_to_the_same_queries(bot):
    questions = {
        "what's overdue?": "Overdue milestones",
        "what do I own?": "2 milestone(s) for Alex Morgan",
        "summary please": "Board summary",
        "status of M-07": "M-07 Working group",
    }
    for question, expected in questions.items():
        bot.slack.reset()
        bot.dm(question, user=IRO)
        [post] = bot.slack.wait_for("chat.postMessage")
        assert post.args["text"].startswith(expected), question


def test_app_home_shows_own_milestones_above_the_plan(bot):
    view = bot.open_home(user=IRO)
    text = json.dumps(view["blocks"])
    assert text.index("Your milestones") < text.index("The plan:")
    assert '"value": "M-05"' in text


# Slack sends "R&D <x>", typed in a command or a message, as "R&amp;D &lt;x&gt;".
TYPED_BY_SLACK = "R&amp;D &lt;x&gt;"
QUOTED_ONCE = "“R&amp;D &lt;x&gt;”"


def shown_in(payload: dict) -> str:
    return json.dumps(payload.get("blocks") or [], ensure_ascii=False) + payload["text"]


def assert_quoted_once(payload: dict) -> None:
    shown = shown_in(payload)
    assert QUOTED_ONCE in shown, shown
    assert "&amp;amp;" not in shown and "&amp;lt;" not in shown


def test_status_quotes_what_was_typed_escaped_once(bot):
    [reply] = bot.command(f"status {TYPED_BY_SLACK}")
    assert reply["text"].startswith(
        f"I read that as a question about {QUOTED_ONCE}, but nothing in this plan matches it."
    )
    assert_quoted_once(reply)


def test_owner_quotes_the_person_typed_escaped_once(bot):
    [reply] = bot.command(f"owner M-07 {TYPED_BY_SLACK}", user=CHAIR)
    assert reply["text"].startswith(f"Nobody in the plan matches {QUOTED_ONCE}")
    assert_quoted_once(reply)


def test_a_mention_quotes_what_was_typed_escaped_once(bot):
    bot.mention(f"how is {TYPED_BY_SLACK} going?")
    [answer] = bot.slack.wait_for("chat.postMessage")
    assert answer.args.get("thread_ts")
    assert QUOTED_ONCE in shown_in(answer.args)  # "how is X going?" asks about X
    assert "&amp;amp;" not in shown_in(answer.args)


def test_a_direct_message_quotes_what_was_typed_escaped_once(bot):
    bot.dm(f"status {TYPED_BY_SLACK}", user=IRO)
    [answer] = bot.slack.wait_for("chat.postMessage")
    assert answer.args["channel"] == f"D{IRO}"
    assert_quoted_once(answer.args)


def test_a_typed_broadcast_is_quoted_as_text_not_dropped_or_made_live(bot):
    bot.dm("status &lt;!channel&gt; R&amp;D", user=IRO)
    [answer] = bot.slack.wait_for("chat.postMessage")
    assert "“&lt;!channel&gt; R&amp;D”" in shown_in(answer.args)
    assert "<!channel>" not in shown_in(answer.args)
