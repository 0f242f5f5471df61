"""A scripted loopback HTTP/1.1 server: the vendor's server behaving badly.

It is not a model of the vendor API (tui/sim is); it answers exactly what a test scripts,
byte for byte, so the REAL httpx client can be driven through the failures a real server and
network produce: slow or missing answers, resets in the middle of a body, truncated JSON,
invalid UTF-8, error statuses with Retry-After, and so on. Raw asyncio sockets, no framework,
so nothing "helpfully" fixes a broken answer.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

_REASONS = {
    200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
    501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
}  # fmt: skip


@dataclass
class Reply:
    """What the server does with one request."""

    status: int = 200
    body: Any = b'{"data": [], "message": "ok"}'  # bytes/str sent as is; other values as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before answering
    hang: bool = False  # read the request, never answer
    close_without_reply: bool = False  # read the request, close the connection
    reset_after: int | None = None  # send headers + this many body bytes, then a TCP RST
    content_length: int | None = None  # lie about the length (None = the true length)
    close: bool = False  # close the connection after answering

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    target: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    raw_headers: list[tuple[str, str]]
    body: bytes
    connection: int

    def json(self) -> Any:
        return json.loads(self.body)


class BadVendorServer:
    """Loopback server; `script(...)` queues replies, `default` answers when the queue is empty."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.default: Reply | Callable[[Seen], Reply] = Reply()
        self.requests: list[Seen] = []
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.base_url = ""

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _next(self, seen: Seen) -> Reply:
        if self.replies:
            return self.replies.popleft()
        return self.default(seen) if callable(self.default) else self.default

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        conn = self.connections
        try:
            while True:
                seen = await self._read_request(reader, conn)
                if seen is None:
                    return
                self.requests.append(seen)
                reply = self._next(seen)
                if reply.hang:
                    await asyncio.sleep(3600)
                if reply.close_without_reply:
                    return
                if reply.delay_s:
                    await asyncio.sleep(reply.delay_s)
                payload = reply.payload()
                length = len(payload) if reply.content_length is None else reply.content_length
                lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
                lines.append(f"Content-Length: {length}")
                if not any(k.lower() == "content-type" for k in reply.headers):
                    lines.append("Content-Type: application/json")
                lines += [f"{k}: {v}" for k, v in reply.headers.items()]
                head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
                if reply.reset_after is not None:
                    writer.write(head + payload[: reply.reset_after])
                    await writer.drain()
                    await asyncio.sleep(0.02)  # let the client start reading the body
                    self._reset(writer)
                    return
                writer.write(head + payload)
                await writer.drain()
                if reply.close:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._tasks.discard(task)
            if not writer.transport.is_closing():
                writer.close()

    async def _read_request(self, reader: asyncio.StreamReader, conn: int) -> Seen | None:
        line = await reader.readline()
        if not line.strip():
            return None
        method, target, _version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        raw_headers: list[tuple[str, str]] = []
        while True:
            h = await reader.readline()
            if h in (b"\r\n", b"\n", b""):
                break
            name, _, value = h.decode("latin-1").partition(":")
            raw_headers.append((name.strip(), value.strip()))
        headers = {k.lower(): v for k, v in raw_headers}
        length = int(headers.get("content-length", "0"))
        body = await reader.readexactly(length) if length else b""
        parts = urlsplit(target)
        return Seen(
            method=method,
            target=target,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            raw_headers=raw_headers,
            body=body,
            connection=conn,
        )

    @staticmethod
    def _reset(writer: asyncio.StreamWriter) -> None:
        """Close with RST (SO_LINGER 0), the way a crashed proxy drops a connection."""
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()


def refused_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FullBacklog:
    """A listening socket whose accept queue is full, so a new connect hangs (Linux drops
    the SYN): the way to provoke a connect timeout on loopback without a black-hole route."""

    def __init__(self) -> None:
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(0)
        self.port = self._server.getsockname()[1]
        self._fillers: list[socket.socket] = []
        for _ in range(8):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self._fillers.append(c)

    def close(self) -> None:
        for c in self._fillers:
            c.close()
        self._server.close()
