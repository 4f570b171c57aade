"""Making user and plan text inert wherever it is shown."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Drop control characters (escape sequences, bidi overrides) before printing to a terminal."""
    return _CONTROL.sub("", text)


def mrkdwn_escape(text: str) -> str:
    """Raw text (typed in a modal, read from the database) made inert in Slack mrkdwn.

    Only &, < and > are control characters in mrkdwn; & goes first so it is not escaped twice.
    """
    return _CONTROL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def reescape_message_text(text: str) -> str:
    """Text that arrived in a message or command: &<> are already escaped; any <...> left is live."""
    return _CONTROL.sub("", text).replace("<", "&lt;").replace(">", "&gt;")
