"""Any /qib text, mention or direct message, through the real app over signed HTTP: an answer, never a
stack trace, an unhandled error or a 500; every payload within Block Kit's limits and inert."""

from __future__ import annotations

import json
import time

from hypothesis import given
from hypothesis import strategies as st

from qib_testing.people import CHAIR, IRO, PRACTICE_LEAD
from tests.properties.strategies import command_text, examples, slack_escaped
from tests.security.inert import scan_calls

USERS = [CHAIR, IRO, PRACTICE_LEAD, "U0NOBODY01"]
LIVE = [
    "<@U0QIB0002>",
    "<@U0QIB0003|jordan>",
    "<!channel>",
    "<!here>",
    "<#C0BOARD|board>",
    "<https://example.gov.uk/e|evidence>",
    "<mailto:a@example.gov.uk|a>",
]
# What a leaked error looks like. ("Exceptions" alone is a section of the board's paper.)
UNHANDLED = ("Something went wrong", "Traceback", "Exception:", "Exception(", "Error:")


@st.composite
def as_slack_sends(draw) -> str:
    """Typed text as Slack delivers it: literal &<> escaped, mentions and links it recognised left live."""
    text = slack_escaped(draw(command_text))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + " " + draw(st.sampled_from(LIVE)) + " " + text[at:]
    return text


def check_everything_sent(bot) -> None:
    calls = bot.slack.calls
    assert bot.slack.violations == []
    sent = json.dumps([c.args for c in calls], ensure_ascii=False)
    for marker in UNHANDLED:
        assert marker not in sent, marker
    problems = scan_calls(calls)
    assert problems == [], problems


@examples(120)
@given(as_slack_sends(), st.sampled_from(USERS))
def test_any_command_text_gets_an_answer(bot, text, user):
    bot.slack.reset()
    replies = bot.command(text, user=user)  # asserts the HTTP status is 200
    opened = bot.slack.calls_to("views.open")
    assert len(replies) + len(opened) >= 1, "every command is answered, or opens the form"
    assert len(replies) <= 2
    check_everything_sent(bot)


@examples(40)
@given(as_slack_sends(), st.sampled_from(USERS), st.booleans())
def test_any_mention_or_direct_message_gets_an_answer(bot, text, user, mention):
    bot.slack.reset()
    if mention:
        bot.mention(text, user=user)
    else:
        bot.dm(text, user=user)
    deadline = time.monotonic() + 10
    while not [c for c in bot.slack.calls if c.method in ("chat.postMessage", "chat.postEphemeral")]:
        assert time.monotonic() < deadline, "no answer"
        time.sleep(0.01)
    check_everything_sent(bot)


@examples(40)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "milestone",
                "status",
                "percent",
                "note",
                "evidence_url",
                "next_steps",
                "blockers",
                "reopen_reason",
                "confirm",
            ]
        ),
        st.one_of(
            st.text(max_size=50),
            st.sampled_from(
                ["M-05", "M-16", "on track", "complete", "60", "²", "101", "https://x", "javascript:alert(1)"]
            ),
        ),
    ),
    st.sampled_from(USERS),
)
def test_any_submitted_form_gets_a_field_error_or_is_saved(bot, values, user):
    bot.slack.reset()
    state = {}
    for block, value in values.items():
        if block in ("milestone", "status"):
            state[block] = {"v": {"type": "static_select", "selected_option": {"value": value}}}
        elif block == "confirm":
            state[block] = {"v": {"type": "checkboxes", "selected_options": [{"value": "not_personal"}]}}
        else:
            state[block] = {"v": {"type": "plain_text_input", "value": value}}
    view = {"callback_id": "qib_update", "id": "VFUZZ", "private_metadata": "{}"}
    status, text = bot.submit(view, state, user=user)
    assert status == 200
    if text:
        answer = json.loads(text)
        assert answer["response_action"] == "errors" and answer["errors"]
        assert all(isinstance(m, str) and 0 < len(m) <= 300 for m in answer["errors"].values())
    check_everything_sent(bot)
