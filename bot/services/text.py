"""Making user and plan text inert wherever it is shown."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls (U+009B is an escape sequence's CSI to a terminal),
# and bidi embeddings, overrides and isolates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


_MARKUP = re.compile(r"<[@!#][^>]*>")


def strip_mentions(text: str) -> str:
    """A message without the mentions and links Slack made in it, whitespace collapsed."""
    return " ".join(_MARKUP.sub(" ", text).split())


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


_LIVE_LINK = re.compile(r"<((?:https?|mailto):[^|<>\s]+)(?:\|([^<>]*))?>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}


def unescape_slack(text: str) -> str:
    """Text from a slash command or a message as the person typed it: undone once, where it arrives.

    Slack escapes a typed &, < and > as &amp; &lt; &gt;, and sends links it recognised as
    <https://...|label>. Links become plain text first (only a literal < can start one), then the
    three entities are undone in a single pass, so "&amp;lt;" comes back as "&lt;", not "<".
    Mentions Slack made (<@U123>, <#C123|name>) are left as they are, for the handler to read.
    What comes out is raw text: it is escaped (mrkdwn_escape) wherever it is shown.
    """

    def link(m: re.Match[str]) -> str:
        url, label = m.group(1), m.group(2)
        if url.startswith("mailto:"):
            return label or url.removeprefix("mailto:")
        if label and label not in (url, url.split("://", 1)[-1]):
            return f"{label} ({url})"
        return url

    text = _LIVE_LINK.sub(link, text)
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def slack_escape(text: str) -> str:
    """What Slack sends for text typed literally in a message or a command (the console sends the same)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
