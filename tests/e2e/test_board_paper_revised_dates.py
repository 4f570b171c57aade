"""A revised due date awaiting the chair's approval is an exception in the board paper until decided."""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot.services.digest import frozen_digest
from bot.services.digest_export import to_markdown
from qib_testing.people import CHAIR, IRO, PRACTICE_LEAD
from tests.e2e.test_board_paper import CHANNEL, CHANNEL_ID, FEB, MARCH, _when
from tests.e2e.test_owners_due_dates import click_in_dm, request_dm
from tests.e2e.test_scheduler import scheduler

REASON = "the IRO post is filled in July & <b>not before</b>"
SLACK_REASON = "the IRO post is filled in July &amp; &lt;b&gt;not before&lt;/b&gt;"
OFF_TRACK_REASON = "two educators left"


def _march_digest_with_requests(bot, engine, database_url):
    """February's digest, March's reminders, then two revised dates asked for before March's digest."""
    sched = scheduler(engine, database_url, bot.slack)
    sched.tick(_when(sched, FEB).digest_at)
    march = _when(sched, MARCH)
    sched.tick(march.reminder_at)
    bot.clock[0] = march.reminder_at + timedelta(hours=2)
    bot.slack.reset()  # the chair's own reminder is not the request
    [asked] = bot.command(f"update M-05 due 30 Sep because {REASON}", user=IRO)
    assert "Asked the chair" in asked["text"]
    dm = request_dm(bot)
    [saved] = bot.command(
        "update M-10 off track 30% Two educators left. recovery: agency cover from April", user=PRACTICE_LEAD
    )
    assert saved["text"].startswith("Saved: M-10")
    bot.command(f"update M-10 due 31 Oct because {OFF_TRACK_REASON}", user=PRACTICE_LEAD)
    bot.slack.reset()
    assert sched.tick(march.digest_at).posted == ["digest 2020-03-19"]
    return dm


def _digest_blocks(bot) -> str:
    call = next(
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args.get("channel") in (CHANNEL, CHANNEL_ID) and not c.args.get("thread_ts")
    )
    return json.dumps(call.args["blocks"])


def test_a_revised_date_awaiting_approval_is_an_exception_until_the_chair_approves_it(
    bot, engine, database_url
):
    dm = _march_digest_with_requests(bot, engine, database_url)
    with bot.deps.sessions() as db:
        frozen = frozen_digest(db=db, plan_id=bot.deps.plan_id(), meeting_on=MARCH)
    kinds = {e.code: e.kind for e in frozen.digest.exceptions}
    assert kinds["M-05"] == "revised date awaiting approval"
    assert kinds["M-10"] == "off track"  # already an exception: keeps its kind
    m05 = next(e for e in frozen.digest.exceptions if e.code == "M-05")
    assert (m05.revised_due, m05.revised_reason) == (date(2020, 9, 30), REASON)

    blocks = _digest_blocks(bot)
    exceptions = blocks[blocks.index("*Exceptions (") : blocks.index("Completed since the last board")]
    assert f"Revised date awaiting approval: Wed 30 Sep 2020 because {SLACK_REASON}" in exceptions
    assert "Revised date awaiting approval: Sat 31 Oct 2020 because two educators left" in exceptions
    assert "<b>" not in exceptions  # the owner's words are escaped

    md = to_markdown(frozen.digest, posted_at=frozen.posted_at)
    m05_line = next(line for line in md.splitlines() if "| M-05 |" in line)
    assert "(revised to Wed 30 Sep 2020, awaiting approval)" in m05_line
    assert "Revised date requested: the IRO post is filled in July" in m05_line

    [summary] = bot.command("summary", user=CHAIR)
    assert "Revised date awaiting approval: Wed 30 Sep 2020" in json.dumps(summary["blocks"])

    assert click_in_dm(bot, dm, "due_date_approve") == 200
    [preview] = bot.command("digest preview", user=CHAIR)
    shown = json.dumps(preview.get("blocks"))
    assert "*M-05*" not in shown[shown.index("*Exceptions (") : shown.index("Completed since the last board")]
    assert "Revised date awaiting approval: Wed 30 Sep" not in shown
    [summary] = bot.command("summary", user=CHAIR)
    assert "Wed 30 Sep 2020 because" not in json.dumps(summary["blocks"])
