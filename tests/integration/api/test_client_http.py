"""The real httpx-based S4Client against a real loopback server that misbehaves on cue.

The server (conftest_http.BadVendorServer) stands for the vendor's server and the network
between: every test here goes through real sockets.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.integration.conftest_http import BadVendorServer, FullBacklog, Reply, refused_port
from tui.api.client import RawResponse, RetryPolicy, S4Client
from tui.api.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    InvalidDomain,
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.core.models import LogEntry, Metric, RefreshKind, RefreshRequest, Series

TOKEN = "tok-SECRET-4f9a2b7c11"
DOMAIN = "cdn.example.com"
FAST = RetryPolicy(attempts=4, base_s=0.001, cap_s=0.02, jitter=0.2)
NS = 1_723_046_499_000_000_000

LOG_BODY = {
    "data": [
        {
            "path": "https://cdn.example.com/a.png",
            "size": 1234,
            "access_time": NS,
            "code": 200,
            "method": "GET",
            "ip": "203.0.113.9",
            "country": "CN",
            "referer": "",
            "ua": "curl/8",
            "cache": "HIT",
        }
    ],
    "message": "ok",
}
SERIES_BODY = {"data": [{"time": 1_723_046_400, "value": 10}, {"time": 1_723_050_000, "value": 20}]}
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
async def vendor(monkeypatch: pytest.MonkeyPatch):
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    server = BadVendorServer()
    server.default = Reply(body=LOG_BODY)
    await server.start()
    yield server
    await server.stop()


class Retries:
    """Records on_retry calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, ApiError, float]] = []

    def __call__(self, endpoint: str, error: ApiError, delay: float) -> None:
        self.calls.append((endpoint, error, delay))


def client(base_url: str, token=TOKEN, **kw) -> S4Client:
    kw.setdefault("retry", FAST)
    kw.setdefault("refresh_retry", FAST)
    kw.setdefault("connect_timeout", 2.0)
    kw.setdefault("read_timeout", 2.0)
    return S4Client(base_url, token, **kw)


def texts_of(e: BaseException) -> list[str]:
    return [str(e), repr(e), *(str(a) for a in e.args), getattr(e, "message", ""), getattr(e, "excerpt", "")]


# ----------------------------------------------------------------------------- request shape


async def test_logs_request_sends_raw_token_path_and_params(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url) as c:
        entries = await c.logs_page(DOMAIN, NS, codes="5XX", limit=500)
    [seen] = vendor.requests
    assert seen.method == "GET"
    assert seen.path == "/cdn/data/cdn.example.com/logs"
    assert seen.query == {"start_time": [str(NS)], "codes": ["5XX"], "limit": ["500"]}
    auth = [v for k, v in seen.raw_headers if k.lower() == "authorization"]
    assert auth == [TOKEN]  # the raw token: no "Bearer", sent once
    assert seen.headers["user-agent"].startswith("s4top/")
    assert [type(e) for e in entries] == [LogEntry]
    assert entries[0].status == 200 and entries[0].time_ns == NS


async def test_logs_defaults_are_all_codes_and_full_pages(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url) as c:
        await c.logs_page(DOMAIN, NS)
    assert vendor.requests[0].query == {"start_time": [str(NS)], "codes": ["ALL"], "limit": ["1000"]}


@pytest.mark.parametrize("metric", list(Metric))
async def test_series_request_path_and_params(vendor: BadVendorServer, metric: Metric) -> None:
    vendor.default = Reply(body=SERIES_BODY)
    async with client(vendor.base_url) as c:
        series = await c.series(DOMAIN, metric, 1_723_000_000, 1_723_086_400, "hourly")
    [seen] = vendor.requests
    assert seen.path == f"/cdn/data/cdn.example.com/{metric.value}"
    assert seen.query == {"start_time": ["1723000000"], "end_time": ["1723086400"], "period": ["hourly"]}
    assert seen.headers["authorization"] == TOKEN
    assert isinstance(series, Series) and series.metric is metric
    assert series.points == [(1_723_046_400, 10.0), (1_723_050_000, 20.0)]


async def test_domain_is_normalised_into_the_path(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url) as c:
        await c.logs_page("CDN.Example.COM", NS)
        await c.logs_page("bücher.example", NS)
    assert [r.path for r in vendor.requests] == [
        "/cdn/data/cdn.example.com/logs",
        "/cdn/data/xn--bcher-kva.example/logs",
    ]


@pytest.mark.parametrize(
    "bad",
    ["a/../b", "cdn.example.com/x", "x?y=1", "a#b", "cdn.example.com:8080", "https://cdn.example.com",
     "a b.com", "", "..", "cdn..example.com"],
)  # fmt: skip
async def test_invalid_domain_raises_before_any_request(vendor: BadVendorServer, bad: str) -> None:
    async with client(vendor.base_url) as c:
        with pytest.raises(InvalidDomain):
            await c.logs_page(bad, NS)
        with pytest.raises(InvalidDomain):
            await c.series(bad, Metric.TRAFFIC, 1, 2, "daily")
    assert vendor.requests == [] and vendor.connections == 0


async def test_bad_arguments_are_refused_before_sending(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url) as c:
        with pytest.raises(ValueError):
            await c.logs_page(DOMAIN, NS, codes="6XX")
        with pytest.raises(ValueError):
            await c.logs_page(DOMAIN, NS, limit=1001)
        with pytest.raises(ValueError):
            await c.series(DOMAIN, Metric.TRAFFIC, 1, 2, "minutely")
    assert vendor.requests == []


async def test_base_url_is_configurable_with_a_path_prefix(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url + "/s4api/") as c:
        await c.logs_page(DOMAIN, NS)
    assert vendor.requests[0].path == "/s4api/cdn/data/cdn.example.com/logs"


async def test_one_connection_is_kept_alive_across_requests(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url) as c:
        for _ in range(3):
            await c.logs_page(DOMAIN, NS)
    assert len(vendor.requests) == 3
    assert vendor.connections == 1


# ----------------------------------------------------------------------------- retries


async def test_retries_500_502_503_429_then_succeeds(vendor: BadVendorServer) -> None:
    vendor.script(
        Reply(status=500, body={"message": "boom"}),
        Reply(status=502, body=b"<html>bad gateway</html>"),
        Reply(status=503, body=b""),
        Reply(status=429, body={"message": "slow down"}),
    )
    seen = Retries()
    async with client(vendor.base_url, retry=RetryPolicy(5, 0.001, 0.02, 0.2), on_retry=seen) as c:
        entries = await c.logs_page(DOMAIN, NS)
    assert len(entries) == 1
    assert len(vendor.requests) == 5
    assert [type(e) for _, e, _ in seen.calls] == [ServerError, ServerError, ServerError, RateLimited]
    assert [getattr(e, "status", 429) for _, e, _ in seen.calls] == [500, 502, 503, 429]
    assert all(ep == "GET /cdn/data/cdn.example.com/logs" for ep, _, _ in seen.calls)
    assert all(0 <= d <= 0.02 for _, _, d in seen.calls)


async def test_retries_exhausted_raise_the_last_error(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=503, body={"message": "maintenance"})
    seen = Retries()
    async with client(vendor.base_url, on_retry=seen) as c:
        with pytest.raises(ServerError) as info:
            await c.logs_page(DOMAIN, NS)
    assert info.value.status == 503 and "maintenance" in str(info.value)
    assert len(vendor.requests) == FAST.attempts
    assert len(seen.calls) == FAST.attempts - 1


async def test_backoff_is_capped_exponential(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=500)
    seen = Retries()
    policy = RetryPolicy(attempts=5, base_s=0.002, cap_s=0.01, jitter=0.0)
    async with client(vendor.base_url, retry=policy, on_retry=seen) as c:
        with pytest.raises(ServerError):
            await c.logs_page(DOMAIN, NS)
    assert [d for _, _, d in seen.calls] == pytest.approx([0.002, 0.004, 0.008, 0.01])


async def test_retry_after_seconds_wins_but_is_capped(vendor: BadVendorServer) -> None:
    vendor.script(
        Reply(status=429, headers={"Retry-After": "0"}),
        Reply(status=429, headers={"Retry-After": "120"}),
        Reply(status=503, headers={"Retry-After": "0.005"}),
    )
    seen = Retries()
    policy = RetryPolicy(attempts=4, base_s=0.01, cap_s=0.05, jitter=0.5)
    async with client(vendor.base_url, retry=policy, on_retry=seen) as c:
        started = time.monotonic()
        await c.logs_page(DOMAIN, NS)
        elapsed = time.monotonic() - started
    assert [d for _, _, d in seen.calls] == pytest.approx([0.0, 0.05, 0.005])
    assert seen.calls[1][1].retry_after == 120  # the error says what the server asked for
    assert elapsed < 2  # the cap held: no two-minute sleep


async def test_retry_after_http_date(vendor: BadVendorServer) -> None:
    future = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    vendor.script(
        Reply(status=429, headers={"Retry-After": future}),
        Reply(status=429, headers={"Retry-After": past}),
    )
    seen = Retries()
    async with client(vendor.base_url, retry=RetryPolicy(3, 0.01, 0.03, 0.0), on_retry=seen) as c:
        await c.logs_page(DOMAIN, NS)
    assert [d for _, _, d in seen.calls] == pytest.approx([0.03, 0.0])


async def test_501_is_not_retried(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=501)
    async with client(vendor.base_url) as c:
        with pytest.raises(ServerError):
            await c.logs_page(DOMAIN, NS)
    assert len(vendor.requests) == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_failure_is_not_retried(vendor: BadVendorServer, status: int) -> None:
    vendor.default = Reply(status=status, body={"message": "invalid token"})
    seen = Retries()
    async with client(vendor.base_url, on_retry=seen) as c:
        with pytest.raises(AuthError) as info:
            await c.logs_page(DOMAIN, NS)
    assert info.value.status == status and "invalid token" in str(info.value)
    assert len(vendor.requests) == 1 and seen.calls == []


async def test_bad_request_carries_the_server_message(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=400, body={"code": 400, "message": "limit must be <= 1000"})
    seen = Retries()
    async with client(vendor.base_url, on_retry=seen) as c:
        with pytest.raises(BadRequest) as info:
            await c.logs_page(DOMAIN, NS)
    assert info.value.status == 400
    assert "limit must be <= 1000" in info.value.message
    assert "/cdn/data/cdn.example.com/logs" in str(info.value)
    assert len(vendor.requests) == 1 and seen.calls == []


async def test_other_4xx_with_a_text_body_is_bad_request(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=404, body=b"no such domain\x1b]2;pwned\x07", headers={"Content-Type": "text/plain"})
    async with client(vendor.base_url) as c:
        with pytest.raises(BadRequest) as info:
            await c.logs_page(DOMAIN, NS)
    assert info.value.status == 404 and "no such domain" in str(info.value)
    assert "\x1b" not in str(info.value) and "\x07" not in str(info.value)


# ----------------------------------------------------------------------------- transport failures


async def test_read_timeout_is_api_timeout_and_retried(vendor: BadVendorServer) -> None:
    vendor.default = Reply(hang=True)
    seen = Retries()
    async with client(vendor.base_url, read_timeout=0.2, retry=RetryPolicy(2, 0.001, 0.01), on_retry=seen) as c:
        with pytest.raises(ApiTimeout) as info:
            await c.logs_page(DOMAIN, NS)
    assert info.value.sent is True
    assert len(vendor.requests) == 2
    assert [type(e) for _, e, _ in seen.calls] == [ApiTimeout]


async def test_total_timeout_bounds_a_slow_answer(vendor: BadVendorServer) -> None:
    vendor.default = Reply(delay_s=1.0)
    async with client(vendor.base_url, read_timeout=5.0, total_timeout=0.2, retry=RetryPolicy(1)) as c:
        started = time.monotonic()
        with pytest.raises(ApiTimeout):
            await c.logs_page(DOMAIN, NS)
    assert time.monotonic() - started < 0.9


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux dropping SYNs on a full backlog")
async def test_connect_timeout_is_api_timeout_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    backlog = FullBacklog()
    try:
        async with client(f"http://127.0.0.1:{backlog.port}", connect_timeout=0.2, retry=RetryPolicy(1)) as c:
            with pytest.raises(ApiTimeout) as info:
                await c.logs_page(DOMAIN, NS)
    finally:
        backlog.close()
    assert info.value.sent is False


async def test_connection_refused_is_network_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    seen = Retries()
    async with client(f"http://127.0.0.1:{refused_port()}", retry=RetryPolicy(2, 0.001, 0.01), on_retry=seen) as c:
        with pytest.raises(NetworkError) as info:
            await c.logs_page(DOMAIN, NS)
    assert info.value.sent is False
    assert "127.0.0.1" in str(info.value)
    assert [type(e) for _, e, _ in seen.calls] == [NetworkError]


async def test_reset_in_the_middle_of_the_body(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body=json.dumps(LOG_BODY) * 50, reset_after=40)
    async with client(vendor.base_url, retry=RetryPolicy(1)) as c:
        with pytest.raises((NetworkError, UnexpectedResponse)):
            await c.logs_page(DOMAIN, NS)


async def test_reset_mid_body_is_retried_and_then_succeeds(vendor: BadVendorServer) -> None:
    vendor.script(Reply(body=json.dumps(LOG_BODY) * 50, reset_after=40))
    seen = Retries()
    async with client(vendor.base_url, on_retry=seen) as c:
        entries = await c.logs_page(DOMAIN, NS)
    assert len(entries) == 1
    assert [type(e) for _, e, _ in seen.calls] == [NetworkError]


async def test_connection_closed_without_answer_is_network_error(vendor: BadVendorServer) -> None:
    vendor.default = Reply(close_without_reply=True)
    async with client(vendor.base_url, retry=RetryPolicy(1)) as c:
        with pytest.raises(NetworkError):
            await c.logs_page(DOMAIN, NS)


async def test_short_body_then_close_is_network_error(vendor: BadVendorServer) -> None:
    body = json.dumps(LOG_BODY).encode()
    vendor.default = Reply(body=body, content_length=len(body) + 100, close=True)
    async with client(vendor.base_url, retry=RetryPolicy(1)) as c:
        with pytest.raises(NetworkError):
            await c.logs_page(DOMAIN, NS)


async def test_truncated_json_is_unexpected_response_with_excerpt(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body=json.dumps(LOG_BODY)[:60])
    async with client(vendor.base_url) as c:
        with pytest.raises(UnexpectedResponse) as info:
            await c.logs_page(DOMAIN, NS)
    e = info.value
    assert e.endpoint == "GET /cdn/data/cdn.example.com/logs"
    assert e.excerpt.startswith('{"data": [{"path"')
    assert "not valid JSON" in str(e)
    assert len(vendor.requests) == 1  # a body we cannot read is not retried


async def test_non_json_body_is_unexpected_response(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body=b"<html><body>Gateway login</body></html>", headers={"Content-Type": "text/html"})
    async with client(vendor.base_url) as c:
        with pytest.raises(UnexpectedResponse) as info:
            await c.series(DOMAIN, Metric.REQUEST, 1, 2, "daily")
    assert "Gateway login" in info.value.excerpt
    assert info.value.endpoint == "GET /cdn/data/cdn.example.com/request"


async def test_empty_200_body_is_unexpected_response(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body=b"")
    async with client(vendor.base_url) as c:
        with pytest.raises(UnexpectedResponse, match="empty"):
            await c.logs_page(DOMAIN, NS)


async def test_unknown_shape_names_the_endpoint(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body={"weird": {"nested": True}})
    async with client(vendor.base_url) as c:
        with pytest.raises(UnexpectedResponse) as info:
            await c.series(DOMAIN, Metric.TRAFFIC_ORIGIN, 1, 2, "monthly")
    assert "traffic_origin" in str(info.value) and "weird" in info.value.excerpt


async def test_invalid_utf8_in_the_body_is_tolerated(vendor: BadVendorServer) -> None:
    raw = json.dumps(LOG_BODY).encode().replace(b"/a.png", b"/a\xff\xfe.png")
    vendor.default = Reply(body=raw)
    async with client(vendor.base_url) as c:
        [entry] = await c.logs_page(DOMAIN, NS)
    assert entry.url == "https://cdn.example.com/a\ufffd\ufffd.png"


async def test_redirect_is_not_followed(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=302, headers={"Location": "http://elsewhere.example/steal"}, body=b"")
    async with client(vendor.base_url) as c:
        with pytest.raises(UnexpectedResponse, match="redirect"):
            await c.logs_page(DOMAIN, NS)
    assert len(vendor.requests) == 1


async def test_oversized_body_is_refused(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body=json.dumps(LOG_BODY) * 10)
    async with client(vendor.base_url, max_body_bytes=200) as c:
        with pytest.raises(UnexpectedResponse, match="larger than"):
            await c.logs_page(DOMAIN, NS)


# ----------------------------------------------------------------------------- refresh


async def test_refresh_posts_json_and_reports_ok(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body={"message": "ok"})
    urls = ["https://cdn.example.com/a.png", "https://cdn.example.com/100%25.png"]
    async with client(vendor.base_url) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, urls))
        outcome2 = await c.refresh(RefreshRequest(RefreshKind.DIRECTORY, ["https://cdn.example.com/img/"]))
    first, second = vendor.requests
    assert first.method == "POST" and first.path == "/cdn/cache/refresh"
    assert first.headers["content-type"] == "application/json"
    assert first.headers["authorization"] == TOKEN
    assert first.json() == {"type": "url", "url_list": urls}
    assert second.json() == {"type": "directory", "url_list": ["https://cdn.example.com/img/"]}
    assert (outcome.ok, outcome.status, outcome.message, outcome.attempts, outcome.unknown) == (
        True, 200, "ok", 1, False,
    )  # fmt: skip
    assert outcome.latency_s >= 0 and outcome2.ok


async def test_refresh_retries_429_then_ok(vendor: BadVendorServer) -> None:
    vendor.script(Reply(status=429, headers={"Retry-After": "0"}, body={"message": "too many"}))
    vendor.default = Reply(body={"message": "ok"})
    seen = Retries()
    async with client(vendor.base_url, on_retry=seen) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert outcome.ok and outcome.attempts == 2
    assert [type(e) for _, e, _ in seen.calls] == [RateLimited]
    assert seen.calls[0][0] == "POST /cdn/cache/refresh"


async def test_refresh_5xx_retries_are_bounded(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=503, body={"message": "busy"})
    policy = RetryPolicy(3, 0.001, 0.01)
    async with client(vendor.base_url, refresh_retry=policy) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert (outcome.ok, outcome.status, outcome.attempts, outcome.unknown) == (False, 503, 3, False)
    assert "busy" in outcome.message
    assert len(vendor.requests) == 3


async def test_refresh_connect_failure_retries_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    seen = Retries()
    policy = RetryPolicy(3, 0.001, 0.01)
    async with client(f"http://127.0.0.1:{refused_port()}", refresh_retry=policy, on_retry=seen) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert (outcome.ok, outcome.status, outcome.attempts, outcome.unknown) == (False, None, 3, False)
    assert len(seen.calls) == 2


async def test_refresh_read_timeout_after_sending_is_unknown(vendor: BadVendorServer) -> None:
    vendor.default = Reply(hang=True)
    seen = Retries()
    async with client(vendor.base_url, read_timeout=0.2, on_retry=seen) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert (outcome.ok, outcome.unknown, outcome.status, outcome.attempts) == (False, True, None, 1)
    assert "unknown" in outcome.message
    assert len(vendor.requests) == 1 and seen.calls == []  # never re-sent blindly


async def test_refresh_connection_dropped_after_sending_is_unknown(vendor: BadVendorServer) -> None:
    vendor.default = Reply(close_without_reply=True)
    async with client(vendor.base_url) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert (outcome.ok, outcome.unknown) == (False, True)
    assert len(vendor.requests) == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_refresh_auth_failure_raises(vendor: BadVendorServer, status: int) -> None:
    vendor.default = Reply(status=status, body={"message": "bad token"})
    async with client(vendor.base_url) as c:
        with pytest.raises(AuthError):
            await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert len(vendor.requests) == 1


async def test_refresh_400_returns_the_server_message(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=400, body={"message": "url must not contain '*'"})
    async with client(vendor.base_url) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert (outcome.ok, outcome.status, outcome.attempts) == (False, 400, 1)
    assert "url must not contain '*'" in outcome.message


async def test_refresh_200_with_error_envelope_is_not_ok(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body={"code": 1001, "message": "daily quota exceeded"})
    async with client(vendor.base_url) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert (outcome.ok, outcome.status, outcome.message) == (False, 200, "daily quota exceeded")


async def test_refresh_200_with_unreadable_body_is_not_ok(vendor: BadVendorServer) -> None:
    vendor.default = Reply(body=b"<html>ok?</html>")
    async with client(vendor.base_url) as c:
        outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert (outcome.ok, outcome.status, outcome.unknown) == (False, 200, False)
    assert "may have been accepted" in outcome.message


async def test_refresh_bad_arguments_are_refused_before_sending(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url) as c:
        for kind, urls in [("url", []), ("url", ["https://x.example/"] * 21), ("file", ["https://x.example/"])]:
            with pytest.raises(ValueError):
                await c.refresh(RefreshRequest(kind, urls))
    assert vendor.requests == []


# ----------------------------------------------------------------------------- the token


async def test_token_callable_is_read_for_every_request(vendor: BadVendorServer) -> None:
    tokens = iter(["tok-first-1111", "tok-second-2222", "tok-third-3333"])
    async with client(vendor.base_url, token=lambda: next(tokens) + "\n") as c:
        await c.logs_page(DOMAIN, NS)
        await c.logs_page(DOMAIN, NS)
        vendor.default = Reply(body={"message": "ok"})
        await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert [r.headers["authorization"] for r in vendor.requests] == [
        "tok-first-1111", "tok-second-2222", "tok-third-3333",
    ]  # fmt: skip


async def test_rotated_token_is_reread_on_retry(vendor: BadVendorServer) -> None:
    vendor.script(Reply(status=503))
    tokens = iter(["tok-old-aaaa", "tok-new-bbbb"])
    async with client(vendor.base_url, token=lambda: next(tokens)) as c:
        await c.logs_page(DOMAIN, NS)
    assert [r.headers["authorization"] for r in vendor.requests] == ["tok-old-aaaa", "tok-new-bbbb"]


def _echo(status: int, template: str, **headers: str) -> Reply:
    return Reply(status=status, body=template.replace("TOKEN", TOKEN).encode(), headers=headers)


ECHOES = {
    "401 json": _echo(401, '{"message": "token TOKEN is invalid"}'),
    "403 text": _echo(403, "forbidden for TOKEN"),
    "400 json": _echo(400, '{"msg": "bad request from TOKEN"}'),
    "404 html": _echo(404, "<h1>TOKEN</h1>"),
    "500 json": _echo(500, '{"error": {"message": "panic: TOKEN"}}'),
    "429 text": _echo(429, "slow down TOKEN", **{"Retry-After": "0"}),
    "302": _echo(302, "", Location="https://evil.example/?t=TOKEN"),
    "200 html": _echo(200, "<html>" + "x" * 290 + "TOKEN</html>"),
    "200 truncated": _echo(200, '{"data": [{"ua": "TOKEN", "path": "/a'),
    "200 unknown shape": _echo(200, '{"weird": "TOKEN"}'),
    "200 error envelope": _echo(200, '{"code": 401, "message": "invalid token TOKEN"}'),
    "200 entry without time": _echo(200, '{"data": [{"path": "/a", "ua": "TOKEN"}]}'),
    "200 json-escaped": _echo(200, '{"weird": "' + TOKEN.replace("-", "\\u002d") + '"}'),
}


@pytest.mark.parametrize("reply", list(ECHOES.values()), ids=list(ECHOES))
async def test_token_never_appears_in_any_error(vendor: BadVendorServer, reply: Reply) -> None:
    vendor.default = reply
    async with client(vendor.base_url, retry=RetryPolicy(2, 0.001, 0.01)) as c:
        with pytest.raises(ApiError) as info:
            await c.logs_page(DOMAIN, NS)
    e = info.value
    for text in texts_of(e):
        assert TOKEN not in text
        assert "4f9a2b7c11" not in text  # not even the tail of it
    assert e.__context__ is None and e.__cause__ is None  # no httpx/json exception chained


@pytest.mark.parametrize("reply", list(ECHOES.values())[:7], ids=list(ECHOES)[:7])
async def test_token_never_appears_in_refresh_outcomes(vendor: BadVendorServer, reply: Reply) -> None:
    vendor.default = reply
    async with client(vendor.base_url, refresh_retry=RetryPolicy(2, 0.001, 0.01)) as c:
        try:
            outcome = await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
        except AuthError as e:
            texts = texts_of(e)
        else:
            texts = [outcome.message, repr(outcome)]
    assert all(TOKEN not in t for t in texts)


async def test_unsendable_token_is_refused_without_echo(vendor: BadVendorServer) -> None:
    for bad in ["tok-SECRET\nX-Evil: 1", "tok-SECRET-é", "   "]:
        async with client(vendor.base_url, token=bad) as c:
            with pytest.raises(AuthError) as info:
                await c.logs_page(DOMAIN, NS)
        assert all("SECRET" not in t for t in texts_of(info.value))
    assert vendor.requests == []


async def test_unreadable_token_source_is_auth_error(vendor: BadVendorServer) -> None:
    def missing() -> str:
        raise FileNotFoundError(2, "No such file or directory", "/nonexistent/token")

    def leaky() -> str:
        raise ValueError(f"cannot parse {TOKEN}")

    async with client(vendor.base_url, token=missing) as c:
        with pytest.raises(AuthError, match="/nonexistent/token"):
            await c.logs_page(DOMAIN, NS)
    async with client(vendor.base_url, token=leaky) as c:
        with pytest.raises(AuthError) as info:
            await c.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a"]))
    assert all(TOKEN not in t for t in texts_of(info.value))
    assert info.value.__context__ is None
    assert vendor.requests == []


async def test_client_repr_has_no_token(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url) as c:
        assert TOKEN not in repr(c) and TOKEN not in str(c)


# ----------------------------------------------------------------------------- raw_get (doctor)


async def test_raw_get_returns_the_answer_as_is_without_retry(vendor: BadVendorServer) -> None:
    vendor.default = Reply(status=500, body=b'{"odd": 1}', headers={"X-Request-Id": "r-1"})
    async with client(vendor.base_url) as c:
        raw = await c.raw_get("/cdn/data/cdn.example.com/traffic", {"start_time": 1, "period": "daily"})
    assert isinstance(raw, RawResponse)
    assert (raw.status, raw.body, raw.headers["x-request-id"]) == (500, b'{"odd": 1}', "r-1")
    assert raw.latency_s >= 0
    [seen] = vendor.requests
    assert seen.query == {"start_time": ["1"], "period": ["daily"]}
    assert seen.headers["authorization"] == TOKEN


@pytest.mark.parametrize("path", ["http://evil.example/x", "//evil.example/x", "cdn/data"])
async def test_raw_get_refuses_other_hosts(vendor: BadVendorServer, path: str) -> None:
    async with client(vendor.base_url) as c:
        with pytest.raises(ValueError):
            await c.raw_get(path, {})
    assert vendor.requests == []


async def test_many_concurrent_requests_share_the_client(vendor: BadVendorServer) -> None:
    async with client(vendor.base_url) as c:
        pages = await asyncio.gather(*(c.logs_page(DOMAIN, NS) for _ in range(20)))
    assert all(len(p) == 1 for p in pages)
    assert len(vendor.requests) == 20
