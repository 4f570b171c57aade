"""Block Kit checker: every limit of the "Block Kit limits" table in /work/shared/SLACK.md.

slack_sdk.models validates only part of Slack's rules (and silently drops unknown blocks), so the
stand-in runs every outgoing payload through this module instead of trusting the SDK. Violations are
plain strings "<json-pointer>: <what is wrong>" so a failing test says exactly where to look.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_MAX_TEXT = 4000
MESSAGE_MAX_BLOCK_TEXT = 12000
ID_MAX = 255

_DOCUMENTED_BLOCK_TYPES = {
    "actions", "call", "context", "context_actions", "divider", "file", "header", "image", "input",
    "markdown", "rich_text", "section", "table", "video",
}  # fmt: skip


def _sdk_block_types() -> set[str]:
    """Block types slack_sdk can parse, so newer SDK-supported blocks are not reported as unknown."""
    found: set[str] = set()
    pending: list[type] = [Block]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        block_type = getattr(cls, "type", None)
        if isinstance(block_type, str):
            found.add(block_type)
    return found


KNOWN_BLOCK_TYPES = _DOCUMENTED_BLOCK_TYPES | _sdk_block_types()
_SDK_LOGGER = logging.getLogger("slack_sdk.models.blocks.blocks")
_SDK_LOGGER_LOCK = threading.Lock()  # server threads check payloads concurrently

_STATIC_SELECTS = {"static_select", "multi_static_select"}
_OTHER_SELECTS = {
    "external_select", "multi_external_select", "users_select", "multi_users_select",
    "conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select",
}  # fmt: skip
_PLACEHOLDER_INPUTS = {
    "plain_text_input", "email_text_input", "url_text_input", "number_input", "datepicker",
    "timepicker", "datetimepicker", "rich_text_input",
}  # fmt: skip
_OTHER_ELEMENTS = {"file_input", "feedback_buttons", "icon_button", "workflow_button", "image"}
KNOWN_ELEMENT_TYPES = (
    {"button", "overflow", "checkboxes", "radio_buttons"}
    | _STATIC_SELECTS
    | _OTHER_SELECTS
    | _PLACEHOLDER_INPUTS
    | _OTHER_ELEMENTS
)


class _Checker:
    """Collects violations while walking one payload."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.violations.append(f"{path or '/'}: {message}")

    # --- primitives -------------------------------------------------------------------------

    def length(self, value: Any, path: str, what: str, max_len: int, *, min_len: int = 0) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add(path, f"{what} must be a string, got {type(value).__name__}")
        elif len(value) > max_len:
            self.add(path, f"{what} is {len(value)} characters (max {max_len})")
        elif len(value) < min_len:
            self.add(path, f"{what} is {len(value)} characters (min {min_len})")

    def ident(self, obj: dict[str, Any], key: str, path: str) -> None:
        self.length(obj.get(key), f"{path}/{key}", key, ID_MAX)

    def text(
        self,
        obj: Any,
        path: str,
        what: str,
        max_len: int | None,
        *,
        plain_only: bool = False,
        required: bool = True,
    ) -> None:
        """Check a text object: type, non-empty text, length, and plain_text where Slack requires it."""
        if obj is None:
            if required:
                self.add(path, f"{what} is required")
            return
        if not isinstance(obj, dict):
            self.add(path, f"{what} must be a text object, got {type(obj).__name__}")
            return
        kind = obj.get("type")
        if kind not in ("plain_text", "mrkdwn"):
            self.add(f"{path}/type", f"{what} type must be plain_text or mrkdwn, got {kind!r}")
        elif plain_only and kind != "plain_text":
            self.add(f"{path}/type", f"{what} must be plain_text, not {kind}")
        value = obj.get("text")
        if not isinstance(value, str):
            self.add(f"{path}/text", f"{what} text must be a string, got {type(value).__name__}")
        elif not value.strip():
            self.add(f"{path}/text", f"{what} is empty")
        elif max_len is not None and len(value) > max_len:
            self.add(f"{path}/text", f"{what} is {len(value)} characters (max {max_len})")

    def items(self, obj: dict[str, Any], key: str, path: str, what: str, max_count: int) -> list[Any]:
        """Return obj[key] as a list (checking its count), or [] when absent or malformed."""
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(f"{path}/{key}", f"{what} must be a list")
            return []
        if len(value) > max_count:
            self.add(f"{path}/{key}", f"{len(value)} {what} (max {max_count})")
        return value

    # --- blocks -----------------------------------------------------------------------------

    def blocks(self, blocks: Any, path: str, max_blocks: int, surface: str) -> None:
        if not isinstance(blocks, list):
            self.add(path, f"blocks must be a list, got {type(blocks).__name__}")
            return
        if len(blocks) > max_blocks:
            self.add(path, f"{len(blocks)} blocks in a {surface} (max {max_blocks})")
        for i, block in enumerate(blocks):
            self.block(block, f"{path}/{i}")

    def block(self, block: Any, path: str) -> None:
        if not isinstance(block, dict):
            self.add(path, f"block must be an object, got {type(block).__name__}")
            return
        kind = block.get("type")
        self.ident(block, "block_id", path)
        if kind not in KNOWN_BLOCK_TYPES:
            self.add(f"{path}/type", f"unknown block type {kind!r}")
        handler = getattr(self, f"block_{kind}", None) if isinstance(kind, str) else None
        if handler is not None:
            handler(block, path)
        self.sdk_parse(block, path)

    def sdk_parse(self, block: dict[str, Any], path: str) -> None:
        """Run slack_sdk's own model over the block: catches what the SDK would refuse to build."""
        with _SDK_LOGGER_LOCK:
            previous = _SDK_LOGGER.disabled
            _SDK_LOGGER.disabled = True  # it logs a warning per unknown block; we report it instead
            try:
                parsed = Block.parse(block)
            except Exception as e:  # any SDK failure is a finding
                self.add(path, f"slack_sdk Block.parse raised {type(e).__name__}: {e}")
                return
            finally:
                _SDK_LOGGER.disabled = previous
        if parsed is None:
            self.add(path, f"slack_sdk Block.parse silently dropped this block (type {block.get('type')!r})")
            return
        try:
            parsed.validate_json()
            parsed.to_dict()
        except Exception as e:
            self.add(path, f"slack_sdk validation failed: {type(e).__name__}: {e}")

    def block_section(self, block: dict[str, Any], path: str) -> None:
        if block.get("text") is None and block.get("fields") is None:
            self.add(path, "section needs text or fields")
        self.text(block.get("text"), f"{path}/text", "section text", 3000, required=False)
        for i, field in enumerate(self.items(block, "fields", path, "section fields", 10)):
            self.text(field, f"{path}/fields/{i}", "section field", 2000)
        if "accessory" in block:
            self.element(block["accessory"], f"{path}/accessory")

    def block_header(self, block: dict[str, Any], path: str) -> None:
        self.text(block.get("text"), f"{path}/text", "header text", 150, plain_only=True)

    def block_context(self, block: dict[str, Any], path: str) -> None:
        elements = self.items(block, "elements", path, "context elements", 10)
        if not elements:
            self.add(f"{path}/elements", "context needs at least one element")
        for i, element in enumerate(elements):
            sub = f"{path}/elements/{i}"
            if isinstance(element, dict) and element.get("type") == "image":
                self.element(element, sub)
            else:
                self.text(element, sub, "context element", 3000)

    def block_actions(self, block: dict[str, Any], path: str) -> None:
        elements = self.items(block, "elements", path, "actions elements", 25)
        if not elements:
            self.add(f"{path}/elements", "actions needs at least one element")
        for i, element in enumerate(elements):
            self.element(element, f"{path}/elements/{i}")

    def block_input(self, block: dict[str, Any], path: str) -> None:
        self.text(block.get("label"), f"{path}/label", "input label", 2000, plain_only=True)
        self.text(block.get("hint"), f"{path}/hint", "input hint", 2000, plain_only=True, required=False)
        if block.get("element") is None:
            self.add(f"{path}/element", "input needs an element")
        else:
            self.element(block["element"], f"{path}/element")

    def block_markdown(self, block: dict[str, Any], path: str) -> None:
        value = block.get("text")
        if not isinstance(value, str) or not value.strip():
            self.add(f"{path}/text", "markdown block text is empty or missing")
        else:
            self.length(value, f"{path}/text", "markdown block text", 12000)

    def block_image(self, block: dict[str, Any], path: str) -> None:
        self.image(block, path)
        self.text(block.get("title"), f"{path}/title", "image title", 2000, plain_only=True, required=False)

    # --- elements and options ---------------------------------------------------------------

    def image(self, obj: dict[str, Any], path: str) -> None:
        if not obj.get("alt_text"):
            self.add(f"{path}/alt_text", "image alt_text is required")
        self.length(obj.get("alt_text"), f"{path}/alt_text", "image alt_text", 2000)
        if not obj.get("image_url") and not obj.get("slack_file"):
            self.add(path, "image needs image_url or slack_file")
        self.length(obj.get("image_url"), f"{path}/image_url", "image_url", 3000)

    def element(self, element: Any, path: str) -> None:
        if not isinstance(element, dict):
            self.add(path, f"element must be an object, got {type(element).__name__}")
            return
        kind = element.get("type")
        self.ident(element, "action_id", path)
        if kind not in KNOWN_ELEMENT_TYPES:
            self.add(f"{path}/type", f"unknown element type {kind!r}")
            return
        if "placeholder" in element:
            self.text(element["placeholder"], f"{path}/placeholder", "placeholder", 150, plain_only=True)
        if kind in ("button", "workflow_button"):
            self.text(element.get("text"), f"{path}/text", "button text", 75, plain_only=True)
            self.length(element.get("value"), f"{path}/value", "button value", 2000)
            self.length(element.get("url"), f"{path}/url", "button url", 3000)
        elif kind == "image":
            self.image(element, path)
        elif kind in _STATIC_SELECTS:
            self.static_select(element, path)
        elif kind == "overflow":
            options = self.items(element, "options", path, "overflow options", 5)
            if not options:
                self.add(f"{path}/options", "overflow needs at least one option")
            for i, option in enumerate(options):
                self.option(option, f"{path}/options/{i}", plain_only=True)
        elif kind in ("checkboxes", "radio_buttons"):
            options = self.items(element, "options", path, f"{kind} options", 10)
            if not options:
                self.add(f"{path}/options", f"{kind} needs at least one option")
            for i, option in enumerate(options):
                self.option(option, f"{path}/options/{i}", plain_only=False)
        elif kind == "plain_text_input":
            self.text_input_lengths(element, path)

    def static_select(self, element: dict[str, Any], path: str) -> None:
        options = self.items(element, "options", path, "select options", 100)
        groups = self.items(element, "option_groups", path, "select option_groups", 100)
        if not options and not groups:
            self.add(path, "static select needs options or option_groups")
        for i, option in enumerate(options):
            self.option(option, f"{path}/options/{i}", plain_only=True)
        for g, group in enumerate(groups):
            gpath = f"{path}/option_groups/{g}"
            if not isinstance(group, dict):
                self.add(gpath, "option group must be an object")
                continue
            self.text(group.get("label"), f"{gpath}/label", "option group label", 75, plain_only=True)
            for i, option in enumerate(self.items(group, "options", gpath, "options in a group", 100)):
                self.option(option, f"{gpath}/options/{i}", plain_only=True)

    def option(self, option: Any, path: str, *, plain_only: bool) -> None:
        if not isinstance(option, dict):
            self.add(path, f"option must be an object, got {type(option).__name__}")
            return
        self.text(option.get("text"), f"{path}/text", "option text", 75, plain_only=plain_only)
        if option.get("value") is None:
            self.add(f"{path}/value", "option value is required")
        self.length(option.get("value"), f"{path}/value", "option value", 150)
        self.text(option.get("description"), f"{path}/description", "option description", 75, required=False)
        self.length(option.get("url"), f"{path}/url", "option url", 3000)

    def text_input_lengths(self, element: dict[str, Any], path: str) -> None:
        max_length, min_length = element.get("max_length"), element.get("min_length")
        if max_length is not None and (not isinstance(max_length, int) or not 1 <= max_length <= 3000):
            self.add(f"{path}/max_length", f"plain_text_input max_length is {max_length!r} (must be 1..3000)")
        if min_length is not None and (not isinstance(min_length, int) or not 0 <= min_length <= 3000):
            self.add(f"{path}/min_length", f"plain_text_input min_length is {min_length!r} (must be 0..3000)")
        elif isinstance(max_length, int) and isinstance(min_length, int) and min_length > max_length:
            self.add(f"{path}/min_length", f"min_length {min_length} exceeds max_length {max_length}")


def _strings_under(obj: Any, key: str) -> Iterator[str]:
    """Every string value stored under `key` anywhere inside obj (used to total a message's text)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key and isinstance(v, str):
                yield v
            else:
                yield from _strings_under(v, key)
    elif isinstance(obj, list):
        for item in obj:
            yield from _strings_under(item, key)


def check_message(payload: dict[str, Any]) -> list[str]:
    """Violations in a message payload (chat.postMessage/postEphemeral/update or a response_url body)."""
    c = _Checker()
    if payload.get("delete_original") in (True, "true"):
        return c.violations
    text = payload.get("text")
    blocks = payload.get("blocks")
    has_text = isinstance(text, str) and bool(text.strip())
    if blocks is not None:
        c.blocks(blocks, "/blocks", MESSAGE_MAX_BLOCKS, "message")
        total = sum(len(s) for s in _strings_under(blocks, "text"))
        if total > MESSAGE_MAX_BLOCK_TEXT:
            c.add("/blocks", f"{total} characters of block text (keep under {MESSAGE_MAX_BLOCK_TEXT})")
        if not has_text:
            c.add("/text", "top-level text is missing or empty; Slack wants a fallback when blocks are sent")
    elif not has_text and not payload.get("attachments"):
        c.add("/text", "message has no text, blocks or attachments")
    if text is not None:
        c.length(text, "/text", "top-level text", MESSAGE_MAX_TEXT)
    attachments = payload.get("attachments")
    if isinstance(attachments, list):
        for i, attachment in enumerate(attachments):
            if isinstance(attachment, dict) and attachment.get("blocks") is not None:
                c.blocks(attachment["blocks"], f"/attachments/{i}/blocks", MESSAGE_MAX_BLOCKS, "attachment")
    return c.violations


def check_view(view: dict[str, Any]) -> list[str]:
    """Violations in a modal or Home tab view (views.open/update/push/publish)."""
    c = _Checker()
    if not isinstance(view, dict):
        return [f"/: view must be an object, got {type(view).__name__}"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        c.add("/type", f"view type must be modal or home, got {kind!r}")
    blocks = view.get("blocks")
    if blocks is None:
        c.add("/blocks", "view needs blocks")
    else:
        c.blocks(blocks, "/blocks", VIEW_MAX_BLOCKS, "modal" if kind == "modal" else "view")
    if kind == "modal":
        c.text(view.get("title"), "/title", "modal title", 24, plain_only=True)
        c.text(view.get("submit"), "/submit", "modal submit", 24, plain_only=True, required=False)
        c.text(view.get("close"), "/close", "modal close", 24, plain_only=True, required=False)
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            c.add("/submit", "modal has an input block but no submit button")
    c.ident(view, "callback_id", "")
    c.ident(view, "external_id", "")
    c.length(view.get("private_metadata"), "/private_metadata", "private_metadata", 3000)
    return c.violations


def check_payload(kind: str, payload: dict[str, Any]) -> list[str]:
    """Dispatch by kind: "message" or "view" (alias "modal"/"home")."""
    if kind == "message":
        return check_message(payload)
    if kind in ("view", "modal", "home"):
        return check_view(payload)
    raise ValueError(f"unknown payload kind {kind!r}; use 'message' or 'view'")
