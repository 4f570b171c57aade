"""Every reply that quotes what was typed, through the real app over signed HTTP: the quote, once
Slack-unescaped, is exactly what the person typed (escaped once, not twice), and nothing in it is live."""

from __future__ import annotations

import re
import time

from hypothesis import given
from hypothesis import strategies as st

from bot.services.text import mrkdwn_unescape
from qib_testing.people import CHAIR
from tests.properties.strategies import examples, slack_escaped
from tests.security.inert import scan_calls

# Text that means nothing in the plan, made of what Slack escapes and what would be live if it were not.
PIECES = [
    "&", "<", ">", "&amp;", "&lt;", "&gt;", "&amp;lt;", "&#38;", "R&D", "<x>", "<!channel>", "<!here>",
    "<@U0QIB0002>", "<@U0QIB0003|jordan>", "<#C1|board>", "<https://evil.example|click>",
    "<mailto:x@evil.example|mail>", "*bold*", "_it_", "`tick`", "~s~", "|", ":", "/", "!", "#", "@",
]  # fmt: skip
typed_word = st.one_of(
    st.sampled_from(PIECES), st.text(alphabet="&<>!@#|:;/*_~`'\"xzqj", min_size=1, max_size=6)
)
typed = st.lists(typed_word, min_size=1, max_size=4).map(" ".join).filter(lambda t: len(t) <= 22)
QUOTED = re.compile(r"“(.*?)”", re.DOTALL)

# (what is sent after /qib, with {t} for the typed text; what the reply quotes)
COMMANDS = [
    ("status zqj {t}", "zqj {t}"),
    ("owner M-07 zqj {t}", "zqj {t}"),
    ("due zqj {t}", "zqj {t}"),
    ("digest zqj {t}", "zqj {t}"),
    ("delegate head-csc iro-ops until zqj {t}", "zqj {t}"),
]


def quotes(text: str) -> list[str]:
    """What a reply quotes, as a person reads it (Slack shows &amp; &lt; &gt; as & < >)."""
    return [mrkdwn_unescape(q) for q in QUOTED.findall(text)]


def reply_texts(payload: dict) -> list[str]:
    """The fallback and every section's text of a message."""
    sections = [b["text"]["text"] for b in payload.get("blocks") or [] if b.get("type") == "section"]
    return [payload.get("text") or "", *sections]


@examples(30)
@given(typed, st.sampled_from(COMMANDS))
def test_a_command_reply_quotes_exactly_what_was_typed(bot, text, command):
    sent, quoted = command
    bot.slack.reset()
    [reply] = bot.command(slack_escaped(sent.format(t=text)), user=CHAIR)
    for shown in reply_texts(reply):
        assert quotes(shown) == [quoted.format(t=text)], (sent, shown)
    assert scan_calls(bot.slack.calls) == []


@examples(20)
@given(typed, st.booleans())
def test_a_mention_or_direct_message_reply_quotes_exactly_what_was_typed(bot, text, mention):
    bot.slack.reset()
    question = slack_escaped(f"how is zqj {text} zqj going?")
    if mention:
        bot.mention(question, user=CHAIR)
    else:
        bot.dm(question, user=CHAIR)
    deadline = time.monotonic() + 10
    while not bot.slack.calls_to("chat.postMessage"):
        assert time.monotonic() < deadline, "no answer"
        time.sleep(0.01)
    [answer] = bot.slack.calls_to("chat.postMessage")
    for shown in reply_texts(answer.args):
        assert quotes(shown) == [f"zqj {text} zqj"], shown  # "how is X going?" asks about X
    assert scan_calls(bot.slack.calls) == []
