"""Slack saying no, at every place the bot calls it: 429 with Retry-After, 500, an answer that never
comes in time, and a refusal a person must fix (channel_not_found and the like).

What must hold everywhere: retried where Slack says so (429 and 5xx), reported where a person must act,
never a crash (the bot answers the next request and /healthz is 200), never a duplicate post, and an
update that was saved is never reported as failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import make_client
from bot.deps import Deps
from bot.respond import PatientRespond
from bot.scheduler import MARKER, Scheduler
from bot.services import schedule
from models import Plan
from models.db import make_sessionmaker
from qib_testing.bots import bot_settings
from qib_testing.people import CHAIR, IRO
from qib_testing.slack_standin import BOARD_CHANNEL_ID
from tests.reliability.conftest import SLACK_TIMEOUT, recorded_keys
from tests.reliability.flaky_slack import FlakySlack, Slow
from tests.reliability.outcomes import told
from tests.reliability.updates import UpdateDriver

KINDS = ["rate_limited", "server_error", "timeout", "refused"]
CHANNEL = BOARD_CHANNEL_ID  # #qib-board, the Durham plan's board channel, as Slack answers it
REMINDER_DAY = datetime(2020, 2, 7, 9, 0, tzinfo=UTC)  # Fri 7 Feb 09:00 London
DIGEST_DAY = datetime(2020, 2, 12, 9, 0, tzinfo=UTC)  # Wed 12 Feb: five clear days before Thu 20 Feb
LATER = DIGEST_DAY + schedule.STALE_CLAIM + timedelta(minutes=1)  # a crashed or stuck claim is taken over
TIMEOUT = SLACK_TIMEOUT  # how long the bot waits for Slack in these tests (production: 10 s)
SLOW = TIMEOUT + 1.0  # how late Slack answers in a "timeout"


@pytest.fixture(autouse=True)
def impatient_replies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(PatientRespond, "timeout", TIMEOUT)
    yield


def arrange(
    slack: FlakySlack, method: str, kind: str, *, error: str = "channel_not_found", predicate=None
) -> Slow | None:
    """Make the next matching call to `method` fail in the way `kind` says; a late answer's rule."""
    if kind == "rate_limited":
        slack.fail(method, status=429, retry_after=1, times=1)
    elif kind == "server_error":
        slack.fail(method, status=500, times=1)
    elif kind == "timeout":
        return slack.slow(method, SLOW, deliver=True, predicate=predicate)  # Slack acts on it, but late
    else:
        slack.fail(method, status=200 if method != "response_url" else 404, error=error, times=1)
    return None


def settle(late: Slow | None) -> None:
    """A late answer lands after the bot gave up on it: wait for Slack to finish acting on it."""
    if late is not None:
        late.wait_answered(timeout=30)


def still_serving(outage_bot) -> None:
    """The process is up and answering, whatever happened before."""
    [reply] = outage_bot.command("help")
    assert "/qib help" in reply["text"]
    assert outage_bot.healthz() == 200


def delivered(slack: FlakySlack, method: str, predicate=lambda c: True) -> list:
    return [c for c in slack.calls_to(method) if not c.failed and predicate(c)]


# ---------------------------------------------------------------------- replies on a response_url


@pytest.mark.parametrize("kind", KINDS)
def test_a_command_reply_on_the_response_url(outage_bot, kind):
    late = arrange(outage_bot.slack, "response_url", kind, error="expired_url")
    outage_bot.command("status M-05")
    settle(late)
    ok = delivered(outage_bot.slack, "response_url")
    if kind == "refused":
        assert ok == []  # the url is dead: nothing to retry, and nowhere else to say it
    else:
        assert len(ok) == 1 and "M-05" in ok[0].args["text"]  # retried after 429/500; a late one not resent
    still_serving(outage_bot)


@pytest.mark.parametrize("kind", KINDS)
def test_a_quick_update_whose_reply_is_refused_or_late_is_saved_and_never_reported_as_failed(
    outage_bot, kind
):
    late = arrange(outage_bot.slack, "response_url", kind, error="expired_url")
    driver = UpdateDriver(outage_bot)
    key = driver.quick("M-05", 20, user=IRO)
    settle(late)
    assert recorded_keys(outage_bot.engine) == {key}
    texts = [c.args["text"] for c in outage_bot.slack.calls_to("response_url") if not c.failed]
    assert all(told(t) == "saved" for t in texts), texts
    assert len(texts) == (0 if kind == "refused" else 1)
    still_serving(outage_bot)


# ---------------------------------------------------------------------- chat.postMessage


@pytest.mark.parametrize("kind", KINDS)
def test_an_answer_to_a_mention(outage_bot, kind):
    arrange(outage_bot.slack, "chat.postMessage", kind)
    ts = outage_bot.mention("how are we doing on foster carer reviews?")
    outage_bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("thread_ts") == ts, timeout=10
    )
    answers = delivered(outage_bot.slack, "chat.postMessage", lambda c: c.args.get("thread_ts") == ts)
    if kind == "refused":
        assert answers == []
        [told_] = outage_bot.slack.wait_for("chat.postEphemeral", timeout=10)  # the asker hears of it
        assert told_.args["user"] == CHAIR
    else:
        assert len(answers) == 1
    still_serving(outage_bot)


@pytest.mark.parametrize("kind", KINDS)
def test_an_update_announcement_in_the_board_channel(outage_bot, kind):
    late = arrange(
        outage_bot.slack, "chat.postMessage", kind, predicate=lambda a: a.get("channel") == CHANNEL
    )
    [reply] = outage_bot.command("update M-05 on track 20% announced", user=IRO)
    settle(late)
    assert recorded_keys(outage_bot.engine) == {"command:trig.cmd1"}
    assert told(reply["text"]) == "saved"  # the ack never waits for the channel
    if kind == "timeout":  # no answer: the outbox tries again after its backoff, and looks first
        outage_bot.clock[0] += timedelta(minutes=1)
        outage_bot.deps.outbox.ring()
    in_channel = delivered(outage_bot.slack, "chat.postMessage", lambda c: c.args.get("channel") == CHANNEL)
    parents = [c for c in in_channel if not c.args.get("thread_ts")]
    lines = [c for c in in_channel if c.args.get("thread_ts")]
    if kind == "refused":
        assert in_channel == []
        [dm] = delivered(outage_bot.slack, "chat.postMessage", lambda c: c.args.get("channel") == IRO)
        assert "channel_not_found" in str(dm.args["blocks"])  # the author knows an admin must act
    else:  # Slack posted the thread's start even when its answer never came: neither is posted twice
        assert (len(parents), len(lines)) == (1, 1)
    still_serving(outage_bot)


def test_an_area_thread_slack_refused_to_start_is_started_by_the_next_update(outage_bot):
    outage_bot.slack.fail("chat.postMessage", status=200, error="channel_not_found", times=1)
    outage_bot.command("update M-05 on track 20% refused", user=IRO)
    [told_] = delivered(outage_bot.slack, "chat.postMessage", lambda c: c.args.get("channel") == IRO)
    assert "channel_not_found" in str(told_.args["blocks"])
    outage_bot.command("update M-05 on track 25% accepted", user=IRO)
    assert len(delivered(outage_bot.slack, "chat.postMessage", lambda c: c.args.get("channel") == IRO)) == 1
    [parent] = [m for m in outage_bot.slack.posts(CHANNEL) if m["text"].startswith("Updates: ")]
    assert [m["text"] for m in outage_bot.slack.messages(CHANNEL) if m.get("thread_ts") == parent["ts"]][
        -1
    ].startswith("*M-05*")


@pytest.mark.parametrize("kind", KINDS)
def test_the_receipt_of_a_modal_update(outage_bot, kind):
    with outage_bot.deps.sessions.begin() as db:  # no announcement: the receipt is the only message
        db.get(Plan, outage_bot.deps.plan_id()).announce_updates = False
    late = arrange(outage_bot.slack, "chat.postMessage", kind)
    driver = UpdateDriver(outage_bot)
    key = driver.modal("M-06", 30)
    settle(late)
    assert driver.ledger.outcomes[key] == "saved"  # the modal closed: that is the confirmation
    assert recorded_keys(outage_bot.engine) == {key}
    receipts = delivered(outage_bot.slack, "chat.postMessage", lambda c: c.args["channel"] == CHAIR)
    assert [r.args["text"].split(":")[0] for r in receipts] == ([] if kind == "refused" else ["Saved"])
    assert not any("went wrong" in str(c.args) for c in outage_bot.slack.calls)  # nobody is told it failed
    still_serving(outage_bot)


# ---------------------------------------------------------------------- the digest and reminders


def ticker(outage_bot) -> Scheduler:
    """The scheduler as `qib run` builds it, on the bot's database and Slack (waiting less long)."""
    settings = bot_settings(outage_bot.engine.url.render_as_string(hide_password=False), outage_bot.slack)
    client = make_client(settings)
    client.timeout = TIMEOUT
    deps = Deps(engine=outage_bot.deps.engine, sessions=make_sessionmaker(outage_bot.deps.engine))
    return Scheduler(deps, settings, client, worker="reliability")


def tick_as_the_loop_does(sched: Scheduler, now: datetime) -> None:
    """One tick of Scheduler.run_forever: an exception is logged there, and the next minute tries again."""
    try:
        sched.tick(now)
    except Exception as exc:  # what run_forever catches
        assert isinstance(exc, TimeoutError), exc


def digest_posts(slack: FlakySlack) -> list[dict]:
    return [m for m in slack.posts(CHANNEL) if (m.get("metadata") or {}).get("event_type") == MARKER]


def thread_of(slack: FlakySlack, ts: str) -> list[dict]:
    return [m for m in slack.messages(CHANNEL) if m.get("thread_ts") == ts and m["ts"] != ts]


@pytest.mark.parametrize("kind", KINDS)
def test_the_digest_is_posted_exactly_once_whatever_slack_answers(outage_bot, kind):
    sched = ticker(outage_bot)
    sched.tick(REMINDER_DAY)  # the reminders, out of the way
    late = arrange(
        outage_bot.slack, "chat.postMessage", kind,
        predicate=lambda a: a.get("channel") == CHANNEL and not a.get("thread_ts"),
    )  # fmt: skip
    tick_as_the_loop_does(sched, DIGEST_DAY)
    settle(late)
    sched.tick(LATER)  # the crash-recovery path: a stale claim, and a look at the channel first
    sched.tick(LATER + timedelta(minutes=1))
    [digest] = digest_posts(outage_bot.slack)
    assert len(thread_of(outage_bot.slack, digest["ts"])) == 6  # one reply per area, none twice
    if kind == "refused":
        told_chair = [
            c for c in delivered(outage_bot.slack, "chat.postMessage") if c.args["channel"] == CHAIR
        ]
        assert any("channel_not_found" in c.args["text"] for c in told_chair)


@pytest.mark.parametrize("kind", ["rate_limited", "server_error", "timeout"])
def test_a_digest_thread_reply_is_posted_exactly_once_whatever_slack_answers(outage_bot, kind):
    sched = ticker(outage_bot)
    sched.tick(REMINDER_DAY)
    replies = {"n": 0}

    def third_reply(args: dict) -> bool:
        if args.get("channel") == CHANNEL and args.get("thread_ts"):
            replies["n"] += 1
            return replies["n"] == 3
        return False

    if kind == "timeout":
        late = outage_bot.slack.slow("chat.postMessage", SLOW, deliver=True, predicate=third_reply)
    else:
        late = arrange(outage_bot.slack, "chat.postMessage", kind)
    tick_as_the_loop_does(sched, DIGEST_DAY)
    settle(late)
    sched.tick(LATER)
    [digest] = digest_posts(outage_bot.slack)
    texts = [m["text"] for m in thread_of(outage_bot.slack, digest["ts"])]
    assert len(texts) == 6 and len(set(texts)) == 6, texts


@pytest.mark.parametrize("kind", KINDS)
def test_owner_reminders_go_to_each_owner_once(outage_bot, kind):
    sched = ticker(outage_bot)
    late = arrange(outage_bot.slack, "chat.postMessage", kind, predicate=lambda a: a.get("channel") == IRO)
    tick_as_the_loop_does(sched, REMINDER_DAY)
    settle(late)
    sched.tick(REMINDER_DAY + schedule.STALE_CLAIM + timedelta(minutes=1))
    dms = [c.args["channel"] for c in delivered(outage_bot.slack, "chat.postMessage")]
    expected = 7 if kind == "refused" else 8  # seven owners with milestones, and KPI-4's owner
    assert len(dms) == len(set(dms)) == expected, dms


# ---------------------------------------------------------------------- views


@pytest.mark.parametrize("kind", KINDS)
def test_opening_the_update_modal(outage_bot, kind):
    late = arrange(outage_bot.slack, "views.open", kind, error="expired_trigger_id")
    replies = outage_bot.command("update", user=IRO)
    settle(late)
    opened = delivered(outage_bot.slack, "views.open")
    if kind == "refused":
        assert opened == []
        [reply] = replies  # the person is told, and can simply try again
        assert reply["response_type"] == "ephemeral" and "went wrong" in reply["text"]
    elif kind == "timeout":
        assert len(opened) == 1  # not opened twice
    else:
        assert len(opened) == 1 and replies == []
    still_serving(outage_bot)


@pytest.mark.parametrize("kind", KINDS)
def test_publishing_the_app_home(outage_bot, kind):
    late = arrange(outage_bot.slack, "views.publish", kind, error="invalid_arguments")
    outage_bot.event(
        {"type": "app_home_opened", "user": IRO, "channel": f"D{IRO}", "tab": "home", "event_ts": "1.1"}
    )
    settle(late)
    published = delivered(outage_bot.slack, "views.publish")
    assert len(published) == (0 if kind == "refused" else 1)
    still_serving(outage_bot)


def test_a_slack_that_keeps_failing_is_given_up_on_and_the_bot_carries_on(outage_bot):
    outage_bot.slack.fail("chat.postMessage", status=500, times=None)
    outage_bot.slack.fail("response_url", status=503, times=None)
    outage_bot.command("status")
    assert delivered(outage_bot.slack, "response_url") == []  # tried, given up on, and that is all
    outage_bot.mention("summary")
    outage_bot.slack.clear_failures()
    still_serving(outage_bot)
