"""/metrics over real loopback HTTP answers what prometheus-client's own WSGI app answers
for a text-format request (methods, the `name[]` filter, content type, the bytes), gzipped
only when the client accepts gzip, and in a single write of the whole answer."""

from __future__ import annotations

import gzip
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from tui.exporter.server import MetricsServer


class Fixed:
    def describe(self) -> list[Metric]:
        return self.collect()  # the names, for the registry's `name[]` filter

    def collect(self) -> list[Metric]:
        c = CounterMetricFamily("reqs", "requests \\ counted", labels=["cdn_domain", "status"])
        for i in range(300):
            c.add_metric([f"d{i % 20}.example.com", f'{200 + i}"\n\\'], i)
        g = GaugeMetricFamily("lag_seconds", "lag", labels=["cdn_domain"])
        g.add_metric(["a"], float("nan"))
        g.add_metric(["b"], float("inf"))
        return [c, g]


@pytest.fixture
def served() -> Iterator[tuple[str, CollectorRegistry]]:
    reg = CollectorRegistry()
    reg.register(Fixed())
    server = MetricsServer(reg, "127.0.0.1", 0)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}/metrics", reg
    finally:
        server.stop()


def library(reg: CollectorRegistry, method: str = "GET", query: str = "") -> tuple[int, dict,
                                                                                    bytes]:
    """prometheus-client's WSGI app, asked for the text format 0.0.4 without compression."""
    got: list[Any] = []
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/metrics", "QUERY_STRING": query,
               "HTTP_ACCEPT": "text/plain; version=0.0.4"}
    body = b"".join(make_wsgi_app(reg, disable_compression=True)(
        environ, lambda status, headers: got.append((status, headers))))
    status, headers = got[0]
    return int(status.split()[0]), dict(headers), body


def test_the_library_s_bytes_plain_and_gzipped_only_when_asked(served) -> None:
    url, reg = served
    status, headers, body = library(reg)
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert (plain.status_code, plain.content) == (status, body)
    assert plain.headers["content-type"] == headers["Content-Type"]
    assert "content-encoding" not in plain.headers
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}, timeout=10) as r:
        raw = b"".join(r.iter_raw())
    assert r.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == body and len(raw) < len(body) / 4


def test_methods_and_the_name_filter_as_the_library(served) -> None:
    url, reg = served
    for method in ("OPTIONS", "POST", "HEAD", "DELETE"):
        status, headers, body = library(reg, method)
        got = httpx.request(method, url, timeout=10)
        assert got.status_code == status and got.headers["allow"] == headers["Allow"]
        assert got.content == (b"" if method == "HEAD" else body)
    query = "name[]=lag_seconds"
    status, _, body = library(reg, query=query)
    got = httpx.get(f"{url}?{query}", timeout=10)
    assert (got.status_code, got.content) == (status, body)
    assert b"lag_seconds" in body and b"reqs" not in body


class CountingSocket(socket.socket):
    """A real socket that counts the writes made on it."""

    writes = 0

    def send(self, data: Any, *args: Any) -> int:
        CountingSocket.writes += 1
        return super().send(data, *args)

    def sendall(self, data: Any, *args: Any) -> None:
        CountingSocket.writes += 1
        super().sendall(data, *args)


def test_the_whole_answer_goes_in_one_write() -> None:
    """Status line, headers and body in one send: each send was a wait for the GIL (and a
    small segment for Nagle's algorithm to hold back)."""
    reg = CollectorRegistry()
    reg.register(Fixed())
    server = MetricsServer(reg, "127.0.0.1", 0)  # not started: one request by hand
    ours, theirs = socket.socketpair()
    try:
        conn = CountingSocket(ours.family, ours.type, ours.proto, fileno=ours.detach())
        theirs.sendall(b"GET /metrics HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n")
        server.httpd.finish_request(conn, ("127.0.0.1", 1))
        conn.close()
        answer = b"".join(iter(lambda: theirs.recv(1 << 16), b""))
    finally:
        theirs.close()
        server.httpd.server_close()  # never served: nothing to shut down
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Content-Encoding: gzip" in head
    assert gzip.decompress(body).startswith(b"# HELP reqs_total")
    assert CountingSocket.writes == 1  # and the HTTP/1.0 client's connection was closed


def read_answer(s: socket.socket, buf: bytes = b"") -> tuple[bytes, bytes, bytes]:
    """(head, body, what came after) of one answer with a Content-Length."""
    while b"\r\n\r\n" not in buf:
        got = s.recv(1 << 16)
        assert got, f"closed before an answer: {buf!r}"
        buf += got
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(rest) < length:
        got = s.recv(1 << 16)
        assert got
        rest += got
    return head, rest[:length], rest[length:]


GET = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"


def test_scrapes_share_one_kept_alive_connection_until_close_or_idle(
        served, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.exporter.server as server_mod

    url, reg = served
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    _, _, expected = library(reg)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        for _ in range(3):  # one after another, then two sent at once
            s.sendall(GET)
            head, body, left = read_answer(s)
            assert head.startswith(b"HTTP/1.1 200") and body == expected and left == b""
        s.sendall(GET + GET.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        _, first, left = read_answer(s)
        _, second, left = read_answer(s, left)
        assert first == second == expected
        assert left == b"" and s.recv(1) == b""  # closed as asked
    monkeypatch.setattr(server_mod, "KEEPALIVE_S", 0.3)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(GET)
        read_answer(s)
        assert s.recv(1) == b""  # idle past KEEPALIVE_S: closed by the server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        head, _, _ = read_answer(s)
        assert head.startswith(b"HTTP/1.1 405") and s.recv(1) == b""  # the body is not read


def test_stop_ends_the_kept_alive_connections() -> None:
    reg = CollectorRegistry()
    reg.register(Fixed())
    server = MetricsServer(reg, "127.0.0.1", 0)
    server.start()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(GET)
        read_answer(s)
        server.stop()
        assert s.recv(1) == b""
