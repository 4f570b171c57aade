"""Block Kit as readable terminal text: what Slack would show, with who sees it."""

from __future__ import annotations

import re
from typing import Any

from bot.services.text import terminal_safe

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^|>]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\|[^>]*)?>")
_EMOJI = re.compile(r":([a-z_]+):")
# The shortcodes the bot itself uses, as a terminal shows them.
EMOJI = {
    "large_blue_circle": "🔵",
    "large_green_circle": "🟢",
    "large_orange_circle": "🟠",
    "red_circle": "🔴",
    "white_circle": "⚪",
    "rotating_light": "🚨",
    "hourglass_flowing_sand": "⏳",
    "white_check_mark": "✅",
    "warning": "⚠️",
    "tada": "🎉",
    "eyes": "👀",
    "grey_question": "❔",
}


def emoji(text: str) -> str:
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def mrkdwn_to_text(text: str) -> str:
    """Links and mentions as Slack would show them; escaped &<> back to themselves, which is inert here."""
    text = _LINK.sub(r"\2 (\1)", text)
    text = _BARE_LINK.sub(r"\1", text)
    text = _USER.sub(r"@\1", text)
    text = _SPECIAL.sub(r"@\1", text)
    return emoji(terminal_safe(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")))


def _text(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    raw = obj.get("text", "")
    return mrkdwn_to_text(raw) if obj.get("type") == "mrkdwn" else emoji(terminal_safe(raw))


def _element(el: dict[str, Any]) -> str:
    kind = el.get("type")
    if kind == "button":
        return f"[{_text(el.get('text'))}]"
    if kind in {"static_select", "external_select", "users_select", "overflow"}:
        chosen = el.get("initial_option") or {}
        label = _text(chosen.get("text")) or _text(el.get("placeholder")) or "choose"
        return f"[{label} v]"
    if kind == "plain_text_input":
        return f"[{terminal_safe(el.get('initial_value', ''))}]"
    if kind in {"mrkdwn", "plain_text"}:
        return _text(el)
    if kind == "image":
        return f"(image: {el.get('alt_text', '')})"
    return f"[{kind}]"


def render_blocks(blocks: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for b in blocks:
        kind = b.get("type")
        if kind == "header":
            title = _text(b.get("text"))
            lines += [title.upper(), "=" * min(len(title), 70)]
        elif kind == "section":
            text = _text(b.get("text"))
            if b.get("accessory"):
                text = f"{text}  {_element(b['accessory'])}"
            if text:
                lines.append(text)
            for f in b.get("fields") or []:
                lines.append(f"  {_text(f)}")
        elif kind == "context":
            lines.append("  · " + "  ".join(_element(e) for e in b.get("elements", [])))
        elif kind == "actions":
            lines.append("  " + " ".join(_element(e) for e in b.get("elements", [])))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "input":
            label = _text(b.get("label"))
            optional = " (optional)" if b.get("optional") else ""
            lines.append(f"  {b.get('block_id')}: {label}{optional} {_element(b.get('element', {}))}")
        elif kind == "rich_text":
            lines.append("(rich text)")
        else:
            lines.append(f"({kind} block)")
    return lines


def render_outgoing(where: str, payload: dict[str, Any]) -> str:
    """One thing the bot sent, headed by who sees it."""
    if where == "modal":
        title = _text(payload.get("title"))
        body = render_blocks(payload.get("blocks", []))
        submit = _text(payload.get("submit")) if payload.get("submit") else None
        foot = [f"  (fill in with :submit field=value ...; {submit or 'close'})"] if submit else []
        return "\n".join([f"--- modal: {title} ---", *body, *foot])
    if where == "home":
        return "\n".join(["--- App Home ---", *render_blocks(payload.get("blocks", []))])
    label = {
        "ephemeral": "only you can see this",
        "in_channel": "posted in the channel",
        "channel": "posted in the channel",
        "thread": "reply in a thread",
        "dm": "direct message",
    }.get(where, where)
    blocks = payload.get("blocks") or []
    body = render_blocks(blocks) if blocks else [mrkdwn_to_text(payload.get("text", ""))]
    return "\n".join([f"--- {label} ---", *body])
