"""A TCP proxy between the bot and PostgreSQL that a test can cut and restore.

`cut()` is what the bot sees when its database server goes away: every open connection is reset and
new ones are refused (accepted, then reset at once), until `restore()`. The shared PostgreSQL server
itself is never touched. The proxy keeps its port across a cut, so the bot's DATABASE_URL stays valid.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator


def _reset(sock: socket.socket) -> None:
    """Drop the connection at once (SO_LINGER 0: no lingering, unsent data thrown away).

    shutdown() comes first: close() alone does not wake a thread blocked in recv() on Linux, and the
    connection would live on until that thread's next read.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server((host, 0))
        self.host = host
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._up = threading.Event()
        self._up.set()
        self._closed = False
        self._cut_after: bytes | None = None
        self._muted: set[tuple[socket.socket, socket.socket]] = set()
        self.accepted = 0
        self.refused = 0
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)

    # ------------------------------------------------------------------ control

    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    def cut(self) -> None:
        """Reset every open connection and refuse new ones until restore()."""
        self._up.clear()
        with self._lock:
            pairs, self._pairs = self._pairs, set()
            self._muted.clear()
        for client, server in pairs:
            _reset(client)
            _reset(server)

    def restore(self) -> None:
        self._up.set()

    def cut_after(self, pattern: bytes, *, delay: float = 0.3) -> None:
        """Cut once the server has been sent `pattern` (e.g. b"COMMIT"), before its answer gets back.

        The client is left not knowing whether the server acted on it: the ambiguous failure.
        """
        self._cut_after = pattern
        self._cut_delay = delay

    @property
    def is_up(self) -> bool:
        return self._up.is_set()

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    @contextlib.contextmanager
    def outage(self) -> Iterator[None]:
        self.cut()
        try:
            yield
        finally:
            self.restore()

    def close(self) -> None:
        self._closed = True
        self.cut()
        with contextlib.suppress(OSError):
            self._listener.close()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                self.refused += 1
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                _reset(client)
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair = (client, server)
            with self._lock:
                if not self._up.is_set():  # cut while we were connecting
                    _reset(client)
                    _reset(server)
                    continue
                self._pairs.add(pair)
                self.accepted += 1
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(src, dst, pair), daemon=True).start()

    def _pipe(
        self, src: socket.socket, dst: socket.socket, pair: tuple[socket.socket, socket.socket]
    ) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if pair in self._muted:
                    continue  # the answer is lost on the way back
                pattern = self._cut_after
                if pattern is not None and src is pair[0] and pattern in data:
                    self._cut_after = None
                    self._muted.add(pair)
                    threading.Timer(self._cut_delay, self.cut).start()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                known = pair in self._pairs
                self._pairs.discard(pair)
            if known:  # a normal close from one side: close the other politely
                for s in pair:
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)
                    with contextlib.suppress(OSError):
                        s.close()
