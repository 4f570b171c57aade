"""FakeSocketMode: a local websocket server speaking Slack's Socket Mode protocol.

Plugged into FakeSlack, `apps.connections.open` hands out its ws:// URL, so a real Bolt
SocketModeHandler connects to it; tests push envelopes and assert on the acks the app sends back.

Client choice: slack_sdk's builtin client (`slack_bolt.adapter.socket_mode.SocketModeHandler`) accepts
ws:// URLs (it skips TLS whenever the port is not 443) and is the one the bot should use. The
websocket-client adapter works too, but a startup race in slack_sdk makes it call
apps.connections.open twice and its close() can hang ~10 s.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from .web_api import FakeSlack

# Which envelopes Slack marks as able to carry a response payload in the ack.
_RESPONSE_PAYLOAD_INTERACTIVE = {"view_submission", "block_suggestion"}


def hello_frame(app_id: str = "A111", num_connections: int = 1) -> dict[str, Any]:
    """The first frame Slack sends after connecting (socket_mode_hello.json)."""
    return {
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {"host": "applink-standin", "build_number": 10, "approximate_connection_time": 18060},
        "connection_info": {"app_id": app_id},
    }


def disconnect_frame(reason: str = "refresh_requested", app_id: str = "A111") -> dict[str, Any]:
    """Server-initiated disconnect (socket_mode_disconnect.json); clients should reconnect."""
    return {
        "type": "disconnect",
        "reason": reason,
        "num_connections": 1,
        "debug_info": {"host": "applink-standin"},
        "connection_info": {"app_id": app_id},
    }


class FakeSocketMode:
    """Socket Mode server on 127.0.0.1:<free port>; use as a context manager or start()/stop()."""

    def __init__(self, fake: FakeSlack | None = None, *, app_id: str = "A111") -> None:
        self.fake = fake
        self.app_id = app_id
        self._cond = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._received: list[dict[str, Any]] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._sent: list[dict[str, Any]] = []
        self._sent_at: dict[str, float] = {}
        self._acked_at: dict[str, float] = {}
        self._connect_count = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        if self._server is not None:
            return self
        # close_timeout bounds stop() when a client never answers the close handshake.
        self._server = serve(self._handle, "127.0.0.1", 0, close_timeout=1)
        self._thread = threading.Thread(target=self._server.serve_forever, name="FakeSocketMode", daemon=True)
        self._thread.start()
        if self.fake is not None:
            self.fake.attach_socket_mode(self)
        return self

    def stop(self) -> None:
        if self.fake is not None and self.fake.socket_mode is self:
            self.fake.attach_socket_mode(None)
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        return int(self._server.socket.getsockname()[1])

    def connection_url(self) -> str:
        """What apps.connections.open returns (shaped like Slack's wss://.../link/?ticket=...)."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"

    # --- server side --------------------------------------------------------------------------

    def _handle(self, connection: ServerConnection) -> None:
        with self._cond:
            num = len(self._connections) + 1
        connection.send(json.dumps(hello_frame(self.app_id, num)))
        with self._cond:
            self._connections.append(connection)
            self._connect_count += 1
            self._cond.notify_all()
        try:
            for message in connection:
                try:
                    frame = json.loads(message)
                except (TypeError, ValueError):
                    frame = {"_unparsed": message}
                with self._cond:
                    self._received.append(frame)
                    if isinstance(frame, dict) and "envelope_id" in frame:
                        self._acks[str(frame["envelope_id"])] = frame
                        self._acked_at[str(frame["envelope_id"])] = time.monotonic()
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._cond.notify_all()

    # --- test API -----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        with self._cond:
            return bool(self._connections)

    @property
    def connect_count(self) -> int:
        """How many connections were ever opened (reconnects count again)."""
        with self._cond:
            return self._connect_count

    @property
    def received(self) -> list[dict[str, Any]]:
        """Every frame the client sent (acks and anything else), in order."""
        with self._cond:
            return list(self._received)

    @property
    def sent(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._sent)

    def wait_connected(self, timeout: float = 5, *, count: int = 1) -> None:
        """Wait until `count` connections have been opened in total and one is open now."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (self._connections and self._connect_count >= count):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no Socket Mode client connected within {timeout}s "
                        f"(connections opened so far: {self._connect_count})"
                    )
                self._cond.wait(min(remaining, 0.05))

    def send_frame(self, frame: dict[str, Any]) -> None:
        """Send any frame to the most recent connection (waits briefly for one)."""
        self.wait_connected()
        with self._cond:
            connection = self._connections[-1]
            self._sent.append(frame)
            if "envelope_id" in frame:
                self._sent_at[str(frame["envelope_id"])] = time.monotonic()
        connection.send(json.dumps(frame))

    def send_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        envelope_id: str | None = None,
    ) -> str:
        """Deliver an envelope like the socket_mode_envelope_*.json fixtures; returns its envelope_id.

        accepts_response_payload=None means "as Slack would": true for slash_commands and for
        view_submission / block_suggestion interactions. events_api envelopes always carry
        retry_attempt/retry_reason (0 and "" unless given).
        """
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive" and payload.get("type") in _RESPONSE_PAYLOAD_INTERACTIVE
            )
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api" or retry_attempt is not None:
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = (
                retry_reason if retry_reason is not None else ("timeout" if retry_attempt else "")
            )
        self.send_frame(envelope)
        return str(envelope["envelope_id"])

    def close_connections(self) -> None:
        """Close every open websocket from the server side (close frame 1001, like a Slack restart)."""
        with self._cond:
            connections = list(self._connections)
        for connection in connections:
            connection.close(1001, "going away")

    def close_handler(self, handler: Any, *, timeout: float = 1) -> None:
        """Close a Bolt SocketModeHandler (or slack_sdk SocketModeClient) quickly for test teardown.

        slack_sdk's close() can block ~4 s: the builtin client holds its receive lock in a 3 s recv()
        and every client's message processor sits in a 1 s queue.get(). Disabling reconnects, closing
        the builtin client's socket from our side and waking the queue first makes it return at once.
        The websocket-client adapter sometimes still hangs ~10 s (a startup race in slack_sdk leaves a
        session nobody closes); its close() then finishes on a daemon thread after `timeout`.
        """
        client = getattr(handler, "client", handler)
        client.auto_reconnect_enabled = False
        client.closed = True
        if type(client).__module__.startswith("slack_sdk.socket_mode.builtin"):
            self.close_connections()  # websocket-client would wait up to 1 s per close handshake
        client.message_queue.put(None)  # wakes process_messages(); the SDK skips None
        closer = threading.Thread(target=handler.close, name="close-socket-mode-handler", daemon=True)
        closer.start()
        closer.join(timeout)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does every few hours."""
        self.send_frame(disconnect_frame(reason, self.app_id))

    def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> dict[str, Any]:
        """The ack frame {"envelope_id": ..., "payload"?: ...} for an envelope; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self._acks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no ack for envelope {envelope_id} within {timeout}s; "
                        f"frames received: {self._received!r}"
                    )
                self._cond.wait(min(remaining, 0.05))
            return dict(self._acks[envelope_id])

    def ack_delay(self, envelope_id: str) -> float:
        """Seconds between sending an envelope and its ack (Slack gives up after 3)."""
        self.wait_for_ack(envelope_id)
        with self._cond:
            return self._acked_at[envelope_id] - self._sent_at[envelope_id]
