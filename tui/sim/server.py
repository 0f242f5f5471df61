"""SimServer: the simulator over real HTTP (standard library only).

A ThreadingHTTPServer in a daemon thread: one thread per connection, HTTP/1.1 keep-alive,
SO_REUSEADDR (a test can stop a server and start another on the same port at once).
Faults that wait (latency, hang) wait on the server's stop event, and `stop()` shuts down
every open connection, so neither a hung request nor an idle keep-alive connection holds
the server up or lets a stopped server answer. /_sim/* answers loopback clients only.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import socketserver
import struct
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import routes
from .errshapes import ERROR_SHAPES, shape_error
from .faults import Effects
from .logs import WirePage
from .simulator import SimConfig, Simulator
from .variants import apply_shape

MAX_BODY = 1 << 20


def _printable(s: str, limit: int = 200) -> str:
    """Request paths are untrusted: escape everything outside printable ASCII."""
    out = "".join(c if 0x20 <= ord(c) < 0x7F else f"\\x{ord(c):02x}" for c in s[:limit])
    return out + ("..." if len(s) > limit else "")


class _HTTPServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], sim: Simulator, stopping: threading.Event,
                 log: Callable[[str], None] | None):
        self.sim = sim
        self.stopping = stopping
        self.log = log
        self.conns: set[socket.socket] = set()
        self.conns_lock = threading.Lock()
        super().__init__(addr, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup that can stall.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, sock: socket.socket) -> bool:
        with self.conns_lock:
            if self.stopping.is_set():
                return False
            self.conns.add(sock)
            return True

    def untrack(self, sock: socket.socket) -> None:
        with self.conns_lock:
            self.conns.discard(sock)

    def close_all(self) -> None:
        with self.conns_lock:
            socks = list(self.conns)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return  # client went away, reset faults, shutdown: nothing to report
        traceback.print_exc()


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "s4top-sim/1"
    sys_version = ""
    timeout = 120  # idle keep-alive connections close after this
    # The headers and the body are two writes: with Nagle's algorithm a short body waits for
    # the client's delayed ACK of the headers (~40 ms on Linux, each reply of a keep-alive
    # connection after its first few). Production servers send at once (nginx tcp_nodelay).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        if not self.server.track(self.connection):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header, skewed when the simulator is told to (quirks.py)."""
        if timestamp is None:
            return self.server.sim.config.quirks.http_date()
        return super().date_time_string(timestamp)

    def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch("PATCH")

    # -- plumbing --------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        raw = self.headers.get("Content-Length")
        if not raw:
            return b""
        try:
            n = int(raw)
        except ValueError:
            return None
        if n < 0 or n > MAX_BODY:
            return None
        return self.rfile.read(n)

    def _send(self, reply: routes.Reply, obj: Any = None, truncate: str | None = None,
              shape: str = "default") -> None:
        status = reply.status
        if status >= 400 and shape in ERROR_SHAPES:
            status, obj = shape_error(status, reply.obj, shape)
        body = _body(reply.obj if obj is None else obj)
        half = len(body) // 2
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(half if truncate == "json" else len(body)))
        for k, v in reply.headers:
            self.send_header(k, v)
        if truncate == "length":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body[:half] if truncate else body)
        if self.server.log is not None:
            self.server.log(f"{self.command} {_printable(self.path)} -> {reply.status}")

    def _drop(self) -> None:
        """Close without any response."""
        self.close_connection = True

    def _reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0), no response."""
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            sock.close()
        except OSError:
            pass

    def _dispatch(self, method: str) -> None:
        try:
            self._route(method)
        except OSError:
            self.close_connection = True
        except Exception:
            traceback.print_exc()
            self.close_connection = True
            try:
                self._send(routes.error(500, "simulator error"))
            except OSError:
                pass

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._send(routes.error(413, "request body too large or unreadable"))
            return
        if path.startswith("/_sim/"):
            if not _is_loopback(self.client_address[0]):
                self._send(routes.error(403, "simulator controls answer loopback clients only"))
                return
            self._send(routes.admin(self.server.sim, method, path, query, body))
            return
        sim = self.server.sim
        endpoint = routes.endpoint_of(path)
        fx = sim.faults.take(endpoint, path)
        if fx is None:
            self._send(routes.vendor(sim, method, path, query, self.headers.get("Authorization"),
                                     body))
            return
        self._faulty(method, path, query, body, endpoint, fx)

    def _faulty(self, method: str, path: str, query: dict[str, list[str]], body: bytes,
                endpoint: str | None, fx: Effects) -> None:
        sim, stopping = self.server.sim, self.server.stopping
        if fx.latency_s and stopping.wait(fx.latency_s):
            return self._drop()
        if fx.status is not None:
            headers: tuple[tuple[str, str], ...] = ()
            if fx.retry_after is not None or fx.status == 429:
                headers = (("Retry-After", str(fx.retry_after if fx.retry_after is not None
                                               else 1)),)
            if endpoint == "refresh":
                sim.record_refresh(body, fx.status, "injected fault", fx.describe())
            return self._send(routes.error(fx.status, _fault_message(fx.status), headers),
                              shape=fx.shape)
        reply = routes.vendor(sim, method, path, query, self.headers.get("Authorization"), body,
                              fault=fx.describe() or None)
        if fx.hang and not sim.faults.wait_heal(fx.generation, fx.hang_s, stopping):
            return self._drop()
        if fx.reset:
            return self._reset()
        obj = None
        if reply.status == 200 and fx.shape != "default" and fx.shape not in ERROR_SHAPES:
            obj = apply_shape(reply.kind, reply.obj, fx.shape, reply.metric)
        self._send(reply, obj, fx.truncate, fx.shape)


def _body(obj: Any) -> bytes:
    """The reply as compact JSON. A logs page in the default shape is joined from the
    entries' JSON kept by the store: the same text as `json.dumps` (tested), without
    encoding a thousand dicts per request."""
    if isinstance(obj, bytes):
        return obj
    if type(obj) is dict and len(obj) == 2 and isinstance(obj.get("data"), WirePage) \
            and type(obj.get("message")) is str and list(obj) == ["data", "message"]:
        items = obj["data"].encoded()
        return (f'{{"data":[{",".join(items)}],"message":{json.dumps(obj["message"])}}}').encode()
    return json.dumps(obj, separators=(",", ":")).encode()


def _fault_message(status: int) -> str:
    return {429: "too many requests", 500: "internal server error", 502: "bad gateway",
            503: "service unavailable", 504: "gateway timeout"}.get(status, "injected fault")


def _is_loopback(host: str) -> bool:
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(addr, "ipv4_mapped", None)
    return addr.is_loopback or (mapped is not None and mapped.is_loopback)


class SimServer:
    """The simulator on a loopback port (port 0 = any free one)."""

    def __init__(self, config: SimConfig | None = None, host: str = "127.0.0.1", port: int = 0,
                 *, sim: Simulator | None = None, log: Callable[[str], None] | None = None):
        self.sim = sim if sim is not None else Simulator(config)
        self.host = host
        self._port = port
        self._log = log
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd is not None else self._port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> str:
        """Bind and serve in a daemon thread; returns the base URL."""
        if self._httpd is not None:
            return self.base_url
        self._stopping = threading.Event()
        cls = _HTTPServer6 if ":" in self.host else _HTTPServer
        self._httpd = cls((self.host, self._port), self.sim, self._stopping, self._log)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={
            "poll_interval": 0.05}, name=f"s4top-sim:{self._port}", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving, release hung requests and close every connection."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        self.sim.faults.wake()
        httpd.shutdown()
        httpd.server_close()
        httpd.close_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
