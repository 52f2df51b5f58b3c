"""A TCP relay in front of MariaDB that cuts a connection at the worst moment of a transaction.

Faults are made for real: the client (pymysql under bmstui) talks to the relay as if it were the
server, and the relay forwards bytes both ways until it is armed. Armed, it watches for the
client's ``COMMIT`` (a COM_QUERY packet) and then either

* ``"before"`` — drops the COMMIT and closes both sides: the server sees a client vanish in the
  middle of a transaction and rolls it back; or
* ``"after"`` — forwards the COMMIT, waits for the server's answer, swallows it and closes both
  sides: the work is saved, but the client only learns that its connection died.

Either way the client gets "lost connection" at COMMIT and cannot tell which case it was in;
only an idempotency key (the hold token) can settle it.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit, urlunsplit

COMMIT_PACKET = b"\x03COMMIT"


class CuttingProxy:
    def __init__(self, server_url: str):
        parts = urlsplit(server_url)
        self._server = (parts.hostname or "127.0.0.1", parts.port or 3306)
        self._parts = parts
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._mode: str | None = None
        self.cuts: list[str] = []
        self._sockets: set[socket.socket] = set()
        self.down = False
        self.frozen = threading.Event()  # bytes stop moving; nothing is closed
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, database: str) -> str:
        netloc = self._parts.netloc.rsplit("@", 1)
        user = netloc[0] + "@" if len(netloc) == 2 else ""
        return urlunsplit(self._parts._replace(netloc=f"{user}127.0.0.1:{self.port}",
                                               path=f"/{database}"))

    def arm(self, mode: str) -> None:
        """Cut the next COMMIT that passes, ``before`` or ``after`` the server runs it."""
        assert mode in ("before", "after")
        with self._lock:
            self._mode = mode

    def cut_everything(self) -> None:
        """Every open connection dies at once, as if the server had gone away."""
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _close(sock)

    def go_down(self) -> None:
        """The server is away: open connections die and new ones are hung up on at once."""
        self.down = True
        self.cut_everything()

    def come_back(self) -> None:
        self.down = False

    def freeze(self) -> None:
        """A network black hole: connections stay open but nothing gets through any more."""
        self.frozen.set()

    def thaw(self) -> None:
        self.frozen.clear()
        self.cut_everything()  # what got stuck meanwhile is gone, as after a real partition

    def close(self) -> None:
        self.cut_everything()
        _close(self._listener)

    def _take_mode(self) -> str | None:
        with self._lock:
            mode, self._mode = self._mode, None
            return mode

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                _close(client)
                continue
            try:
                server = socket.create_connection(self._server, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets |= {client, server}
            pair = _Pair(self, client, server)
            threading.Thread(target=pair.client_to_server, daemon=True).start()
            threading.Thread(target=pair.server_to_client, daemon=True).start()


class _Pair:
    """One client connection and its server connection."""

    def __init__(self, proxy: CuttingProxy, client: socket.socket, server: socket.socket):
        self.proxy, self.client, self.server = proxy, client, server
        self.swallow_reply = threading.Event()

    def cut(self, how: str) -> None:
        self.proxy.cuts.append(how)
        _close(self.client)
        _close(self.server)

    def client_to_server(self) -> None:
        while data := _recv(self.client):
            if self.proxy.frozen.is_set():
                continue
            if COMMIT_PACKET in data and (mode := self.proxy._take_mode()):
                if mode == "before":
                    self.cut("before")
                    return
                self.swallow_reply.set()
            if not _send(self.server, data):
                break
        _close(self.server)

    def server_to_client(self) -> None:
        while data := _recv(self.server):
            if self.proxy.frozen.is_set():
                continue
            if self.swallow_reply.is_set():
                self.cut("after")  # the server said OK to the COMMIT; the client never hears it
                return
            if not _send(self.client, data):
                break
        _close(self.client)


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
