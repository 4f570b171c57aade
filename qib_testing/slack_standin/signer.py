"""Build and sign requests exactly as Slack sends them, to drive the bot's real HTTP endpoint.

Bolt verifies `X-Slack-Signature` on every HTTP request, so end-to-end tests must sign bodies byte for
byte; the builders mirror the field order and encoding of /work/shared/slack-fixtures.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Port 9 (discard) refuses connections: a test that forgets to pass fake.response_url(...) fails fast
# instead of reaching hooks.slack.com.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/response/not-configured"


def sign(body: str | bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack adds: v0 HMAC-SHA256 of "v0:{timestamp}:{body}" keyed with the signing secret."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(secret.encode("utf-8"), b"v0:%d:" % ts + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def slash_command_payload(
    text: str,
    *,
    user_id: str,
    channel_id: str,
    team_id: str = "T111",
    command: str = "/qib",
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str = "111.111.xxx",
    user_name: str = "primary-owner",
    channel_name: str = "random",
    team_domain: str = "test-domain",
    api_app_id: str | None = "A111",
    token: str = "verification_token",
    enterprise_id: str | None = None,
    enterprise_name: str | None = None,
) -> dict[str, str]:
    """A slash command as a dict: the Socket Mode envelope payload, and the fields of the HTTP form."""
    fields: dict[str, str] = {
        "token": token,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
    }
    if enterprise_id is not None:
        fields["enterprise_id"] = enterprise_id
        fields["enterprise_name"] = enterprise_name or ""
    if api_app_id is not None:
        fields["api_app_id"] = api_app_id
    fields["response_url"] = response_url
    fields["trigger_id"] = trigger_id
    return fields


def slash_command_body(text: str, **kwargs: Any) -> str:
    """Form-encoded body of a slash command POST (same keywords as slash_command_payload)."""
    return urlencode(slash_command_payload(text, **kwargs))


def event_payload(
    event: dict[str, Any],
    *,
    team_id: str = "T111",
    event_id: str | None = None,
    api_app_id: str = "A111",
    bot_user_id: str = "UBOT111",
    event_time: int | None = None,
) -> dict[str, Any]:
    """Events API envelope (`event_callback`) around an inner event, like event_app_mention.json."""
    return {
        "token": "verification_token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"1-{event.get('type', 'event')}-{team_id}-{event.get('channel', '')}",
    }


def event_body(event: dict[str, Any], **kwargs: Any) -> str:
    """JSON body of an Events API POST (same keywords as event_payload)."""
    return json.dumps(event_payload(event, **kwargs))


def interactive_body(payload: dict[str, Any]) -> str:
    """Form body `payload=<urlencoded JSON>` used for block_actions, view_submission, shortcuts..."""
    return urlencode({"payload": json.dumps(payload)})


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _team(team_id: str) -> dict[str, str]:
    return {"id": team_id, "domain": "test-domain"}


def block_actions_payload(
    action_id: str,
    *,
    value: str | None = None,
    block_id: str = "b",
    action_type: str = "button",
    text: str = "Button",
    selected_option: dict[str, Any] | None = None,
    user_id: str = "W111",
    team_id: str = "T111",
    channel_id: str = "C111",
    message_ts: str = "1700000000.000100",
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    response_url: str = UNSET_RESPONSE_URL,
    trigger_id: str = "111.222.valid",
) -> dict[str, Any]:
    """A block_actions payload: from a message (default) or, with view=..., from a modal/Home tab."""
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": f"{time.time():.6f}",
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": text, "emoji": True}
        if value is not None:
            action["value"] = value
    elif selected_option is not None:
        action["selected_option"] = selected_option
    elif value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": "A111",
        "token": "verification_token",
        "trigger_id": trigger_id,
        "team": _team(team_id),
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V111")}
        payload["view"] = view
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "test-channel"}
        payload["message"] = message or {"type": "message", "ts": message_ts, "text": "", "user": "UBOT111"}
        payload["response_url"] = response_url
    return payload


def view_submission_payload(
    callback_id: str,
    values: dict[str, dict[str, Any]],
    *,
    user_id: str,
    private_metadata: str = "",
    view_id: str = "V111",
    team_id: str = "T111",
    blocks: list[dict[str, Any]] | None = None,
    title: str = "QIB",
    view_hash: str = "1596530361.3wRYuk3R",
    external_id: str = "",
    response_urls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A view_submission payload like view_submission.json.

    values is view.state.values: {block_id: {action_id: state}}; a plain string state is shorthand for
    a plain_text_input {"type": "plain_text_input", "value": "..."}.
    """
    state = {
        block_id: {
            action_id: {"type": "plain_text_input", "value": v} if isinstance(v, str) else v
            for action_id, v in actions.items()
        }
        for block_id, actions in values.items()
    }
    return {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": "A111",
        "token": "verification_token",
        "trigger_id": "111.222.valid",
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks if blocks is not None else [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state},
            "hash": view_hash,
            "title": {"type": "plain_text", "text": title},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancel"},
            "submit": {"type": "plain_text", "text": "Submit"},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": "A111",
            "external_id": external_id,
            "app_installed_team_id": team_id,
            "bot_id": "BBOT111",
        },
        "response_urls": response_urls or [],
    }


class SignedClient:
    """Minimal urllib client that POSTs signed bodies to a real local HTTP server (the bot under test)."""

    def __init__(self, base_url: str, secret: str, *, timeout: float = 10) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = timeout

    def post(
        self,
        path: str,
        body: str | bytes,
        content_type: str = FORM,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        sign: bool = True,
    ) -> tuple[int, dict[str, str], str]:
        """POST and return (status, lower-cased headers, body text); HTTP errors are returned, not raised."""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type}
        if sign:
            all_headers.update(_sign(raw, self.secret, timestamp))
        all_headers.update(headers or {})
        url = self.base_url + "/" + path.lstrip("/")
        request = urllib.request.Request(url, data=raw, headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _lower(response.headers.items()), response.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, _lower(e.headers.items()), e.read().decode("utf-8")


_sign = sign  # SignedClient.post has a `sign` flag that shadows the function


def _lower(items: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in items}


def block_suggestion_payload(
    action_id: str,
    value: str,
    *,
    block_id: str,
    user_id: str = "W111",
    team_id: str = "T111",
    view: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A block_suggestion payload: what an external select sends as the user types."""
    return {
        "type": "block_suggestion",
        "user": _user(user_id, team_id),
        "team": _team(team_id),
        "api_app_id": "A111",
        "token": "verification_token",
        "container": {"type": "view", "view_id": (view or {}).get("id", "V111")},
        "action_id": action_id,
        "block_id": block_id,
        "value": value,
        "view": view or {"id": "V111", "type": "modal", "blocks": []},
    }
