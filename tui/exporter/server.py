"""The /metrics endpoint: the registry in the text format 0.0.4 on a threaded server of our own.

Our own server (not `start_http_server`) for three reasons: a TLS handshake happens in the
connection's thread, so one slow or broken client cannot stall the accept loop; the host
name is not looked up at start (`getfqdn` can hang on a machine without DNS); and only
/metrics answers with metrics.

The answer is what prometheus-client's WSGI app sends for a text-format request (the same
methods, `name[]` filter, content type and bytes), encoded by tui/exporter/exposition.py in
a third of the library's time, gzipped at level 1 when the client accepts gzip (Prometheus
does), and written in one send, over a connection kept alive between scrapes: each write,
accept and new thread was a wait for the GIL that the 20 tails hold in turn, and those waits
were the tail of the scrape latency (benchmarks/exporter.py).
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import ipaddress
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, gzip_accepted

from tui.exporter.exposition import generate_text

DEFAULT_PORT = 24831  # README.md, "Running it for a team": why this port
DEFAULT_LISTEN = f"127.0.0.1:{DEFAULT_PORT}"


class ListenError(Exception):
    """The address cannot be served (bad text, port in use, bad certificate): one line."""


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT`, `[v6]:PORT` or `:PORT` (loopback) -> (host, port)."""
    raw = text.strip()
    host, sep, port = raw.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ListenError(f"invalid listen address {raw[:80]!r}: expected HOST:PORT, such as "
                          f"{DEFAULT_LISTEN}")
    host = host.strip("[]") or "127.0.0.1"
    if any(c.isspace() or not c.isprintable() for c in host):
        raise ListenError(f"invalid listen address {raw[:80]!r}: the host has blanks")
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    """A server context from PEM files; a bad file is one line that names the files."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(certfile=cert, keyfile=key)
    except ssl.SSLError as exc:
        reason = exc.reason or "not a PEM certificate and matching key"
        raise ListenError(f"cannot use TLS certificate {cert} with key {key}: {reason}") from None
    except OSError as exc:
        raise ListenError(f"cannot read TLS certificate {cert} or key {key}: "
                          f"{exc.strerror or type(exc).__name__}") from None
    return ctx


#: how long a kept-alive connection may wait for its next request: above the usual scrape
#: intervals (15 s, 30 s in deploy/prometheus/prometheus.yml, 60 s), so Prometheus scrapes
#: over one connection and a scrape needs no new connection or thread
KEEPALIVE_S = 75.0


class _Answer(ServerHandler):
    http_version = "1.1"  # with a Content-Length (wsgiref sets it): the connection stays


class _Quiet(WSGIRequestHandler):
    """wsgiref's handler, with HTTP/1.1 keep-alive and the answer in one write."""

    timeout = 10  # seconds a request may take to arrive (a stuck client holds one thread)
    protocol_version = "HTTP/1.1"
    # the status line, headers and body in one buffer, sent at the end in one write: with
    # the default (0) each was a send of its own, each one a wait for the GIL and a small
    # segment for Nagle's algorithm to hold back
    wbufsize = 1 << 18

    def handle(self) -> None:
        """Requests on this connection until the client closes it or asks to, an answer
        cannot keep it (a body we do not read), or it idles past KEEPALIVE_S."""
        self.close_connection = True
        self._one()
        while not self.close_connection:
            self.connection.settimeout(KEEPALIVE_S)
            try:
                if not self.rfile.peek(1):  # the next request's first byte, or the end
                    return
            except OSError:  # idle too long, or reset
                return
            self.connection.settimeout(self.timeout)
            self._one()

    def _one(self) -> None:
        """WSGIRequestHandler.handle (Python 3.11) with an HTTP/1.1 answer."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():  # an error was sent, or nothing came
            self.close_connection = True
            return
        if self.headers.get("Content-Length", "0").strip() != "0" or (
                "Transfer-Encoding" in self.headers):
            self.close_connection = True  # a body no route reads would be the next request
        handler = _Answer(self.rfile, self.wfile, self.get_stderr(), self.get_environ(),
                          multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        del format, args


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    tls: ssl.SSLContext | None = None

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no getfqdn (HTTPServer's would look up)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
        self.setup_environ()
        self.open: set[Any] = set()  # connections being served (kept alive), for `stop`

    def finish_request(self, request: Any, client_address: Any) -> None:
        self.open.add(request)
        try:
            if self.tls is None:
                super().finish_request(request, client_address)
                return
            request.settimeout(_Quiet.timeout)
            try:
                conn = self.tls.wrap_socket(request, server_side=True)
            except (OSError, ValueError):
                return  # a failed handshake (plain HTTP, a bad client) closes that one
            self.open.add(conn)  # the raw socket is detached now
            try:
                super().finish_request(conn, client_address)
            finally:
                self.open.discard(conn)
                conn.close()
        finally:
            self.open.discard(request)

    def close_open(self) -> None:
        """Ends the kept-alive connections (their threads see the end and return)."""
        for sock in list(self.open):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _app(registry: CollectorRegistry) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            status, headers, body = _metrics(registry, environ)
            start_response(status, headers)
            return [body]
        if path == "/":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"s4top exporter: the metrics are at /metrics\n"]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found: the metrics are at /metrics\n"]

    return app


def _metrics(registry: CollectorRegistry,
             environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """prometheus_client.exposition.make_wsgi_app's answer, always in the classic text
    format: Prometheus asks for OpenMetrics first, whose encoder in prometheus-client takes
    about twice as long, for nothing we use."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method == "OPTIONS":
        return "200 OK", [("Allow", "OPTIONS,GET")], b""
    if method != "GET":
        status = "405 Method Not Allowed"
        return status, [("Allow", "OPTIONS,GET")], (
            f"# HTTP {status}: {method}; use OPTIONS or GET\n".encode())
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if "name[]" in params:
        registry = registry.restricted_registry(params["name[]"])
    body = generate_text(registry)
    headers = [("Content-Type", CONTENT_TYPE_PLAIN_0_0_4)]
    if gzip_accepted(environ.get("HTTP_ACCEPT_ENCODING", "")):
        # level 1: a tenth of the text's size for a fifteenth of the CPU of the library's
        # level 9 (which was a fifth of a scrape's time)
        body = gzip.compress(body, compresslevel=1)
        headers.append(("Content-Encoding", "gzip"))
    return "200 OK", headers, body


class MetricsServer:
    """Serves a registry on (host, port) in daemon threads until `stop`."""

    def __init__(self, registry: CollectorRegistry, host: str, port: int,
                 tls: ssl.SSLContext | None = None) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_cls = type("_BoundServer", (_Server,), {"address_family": family})
        try:
            self.httpd = server_cls((host, port), _Quiet)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            if exc.errno == errno.EADDRINUSE:
                reason = "the port is in use (another exporter?); choose one with --listen"
            raise ListenError(f"cannot listen on {host}:{port}: {reason}") from None
        self.httpd.tls = tls
        self.httpd.set_app(_app(registry))
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        name="s4top-metrics", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.httpd.close_open()
