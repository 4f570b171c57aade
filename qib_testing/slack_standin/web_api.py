"""FakeSlack: a real local HTTP server that answers Slack Web API calls and response_url posts.

Tests point `slack_sdk.WebClient(base_url=fake.base_url)` (and response_urls) at it, so the bot's
real HTTP code, retry handlers and Bolt's respond() all run; every call is recorded for assertions and
every Block Kit payload is checked against Slack's limits.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from .blockkit import check_message, check_view

JSON_ENCODED_FIELDS = ("blocks", "attachments", "view", "metadata", "user_auth_blocks", "unfurls", "files")
MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}
TS_BASE = 1_700_000_000
BOARD_CHANNEL_ID = "C0QIBBOARD"  # the id of #qib-board, the Durham plan's board channel, in every stand-in


@dataclass(frozen=True)
class Call:
    """One request the stand-in received. Header names are lower-case; form/query values are strings."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    failed: bool = False
    status: int = 200
    response: dict[str, Any] | None = None
    violations: tuple[str, ...] = ()
    path: str = ""


@dataclass
class _Failure:
    status: int
    retry_after: int
    error: str
    remaining: int | None  # None = until clear_failures()


class SocketModeEndpoint(Protocol):
    """What FakeSlack needs from a socket mode server (see socket_mode.FakeSocketMode)."""

    def connection_url(self) -> str: ...


@dataclass
class _State:
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    dm_channels: dict[tuple[str, ...], str] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    response_url_uses: dict[str, int] = field(default_factory=dict)
    channels: list[dict[str, Any]] = field(default_factory=list)  # the workspace's channels, in list order
    uploads: dict[str, Upload] = field(default_factory=dict)


@dataclass(frozen=True)
class SlackCopy:
    """What FakeSlack.copy_state took: kept apart from the stand-in it came from."""

    calls: list[Call]
    violations: list[str]
    state: _State
    next_ts: int
    next_id: int


@dataclass
class Upload:
    """A file sent with files_upload_v2: asked for (getUploadURLExternal), sent, then shared (complete)."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes | None = None
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    completed: bool = False


def _ts_key(ts: str) -> Decimal:
    return Decimal(str(ts))


def _decode_args(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Turn JSON-string fields (as WebClient form-encodes them) back into Python objects."""
    args = dict(raw)
    problems: list[str] = []
    for name in JSON_ENCODED_FIELDS:
        value = args.get(name)
        if isinstance(value, str) and value.strip():
            try:
                args[name] = json.loads(value)
            except json.JSONDecodeError as e:
                problems.append(f"/{name}: not valid JSON ({e})")
    return args, problems


class FakeSlack:
    """Local Slack Web API + response_url stand-in. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        *,
        strict: bool = False,
        team_id: str = "T111",
        team: str = "QIB Test",
        bot_user_id: str = "UBOT111",
        bot_id: str = "BBOT111",
        app_id: str = "A111",
        enterprise_id: str | None = None,
        channels: tuple[str, ...] = ("general", "qib-board"),
    ) -> None:
        self.strict = strict
        self.team_id, self.team, self.app_id = team_id, team, app_id
        self.enterprise_id = enterprise_id  # auth.test names it, as for a workspace in an Enterprise Grid
        self.bot_user_id, self.bot_id = bot_user_id, bot_id
        self._lock = threading.Condition()
        self._calls: list[Call] = []
        self._violations: list[str] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._state = _State()
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._open: set[socket.socket] = set()  # the connections the bot holds open (HTTP/1.1, as Slack)
        self.connections = 0  # connections accepted since start
        self.socket_mode: SocketModeEndpoint | None = None
        for name in channels:
            self.add_channel(name, channel_id=BOARD_CHANNEL_ID if name == "qib-board" else None)

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="FakeSlack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:  # a stopped Slack answers nothing, on a connection kept open either
            open_now, self._open = list(self._open), set()
        for sock in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)
            self.connections += 1

    def _closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "default") -> str:
        """A response_url that Bolt's respond() (WebhookClient) can post to; recorded as "response_url"."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def attach_socket_mode(self, endpoint: SocketModeEndpoint | None) -> None:
        """Make apps.connections.open hand out this socket mode server's URL."""
        self.socket_mode = endpoint

    # --- inspection ---------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    @property
    def violations(self) -> list[str]:
        with self._lock:
            return list(self._violations)

    def assert_no_violations(self) -> None:
        found = self.violations
        if found:
            listing = "\n  ".join(found)
            raise AssertionError(f"{len(found)} Slack payload violation(s):\n  {listing}")

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until `count` matching calls were recorded (listeners may run on worker threads)."""
        deadline = time.monotonic() + timeout

        def matching() -> list[Call]:
            return [c for c in self._calls if c.method == method and (predicate is None or predicate(c))]

        with self._lock:
            while len(found := matching()) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = "\n  ".join(f"{c.method} {_short(c.args)}" for c in self._calls) or "(none)"
                    raise AssertionError(
                        f"expected {count} call(s) to {method}"
                        f"{' matching predicate' if predicate else ''} within {timeout}s, got {len(found)}."
                        f"\nCalls so far:\n  {seen}"
                    )
                self._lock.wait(min(remaining, 0.05))
            return found

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages posted to (or seeded into) a channel, oldest first; `channel` may be "#name"."""
        with self._lock:
            return [dict(m) for m in self._state.history.get(self.channel_id(channel) or channel, [])]

    def channel_id(self, channel: str) -> str | None:
        """The id of a channel given by id, name or #name (None for an unknown name)."""
        with self._lock:
            name = channel.removeprefix("#")
            for known in self._state.channels:
                if channel in (known["id"], f"#{known['name']}") or name == known["name"]:
                    return str(known["id"])
            return None if channel.startswith("#") else channel

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self._state.views)

    @property
    def home_views(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self._state.home_views)

    def uploaded(self, file_id: str) -> bytes | None:
        """The bytes POSTed to a file's upload URL (files_upload_v2's second step), or None if none were."""
        with self._lock:
            upload = self._state.uploads.get(file_id)
            return upload.data if upload else None

    def uploads(self) -> list[Upload]:
        """Files uploaded and shared (files.completeUploadExternal), in order."""
        with self._lock:
            return [u for u in self._state.uploads.values() if u.completed]

    def copy_state(self) -> SlackCopy:
        """All the stand-in recorded and holds (calls, violations, history, views, uploads, the next ts and
        id), for `load_state` on another stand-in: a test can start where an earlier one's arranging ended."""
        with self._lock:
            ts, ident = next(self._ts_counter), next(self._id_counter)
            self._ts_counter, self._id_counter = itertools.count(ts), itertools.count(ident)
            kept = copy.deepcopy((self._calls, self._violations, self._state))
            return SlackCopy(*kept, next_ts=ts, next_id=ident)

    def load_state(self, kept: SlackCopy) -> None:
        """Replace what this stand-in recorded and holds with a copy of `kept` (failures arranged stay)."""
        with self._lock:
            self._calls, self._violations, self._state = copy.deepcopy(
                (kept.calls, kept.violations, kept.state)
            )
            self._ts_counter, self._id_counter = itertools.count(kept.next_ts), itertools.count(kept.next_id)
            self._lock.notify_all()

    def reset(self) -> None:
        """Forget calls, violations and failures (state such as history is kept)."""
        with self._lock:
            self._calls.clear()
            self._violations.clear()
            self._failures.clear()

    # --- arranging ----------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        error: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail (times=None: until clear_failures()).

        status 429 -> Retry-After + {"ok": false, "error": "ratelimited"}; status >= 500 -> that status
        with {"ok": false, "error": "internal_error"}; status 200 -> {"ok": false, "error": error}.
        method="response_url" makes response_url posts fail the same way.
        """
        default = {429: "ratelimited", 200: "fatal_error"}.get(status, "internal_error")
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(status, retry_after, error or default, times)
            )

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def add_user(self, user_id: str, **fields: Any) -> None:
        """Override what users.info returns for user_id (merged over a plausible default)."""
        with self._lock:
            self._state.users[user_id] = fields

    def add_channel(
        self,
        name: str,
        *,
        channel_id: str | None = None,
        is_private: bool = False,
        is_archived: bool = False,
        is_member: bool = True,
    ) -> str:
        """A channel in the workspace (conversations.list lists it; posts to "#name" land in it)."""
        with self._lock:
            found = channel_id or self._next_id("C")
            self._state.channels.append(
                {
                    "id": found,
                    "name": name,
                    "is_channel": not is_private,
                    "is_group": is_private,
                    "is_private": is_private,
                    "is_archived": is_archived,
                    "is_member": is_member,
                }
            )
            return found

    def add_message(
        self, channel: str, text: str, *, user: str = "W111", ts: str | None = None, **extra: Any
    ) -> str:
        """Seed a channel's history as if a person had posted; returns the message ts."""
        with self._lock:
            message = {"type": "message", "user": user, "text": text, "ts": ts or self._next_ts(), **extra}
            self._store_message(self.channel_id(channel) or channel, message)
            return str(message["ts"])

    # --- request handling (called from server threads) ----------------------------------------

    def _next_ts(self) -> str:
        micro = next(self._ts_counter) * 100
        return f"{TS_BASE + micro // 1_000_000}.{micro % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):08X}"

    def handle_api(
        self, method: str, args: dict[str, Any], headers: dict[str, str], decode_problems: list[str]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        violations = [*decode_problems, *self._check(method, args)]
        with self._lock:
            failure = self._take_failure(method)
            extra_headers: dict[str, str] = {}
            if failure is not None:
                status, body = failure.status, {"ok": False, "error": failure.error}
                if status == 429:
                    extra_headers["Retry-After"] = str(failure.retry_after)
            elif violations and self.strict:
                status, body = 200, _invalid_blocks(violations)
            else:
                status, body = 200, self._answer(method, args, headers)
            self._record(method, args, headers, status, body, violations, failed=not body.get("ok"))
        return status, extra_headers, body

    def handle_response_url(
        self, name: str, args: dict[str, Any], headers: dict[str, str], path: str
    ) -> tuple[int, dict[str, Any]]:
        violations = check_message(args)
        body: dict[str, Any]
        with self._lock:
            uses = self._state.response_url_uses[name] = self._state.response_url_uses.get(name, 0) + 1
            if uses > 5:
                violations.append(f"/: response_url {name!r} used {uses} times (Slack allows 5)")
            failure = self._take_failure("response_url")
            status, body = 200, {"ok": True}
            if failure is not None:
                status, body = failure.status, {"ok": False, "error": failure.error}
            elif violations and self.strict:
                body = _invalid_blocks(violations)
            self._record(
                "response_url", args, headers, status, body, violations, failed=not body["ok"], path=path
            )
        return status, body

    def handle_upload(self, file_id: str, raw: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """The upload URL files.getUploadURLExternal handed out: a plain POST of the file's bytes."""
        with self._lock:
            upload = self._state.uploads.get(file_id)
            violations: list[str] = []
            if upload is None:
                status, text = 404, "file not found"
            else:
                if len(raw) != upload.length:
                    violations.append(f"/: {len(raw)} bytes uploaded, {upload.length} announced")
                upload.data = raw
                status, text = 200, f"OK - {len(raw)}"
            args = {"file_id": file_id, "bytes": len(raw)}
            self._record(
                "upload", args, headers, status, {"ok": status == 200}, violations, failed=status != 200
            )
        return status, text

    def _check(self, method: str, args: dict[str, Any]) -> list[str]:
        if method in MESSAGE_METHODS:
            return check_message(args)
        if method in VIEW_METHODS:
            view = args.get("view")
            return check_view(view) if isinstance(view, dict) else ["/view: missing or not an object"]
        return []

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        if failure.remaining is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
        return failure

    def _record(
        self,
        method: str,
        args: dict[str, Any],
        headers: dict[str, str],
        status: int,
        body: dict[str, Any],
        violations: list[str],
        *,
        failed: bool,
        path: str = "",
    ) -> None:
        label = method if method != "response_url" else f"response_url {path}"
        self._violations.extend(f"{label}: {v}" for v in violations)
        call = Call(method, args, headers, failed, status, body, tuple(violations), path)
        self._calls.append(call)
        self._lock.notify_all()

    def _answer(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        token = args.get("token") or headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not token and method != "api.test":
            return {"ok": False, "error": "not_authed"}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": True}
        result: dict[str, Any] = handler(args, token)
        return result

    # --- Web API methods ----------------------------------------------------------------------

    def _api_auth_test(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        grid = {"enterprise_id": self.enterprise_id} if self.enterprise_id else {}
        return {
            **grid,
            "ok": True,
            "url": "https://qib-test.slack.com/",
            "team": self.team,
            "user": "qib-bot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_apps_connections_open(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if self.socket_mode is None:
            return {"ok": False, "error": "socket_mode_not_attached (start a FakeSocketMode(fake))"}
        return {"ok": True, "url": self.socket_mode.connection_url()}

    def _channel_for(self, channel: str) -> str | None:
        """Where a post lands, as in Slack: a user id is the DM with that user, a channel name (with
        or without "#") is that channel's id, None for an unknown "#name"."""
        if channel[:1] in ("U", "W"):
            return self._dm_for((channel,))
        return self.channel_id(channel)

    def _dm_for(self, users: tuple[str, ...]) -> str:
        key = tuple(sorted(users))
        if key not in self._state.dm_channels:
            self._state.dm_channels[key] = self._next_id("D")
        return self._state.dm_channels[key]

    def _message_from(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key]
        return message

    def _store_message(self, channel: str, message: dict[str, Any]) -> None:
        self._state.history.setdefault(channel, []).append(message)
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            for parent in self._state.history[channel]:
                if parent["ts"] == thread_ts:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    parent["latest_reply"] = message["ts"]

    def _api_chat_postMessage(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        channel = self._channel_for(str(args["channel"]))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        ts = self._next_ts()
        message = self._message_from(args, ts)
        self._store_message(channel, message)
        return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}

    def _api_chat_postEphemeral(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _api_chat_update(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        message = self._message_from(args, ts)
        for stored in self._state.history.get(channel, []):
            if stored["ts"] == ts:  # lenient: updating an unknown ts is not an error here
                stored.update({k: v for k, v in message.items() if k in ("text", "blocks", "attachments")})
                stored["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
                message = dict(stored)
        return {"ok": True, "channel": channel, "ts": ts, "text": message.get("text", ""), "message": message}

    def _api_chat_delete(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        history = self._state.history.get(channel, [])
        history[:] = [m for m in history if m["ts"] != ts]
        return {"ok": True, "channel": channel, "ts": ts}

    def _api_chat_getPermalink(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("message_ts", ""))
        link = f"https://qib-test.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _api_conversations_open(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = args.get("users")
        if isinstance(users, str):
            users = [u.strip() for u in users.split(",") if u.strip()]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "no_op": False, "channel": {"id": self._dm_for(tuple(users))}}

    def _api_conversations_list(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        """Pages of channels the bot can see: public ones, and private ones it is a member of."""
        types = set(str(args.get("types") or "public_channel").split(","))
        exclude_archived = str(args.get("exclude_archived", "")).lower() in ("1", "true")
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        start = int(args.get("cursor") or 0) if str(args.get("cursor") or "0").isdigit() else 0
        visible = [
            dict(c)
            for c in self._state.channels
            if ("private_channel" if c["is_private"] else "public_channel") in types
            and (c["is_member"] or not c["is_private"])
            and not (exclude_archived and c["is_archived"])
        ]
        page = visible[start : start + limit]
        more = start + limit < len(visible)
        return {
            "ok": True,
            "channels": page,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _api_conversations_history(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        if str(args.get("channel", "")).startswith("#"):
            return {"ok": False, "error": "channel_not_found"}  # conversations.* take ids, not names
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        oldest, latest = args.get("oldest"), args.get("latest")
        limit = int(args.get("limit") or 100)
        selected = []
        for m in reversed(self._state.history.get(str(args.get("channel", "")), [])):
            if m.get("thread_ts") not in (None, m["ts"]):
                continue  # thread replies are not part of channel history
            key = _ts_key(m["ts"])
            if oldest and (key < _ts_key(oldest) or (key == _ts_key(oldest) and not inclusive)):
                continue
            if latest and (key > _ts_key(latest) or (key == _ts_key(latest) and not inclusive)):
                continue
            selected.append(dict(m))
        page = selected[:limit]
        return {
            "ok": True,
            "messages": page,
            "has_more": len(selected) > limit,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _api_conversations_replies(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        if str(args.get("channel", "")).startswith("#"):
            return {"ok": False, "error": "channel_not_found"}
        ts = str(args.get("ts", ""))
        thread = [
            dict(m)
            for m in self._state.history.get(str(args.get("channel", "")), [])
            if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": thread, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _api_users_info(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        user_id = str(args.get("user", ""))
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "deleted": False,
            "is_bot": False,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": {
                "real_name": f"User {user_id}",
                "display_name": user_id.lower(),
                "email": f"{user_id.lower()}@example.gov.uk",
            },
        }
        user.update(self._state.users.get(user_id, {}))
        return {"ok": True, "user": user}

    def _echo_view(self, view: Any, *, view_id: str, root_view_id: str | None = None) -> dict[str, Any]:
        source = view if isinstance(view, dict) else {}
        echoed: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": source.get("type", "modal"),
            "blocks": source.get("blocks", []),
            "private_metadata": source.get("private_metadata", ""),
            "callback_id": source.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{time.time():.0f}.{next(self._id_counter):08x}",
            "title": source.get("title"),
            "clear_on_close": source.get("clear_on_close", False),
            "notify_on_close": source.get("notify_on_close", False),
            "close": source.get("close"),
            "submit": source.get("submit"),
            "previous_view_id": None,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": source.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self._state.views[view_id] = echoed
        return echoed

    def _api_views_open(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        return {"ok": True, "view": self._echo_view(args.get("view"), view_id=self._next_id("V"))}

    def _api_views_push(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        return self._api_views_open(args, token)

    def _api_views_update(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            by_external = (k for k, v in self._state.views.items() if v["external_id"] == args["external_id"])
            view_id = next(by_external, None)
            if view_id is None:
                return {"ok": False, "error": "not_found"}
        if not view_id:
            return {"ok": False, "error": "invalid_arguments"}
        current = self._state.views.get(str(view_id))  # unknown ids (e.g. from fixtures) are accepted
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        root = current["root_view_id"] if current else None
        return {
            "ok": True,
            "view": self._echo_view(args.get("view"), view_id=str(view_id), root_view_id=root),
        }

    def _api_views_publish(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        user_id = str(args.get("user_id", ""))
        if not user_id:
            return {"ok": False, "error": "invalid_arguments"}
        previous = self._state.home_views.get(user_id)
        view_id = previous["id"] if previous else self._next_id("V")
        echoed = self._echo_view(args.get("view"), view_id=view_id)
        self._state.home_views[user_id] = echoed
        return {"ok": True, "view": echoed}

    def _api_files_getUploadURLExternal(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self._state.uploads[file_id] = Upload(file_id, filename, int(length), args.get("alt_txt"))
        return {
            "ok": True,
            "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
            "file_id": file_id,
        }

    def _api_files_completeUploadExternal(self, args: dict[str, Any], token: str) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        shared: list[dict[str, Any]] = []
        for f in files:
            upload = self._state.uploads.get(str(f.get("id")))
            if upload is None or upload.data is None:
                return {"ok": False, "error": "file_not_found"}
            upload.title, upload.completed = f.get("title"), True
            upload.channel, upload.thread_ts = args.get("channel_id"), args.get("thread_ts")
            shared.append(
                {
                    "id": f["id"],
                    "name": upload.filename,
                    "title": f.get("title") or upload.filename,
                    "size": len(upload.data),
                    "alt_txt": upload.alt_txt,
                }
            )
        channel = args.get("channel_id")
        if channel:
            message = self._message_from({"text": args.get("initial_comment", "")}, self._next_ts())
            message["files"] = shared
            landed = self._channel_for(str(channel))
            if landed is not None:
                self._store_message(landed, message)
        return {"ok": True, "files": shared}


def _invalid_blocks(violations: list[str]) -> dict[str, Any]:
    """Slack's refusal shape: messages end in "[json-pointer:/blocks/1/...]"."""
    errors = []
    for v in violations:
        pointer, _, message = v.partition(": ")
        errors.append(f"{message} [json-pointer:{pointer}]")
    return {"ok": False, "error": "invalid_blocks", "errors": errors}


def _short(args: dict[str, Any], limit: int = 160) -> str:
    text = json.dumps(args, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        parsed = json.loads(raw.decode("utf-8"))
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _flatten(parse_qs(raw.decode("utf-8"), keep_blank_values=True))
    return {"_raw": raw.decode("utf-8", "replace")}  # e.g. multipart uploads: kept, not interpreted


def _flatten(query: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in query.items()}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeSlack
    protocol_version = "HTTP/1.1"  # as Slack's: the connection stays open for the next call

    def setup(self) -> None:
        super().setup()
        self.owner._opened(self.connection)

    def finish(self) -> None:
        self.owner._closed(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if len(raw) < length:  # the sender went away mid-request (a killed bot): no call, as for Slack
            self.close_connection = True
            return
        if self.path.startswith("/upload/"):  # raw file bytes, whatever the content type says
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, text = self.owner.handle_upload(self.path[len("/upload/") :], raw, headers)
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self._dispatch(raw)

    def _dispatch(self, raw: bytes) -> None:
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            args = {**_flatten(parse_qs(url.query, keep_blank_values=True)),
                    **_parse_body(headers.get("content-type", ""), raw)}  # fmt: skip
        except (ValueError, UnicodeDecodeError) as e:
            self._send(400, {}, {"ok": False, "error": "invalid_json", "detail": str(e)})
            return
        if url.path.startswith("/api/"):
            args, problems = _decode_args(args)
            status, extra, body = self.owner.handle_api(url.path[len("/api/") :], args, headers, problems)
            self._send(status, extra, body)
        elif url.path.startswith("/response/"):
            args, _ = _decode_args(args)
            status, body = self.owner.handle_response_url(
                url.path[len("/response/") :], args, headers, url.path
            )
            self._send(status, {}, body)
        else:
            self._send(404, {}, {"ok": False, "error": "unknown_path"})

    def _send(self, status: int, extra_headers: dict[str, str], body: dict[str, Any]) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
