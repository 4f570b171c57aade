"""Is user and plan text inert in what the bot sends? A scanner for Slack payloads.

In mrkdwn only `<...>` is live: `<!channel>`, `<!everyone>`, `<!here>` and `<!subteam^...>` ping
people, `<@U123>` mentions someone, `<#C123>` links a channel and `<https://evil|click>` hides a link
under the bot's name. Text that the bot escaped (`&lt;!channel&gt;`) shows the same characters and
does nothing. The scanner walks a message or view payload, finds every string Slack reads as mrkdwn
(a message's top-level `text`, text objects of type mrkdwn, markdown blocks, attachment text) and
reports each `<...>` sequence in it that the caller has not declared as the bot's own. It also
reports control characters (escape sequences, bidi overrides) anywhere in the payload's text, in
plain_text too, since those can reorder or hide what a reader sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

LIVE = re.compile(r"<([^<>]*)>")
# What mrkdwn_escape and terminal_safe remove: C0 controls but tab and newline, DEL, C1 controls,
# bidi embeddings, overrides and isolates.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ATTACHMENT_MRKDWN = ("text", "pretext", "footer", "title")


@dataclass(frozen=True)
class Finding:
    where: str  # JSON pointer into the payload
    what: str  # "broadcast", "mention", "channel", "link", "live" or "control"
    sequence: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} {self.sequence!r}"


def kind_of(sequence: str) -> str:
    inner = sequence[1:-1]
    if inner.startswith("!"):
        return "broadcast"
    if inner.startswith("@"):
        return "mention"
    if inner.startswith("#"):
        return "channel"
    if re.match(r"[a-z][a-z0-9+.-]*:", inner, re.IGNORECASE):
        return "link"
    return "live"


def mrkdwn_strings(payload: Any, *, message: bool = True) -> Iterator[tuple[str, str]]:
    """(pointer, text) for every string of `payload` that Slack renders as mrkdwn."""
    if not isinstance(payload, dict):
        return
    if message and isinstance(payload.get("text"), str) and payload.get("mrkdwn", True) is not False:
        yield "/text", payload["text"]
    for key in ("blocks", "attachments"):
        if key in payload:
            yield from _walk(payload[key], f"/{key}")


def _walk(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}/{i}")
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    text = node.get("text")
    if isinstance(text, str) and kind in ("mrkdwn", "markdown"):
        yield f"{path}/text", text
    if "/attachments/" in path + "/" and path.count("/") == 2:  # an attachment itself
        for key in ATTACHMENT_MRKDWN:
            if isinstance(node.get(key), str):
                yield f"{path}/{key}", node[key]
        for i, f in enumerate(node.get("fields") or []):
            if isinstance(f, dict) and isinstance(f.get("value"), str):
                yield f"{path}/fields/{i}/value", f["value"]
    for key, value in node.items():
        if isinstance(value, (dict, list)):
            yield from _walk(value, f"{path}/{key}")


def all_strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string value in the payload (plain_text, values, ids), for the control-character check."""
    if isinstance(node, str):
        yield path or "/", node
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from all_strings(item, f"{path}/{i}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from all_strings(value, f"{path}/{key}")


def live_sequences(
    payload: dict[str, Any], *, allowed: Iterable[str] = (), message: bool = True
) -> list[Finding]:
    """Live `<...>` sequences in the payload's mrkdwn that are not among `allowed` (the bot's own)."""
    own = set(allowed)
    found = []
    for where, text in mrkdwn_strings(payload, message=message):
        for m in LIVE.finditer(text):
            if m.group(0) not in own:
                found.append(Finding(where, kind_of(m.group(0)), m.group(0)))
    return found


def control_characters(payload: Any) -> list[Finding]:
    return [
        Finding(where, "control", f"U+{ord(m.group(0)):04X}")
        for where, text in all_strings(payload)
        for m in CONTROL.finditer(text)
    ]


def findings(payload: dict[str, Any], *, allowed: Iterable[str] = (), message: bool = True) -> list[Finding]:
    return live_sequences(payload, allowed=allowed, message=message) + control_characters(payload)


def payload_of(call: Any) -> tuple[dict[str, Any], bool] | None:
    """The message or view a recorded FakeSlack call carried, and whether it is a message."""
    if call.method == "response_url" or call.method.startswith("chat."):
        return call.args, True
    if call.method.startswith("views.") and isinstance(call.args.get("view"), dict):
        return call.args["view"], False
    return None


def scan_calls(calls: Iterable[Any], *, allowed: Iterable[str] = ()) -> list[str]:
    """Every finding in every message and view the bot sent, labelled with the Web API method."""
    own = list(allowed)
    out = []
    for call in calls:
        found = payload_of(call)
        if found is None:
            continue
        payload, message = found
        out += [f"{call.method} {f}" for f in findings(payload, allowed=own, message=message)]
    return out
