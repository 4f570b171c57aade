"""Questions in plain words on the Durham plan, as on Mon 3 Feb 2020: /qib, a DM and a mention alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qib_testing.people import IRO, SAFEGUARDING
from tests.snapshot import ArrangedOnce

# The questions the board asked, and how each answer begins (after M-07 goes amber, M-06 red).
QUOTED = {
    "what's at risk?": "Milestones at risk: 1\nM-07 ",
    "who hasn't updated": "Milestones with no update since the last board:",
    "what is stale?": "Milestones with no update since the last board:",
    "what is due in March": "Due March 2020 (1 Mar–31 Mar): 3\nM-03 ",
    "show me red and amber actions": "Milestones overdue, off track or at risk: 2\nM-06 ",
    "what decisions does the board need to make": "For the board's decision: red, amber and overdue milestones: 2",
    "status at risk": "Milestones at risk: 1\nM-07 ",
    "status red": "Milestones overdue or off track: 1\nM-06 ",
    "what is due in the next 60 days": "Due the next 60 days (Mon 3 Feb–Fri 3 Apr 2020): 3",
    "history of M-07": "History of M-07 Working group",
    "hello": "Hello! Ask me about the improvement plan",
    "how are we doing on adult services?": "I read that as a question about “adult services”, but nothing",
    "what does Alex own": "2 milestone(s) for Alex Morgan",
    "Robin's actions": "2 milestone(s) for Robin Marsh",
    "what changed since the last board": "Changes since the last board (Thu 16 Jan):",
    "when does the board next meet": "Next meetings of Social Care Quality Improvement Board",
}


@pytest.fixture(scope="module")
def ratings() -> ArrangedOnce:
    """The two updates as the first question's test on this module's worker gave them, for the others."""
    return ArrangedOnce()


@pytest.fixture
def rated(bot, engine, ratings):
    """M-07 amber and M-06 red, as their owner reported them (given once per worker through the bot,
    then the rows those updates wrote, inserted again: the 48 questions need not give them 48 times)."""
    ratings.once("rated", engine, bot.slack, lambda: _rate(bot), bot=bot)
    bot.slack.reset()
    return bot


def _rate(bot) -> None:
    bot.command(
        "update M-07 at risk 40% Procedure sign-off delayed; recovery: legal review booked", user=SAFEGUARDING
    )
    bot.command(
        "update M-06 off track 30% Trainer withdrew; recovery: new trainer from March", user=SAFEGUARDING
    )


@pytest.mark.parametrize(("question", "expected"), list(QUOTED.items()))
def test_each_quoted_question_is_answered_after_qib(rated, question, expected):
    [reply] = rated.command(question)
    assert reply["text"].startswith(expected), reply["text"]


@pytest.mark.parametrize(("question", "expected"), list(QUOTED.items()))
def test_each_quoted_question_is_answered_in_a_dm(rated, question, expected):
    rated.dm(question, user=IRO)
    [post] = rated.slack.wait_for("chat.postMessage")
    assert post.args["text"].startswith(expected), post.args["text"]


@pytest.mark.parametrize(("question", "expected"), list(QUOTED.items()))
def test_each_quoted_question_is_answered_in_the_mentions_thread(rated, question, expected):
    ts = rated.mention(question)
    [post] = rated.slack.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == ts
    assert post.args["text"].startswith(expected), post.args["text"]


def test_supervision_offers_every_milestone_about_it_grouped_by_kind(bot):
    [reply] = bot.command("supervision")
    blocks = json.dumps(reply["blocks"])
    for code in ("M-06", "M-07", "M-08", "M-09", "SP-2"):
        assert f"/qib status {code}" in blocks
    assert blocks.index("*Milestones*") < blocks.index("*Strategic priorities*")


def test_a_greeting_is_a_short_hello_not_the_summary(bot):
    [reply] = bot.command("hello")
    assert "Board summary" not in reply["text"]
    assert len(reply["blocks"]) == 3


def test_a_mention_that_names_no_milestone_is_answered_in_its_thread(bot):
    ts = bot.mention("history of M-99")
    [post] = bot.slack.wait_for("chat.postMessage")
    assert post.args["thread_ts"] == ts
    assert "M-99" in post.args["text"]
    assert not bot.slack.calls_to("chat.postEphemeral")


def test_bare_words_that_match_nothing_get_the_help_and_what_was_understood(bot):
    [reply] = bot.command("adult services")
    assert reply["text"].startswith("qib-bot keeps the Quality Improvement Plan up to date")
    assert "“adult services”, but nothing in this plan matches it" in reply["text"]


def test_a_fallback_button_asks_its_question(bot):
    [reply] = bot.command("what about adult services")
    [buttons] = [b for b in reply["blocks"] if b["type"] == "actions"]
    first = buttons["elements"][0]
    assert first["value"] == "status AFI-1"
    status, _ = bot.click(first["action_id"], first["value"])
    assert status == 200
    [answer] = [c.args for c in bot.slack.calls_to("response_url") if "/act" in c.path]
    assert answer["text"].startswith("AFI-1 Management oversight")


def test_help_and_the_overview_name_only_this_plans_codes(bot):
    [help_reply] = bot.command("help")
    [overview] = bot.command("status")
    assert "foster carer" not in json.dumps(help_reply["blocks"]).lower()
    assert "AFI-1" not in json.dumps(help_reply["blocks"])
    assert "`/qib status AFI-1`, `/qib status management oversight`" in json.dumps(overview["blocks"])


def test_on_a_board_day_before_the_meeting_it_meets_today_and_after_it_the_next(bot):
    bot.clock[0] = datetime(2020, 2, 20, 9, 0, tzinfo=UTC)  # 09:00 in London, the board at 10:00
    [before] = bot.command("summary")
    assert "next meets today at 10:00" in json.dumps(before["blocks"])
    bot.clock[0] = datetime(2020, 2, 20, 12, 0, tzinfo=UTC)
    [after] = bot.command("summary")
    assert "next meets Thu 19 Mar" in json.dumps(after["blocks"])


def test_due_on_a_board_day_runs_from_today_not_backwards(bot):
    bot.clock[0] = datetime(2020, 2, 20, 9, 0, tzinfo=UTC)
    [reply] = bot.command("due")
    assert "From today to Thu 20 Feb." in json.dumps(reply["blocks"])


def test_a_question_asked_in_the_app_home_is_answered_there(bot):
    home = bot.open_home(user=IRO)
    assert any(b.get("block_id") == "home_question" for b in home["blocks"])
    bot.slack.reset()
    status, _ = bot.click(
        "home_question", "what is due in March", user=IRO, view=home, action_type="plain_text_input"
    )
    assert status == 200
    [published] = bot.slack.wait_for("views.publish")
    text = json.dumps(published.args["view"]["blocks"], ensure_ascii=False)
    assert "You asked: _what is due in March_" in text
    assert "Due March 2020 (1 Mar–31 Mar)" in text
    assert text.index("Due March 2020") < text.index("Your milestones")


def test_a_dm_asking_how_many_foster_carer_reviews_are_out_of_timescale_gets_the_kpi(bot):
    bot.dm("how many foster carer reviews are out of timescale?", user=IRO)
    [post] = bot.slack.wait_for("chat.postMessage")
    assert post.args["text"].startswith("Measures: "), post.args["text"]
    assert "KPI-3 0 (green)" in post.args["text"]
    blocks = json.dumps(post.args["blocks"])
    assert "*KPI-3* Foster carer reviews out of timescale" in blocks
    assert "target 0 (lower is better)" in blocks
    assert "KPI-1" not in post.args["text"]
