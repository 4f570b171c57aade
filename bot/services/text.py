"""Making user and plan text inert wherever it is shown."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls (U+009B is an escape sequence's CSI to a terminal),
# and bidi embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Drop control characters (escape sequences, bidi overrides) before printing to a terminal."""
    return _CONTROL.sub("", text)


def mrkdwn_escape(text: str) -> str:
    """Raw text (typed in a modal, read from the database) made inert in Slack mrkdwn.

    Only &, < and > are control characters in mrkdwn; & goes first so it is not escaped twice.
    """
    return _CONTROL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_unescape(text: str) -> str:
    """The raw text behind mrkdwn_escape (for text the bot itself escaped and stored, such as a posted
    digest's fallback, before it is escaped again on the way out)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def reescape_message_text(text: str) -> str:
    """Text that arrived in a message or command: &<> are already escaped; any <...> left is live."""
    return _CONTROL.sub("", text).replace("<", "&lt;").replace(">", "&gt;")
