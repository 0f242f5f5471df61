"""The /metrics endpoint: prometheus-client's WSGI app on a threaded server of our own.

Our own server (not `start_http_server`) for three reasons: a TLS handshake happens in the
connection's thread, so one slow or broken client cannot stall the accept loop; the host
name is not looked up at start (`getfqdn` can hang on a machine without DNS); and only
/metrics answers with metrics.
"""

from __future__ import annotations

import errno
import gzip
import ipaddress
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from prometheus_client import CollectorRegistry, make_wsgi_app

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


class _Quiet(WSGIRequestHandler):
    timeout = 10  # seconds a connection may idle (a stuck client holds one thread, no more)

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

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(_Quiet.timeout)
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (OSError, ValueError):
            return  # a failed handshake (plain HTTP, a bad client) closes that one connection
        try:
            super().finish_request(conn, client_address)
        finally:
            conn.close()


def _app(registry: CollectorRegistry) -> Callable[..., Iterable[bytes]]:
    metrics = make_wsgi_app(registry, disable_compression=True)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            # always the classic text format: Prometheus asks for OpenMetrics first, whose
            # encoder in prometheus-client takes about twice as long, for nothing we use
            environ["HTTP_ACCEPT"] = "text/plain; version=0.0.4"
            if "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", ""):
                return metrics(environ, start_response)
            return _gzipped(metrics, environ, start_response)
        if path == "/":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"s4top exporter: the metrics are at /metrics\n"]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found: the metrics are at /metrics\n"]

    return app


def _gzipped(inner: Callable[..., Iterable[bytes]], environ: dict[str, Any],
             start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The answer compressed at level 1: a tenth of the text's size, for a tenth of the CPU
    of prometheus-client's own level 9 (it was a fifth of a scrape's time)."""
    got: list[Any] = []
    body = b"".join(inner(environ, lambda status, headers, *_: got.append((status, headers))))
    status, headers = got[0]
    start_response(status, [*headers, ("Content-Encoding", "gzip")])
    return [gzip.compress(body, compresslevel=1)]


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
