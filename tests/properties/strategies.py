"""Text the way people type it to the bot, and the way Slack delivers it."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from handlers.commands.parse import ALIASES

# QIB_PROPERTY_SCALE=20 runs twenty times the examples, to hunt for bugs; the suite keeps it modest.
SCALE = max(1, int(os.environ.get("QIB_PROPERTY_SCALE", "1") or 1))


def examples(n: int, **kwargs: object) -> settings:
    """Hypothesis settings for n examples (times QIB_PROPERTY_SCALE), no deadline (databases vary)."""
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        **kwargs,  # type: ignore[arg-type]
    )


SUBCOMMANDS = [
    "help", "status", "summary", "mine", "overdue", "due", "stale", "priority", "history", "update",
    "owner", "delegate", "meetings", "meeting", "digest", "inspection", *ALIASES,
]  # fmt: skip
WORDS = [
    "M-05", "m5", "M05", "M-99", "AFI-1", "afi 5", "SP-1", "sp2", "Q3", "on", "track", "on track", "green",
    "amber", "red", "blue", "done", "complete", "at risk", "off track", "not started", "60%", "150%",
    "60", "%", "percent", "-5%", "-", ":", "|", "—", "2020-02-20", "2020-02-30", "20/2/2020", "20 Feb",
    "27 February", "to", "at", "14:00", "2pm", "25:99", "until", "none", "nobody", "iro-ops", "head-csc",
    "Alex", "Morgan", "<@U0QIB0002>", "<@U0QIB0002|alex>", "<@W999>", "<!channel>", "<!here>",
    "<#C123|board>", "<https://example.gov.uk/evidence|evidence>", "https://example.gov.uk/x?y=1&z=2",
    "&lt;", "&gt;", "&amp;", "&amp;lt;", "*bold*", "_it_", "`code`", "foster", "carer", "reviews",
    "management oversight", "move", "cancel", "add", "preview", "show", "share", "x" * 300, "\u202e",
    "\x1b[2J", "\x00", "\t", "\n", "🎉", "ﬁ", "İ", "ß", "١٢", "²", "9" * 5000,
]  # fmt: skip

any_text = st.text(max_size=300)
words = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=12).map(" ".join)
command_text = st.one_of(
    any_text,
    words,
    st.tuples(st.sampled_from(SUBCOMMANDS), words).map(" ".join),
    st.tuples(st.sampled_from(SUBCOMMANDS), any_text).map(" ".join),
)


def slack_escaped(text: str) -> str:
    """What Slack sends for text typed literally: &, < and > escaped (live mentions are added apart)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
