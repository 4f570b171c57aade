"""The console's Slack: an in-process Web API that records what the bot sends and answers like Slack,
and the middleware that points the app's listeners at it (the console and the dry run use it)."""

from __future__ import annotations

import json
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

if TYPE_CHECKING:
    from slack_bolt.authorization import AuthorizeResult

TEAM = "TCONSOLE"
BOT_USER = "UQIBBOT"
BOARD_CHANNEL = "CBOARD"

_ID_CHARS = string.ascii_uppercase + string.digits


class SlackIds:
    """Ids in Slack's shapes, random rather than counted: like Slack's own they are unique across
    console processes, so one session's trigger or view id is never another session's (an update is
    de-duplicated on them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def ts(self) -> str:
        """A message timestamp: the time in microseconds, rising within the process."""
        with self._lock:
            self._last = max(time.time_ns() // 1000, self._last + 1)
            micros = self._last
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def trigger() -> str:
        """e.g. 13345224609.738474920.8088930838d88f008e0"""
        return f"{secrets.randbelow(10**11)}.{secrets.randbelow(10**9)}.{secrets.token_hex(11)[:21]}"

    @staticmethod
    def view() -> str:
        return "V" + "".join(secrets.choice(_ID_CHARS) for _ in range(10))

    @staticmethod
    def event() -> str:
        return "Ev" + "".join(secrets.choice(_ID_CHARS) for _ in range(10))

    @staticmethod
    def response_url() -> str:
        return f"https://console.invalid/response/{secrets.token_hex(12)}"


@dataclass
class Outgoing:
    where: str
    method: str
    payload: dict[str, Any]


@dataclass
class ConsoleSlack:
    """Records every Web API call and response_url answer the bot makes, and answers like Slack."""

    outbox: list[Outgoing] = field(default_factory=list)
    ids: SlackIds = field(default_factory=SlackIds)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)

    def client(self) -> WebClient:
        return _ConsoleClient(self)

    def call(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = self.ids.ts()
        if method in {"chat.postMessage", "chat.postEphemeral", "chat.update"}:
            channel = str(args.get("channel", ""))
            where = (
                "ephemeral"
                if method == "chat.postEphemeral"
                else (
                    "thread"
                    if args.get("thread_ts")
                    else ("dm" if channel.startswith(("D", "U")) else "channel")
                )
            )
            self.outbox.append(Outgoing(where, method, args))
            return {"ok": True, "channel": channel, "ts": ts, "message_ts": ts, "message": args}
        if method in {"views.open", "views.push", "views.update", "views.publish"}:
            view = args.get("view") or {}
            if isinstance(view, str):
                view = json.loads(view)
            view_id = args.get("view_id") or self.ids.view()
            self.views[view_id] = view
            self.outbox.append(
                Outgoing("home" if method == "views.publish" else "modal", method, {**view, "id": view_id})
            )
            return {"ok": True, "view": {**view, "id": view_id, "hash": ts}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "USER")).split(",")[0]}}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "team_id": TEAM, "bot_id": "BCONSOLE"}
        if method == "chat.getPermalink":
            return {
                "ok": True,
                "permalink": f"https://console.invalid/{args.get('channel')}/{args.get('message_ts')}",
            }
        if method == "conversations.history":
            return {"ok": True, "messages": []}
        if method == "files.upload":  # what _ConsoleClient.files_upload_v2 hands over
            text = f"[file {args.get('filename')}, {args.get('bytes')} bytes] {args.get('alt_txt') or ''}"
            where = "thread" if args.get("thread_ts") else "channel"
            self.outbox.append(Outgoing(where, method, {"text": text.strip()}))
            return {"ok": True, "files": [{"id": f"FCONSOLE{self.ids.ts()}"}]}
        return {"ok": True}

    def respond(self, **kwargs: Any) -> None:
        where = "in_channel" if kwargs.get("response_type") == "in_channel" else "ephemeral"
        self.outbox.append(
            Outgoing(where, "response_url", {k: v for k, v in kwargs.items() if v is not None})
        )


class _ConsoleClient(WebClient):
    def __init__(self, slack: ConsoleSlack, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._slack = slack

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict | None = None,
        data: dict | None = None,
        params: dict | None = None,
        json: dict | None = None,
        headers: dict | None = None,
        auth: dict | None = None,
    ) -> SlackResponse:
        args = {**(params or {}), **(data or {}), **(json or {})}
        body = self._slack.call(api_method, args)
        return SlackResponse(
            client=self,
            http_verb=http_verb,
            api_url=api_method,
            req_args=args,
            data=body,
            headers={},
            status_code=200,
        ).validate()

    def files_upload_v2(self, **kwargs: Any) -> SlackResponse:
        """A terminal cannot show the image: the upload is shown as its name, size and alt text."""
        data = kwargs.get("file") or kwargs.get("content") or b""
        args = {
            "channel": kwargs.get("channel"),
            "filename": kwargs.get("filename"),
            "bytes": len(data),
            "alt_txt": kwargs.get("alt_txt"),
            "thread_ts": kwargs.get("thread_ts"),
        }
        return self.api_call("files.upload", data=args)


def console_authorize(**_: Any) -> AuthorizeResult:
    # Bolt is imported by the console's app, not by `qib tick --dry-run`, which uses this Slack too.
    from slack_bolt.authorization import AuthorizeResult

    return AuthorizeResult(
        enterprise_id=None, team_id=TEAM, bot_user_id=BOT_USER, bot_id="BCONSOLE", bot_token="xoxb-console"
    )


def console_middleware(slack: ConsoleSlack) -> Callable[..., Any]:
    """Point the listeners' client and respond() at the console instead of Slack."""

    def use_console(context: Any, next: Callable[[], Any]) -> Any:
        context["client"] = slack.client()
        context["respond"] = slack.respond
        context.pop("say", None)  # built lazily again, on the console's client
        return next()

    return use_console
