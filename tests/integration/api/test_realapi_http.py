"""The real client over loopback against answers shaped like the real API may answer
(issue 16): naive Beijing-time text, new key names, errors inside HTTP 200."""

from __future__ import annotations

import asyncio
from datetime import UTC

import pytest

from tests.integration.conftest_http import BadVendorServer, Reply
from tui.api.client import RetryPolicy, S4Client
from tui.config import load_settings
from tui.context import build_context
from tui.core.models import Metric
from tui.core.timezones import parse_timezone

TOKEN = "tok-SECRET-realapi-5e6f"
DOMAIN = "cdn.example.com"
FAST = RetryPolicy(attempts=2, base_s=0.001, cap_s=0.01, jitter=0.0)
HOUR_UTC = 1_711_080_000  # 2024-03-22 04:00 UTC = 12:00 Beijing
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
async def vendor(monkeypatch: pytest.MonkeyPatch):
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    server = BadVendorServer()
    await server.start()
    yield server
    await server.stop()


def client(base: str, **kw) -> S4Client:
    return S4Client(base, TOKEN, retry=FAST, **kw)


async def test_naive_series_and_log_times_are_read_in_the_configured_zone(vendor) -> None:
    series = {"data": [{"time": "2024-03-22 12:00:00", "value": 7}]}
    logs = {"data": [{"access_time": "2024-03-22 12:00:00.000000001", "path": "/a"}]}
    vendor.script(Reply(body=series), Reply(body=logs), Reply(body=series), Reply(body=logs))
    async with client(vendor.base_url) as c:  # the default: Asia/Shanghai
        s = await c.series(DOMAIN, Metric.REQUEST, HOUR_UTC, HOUR_UTC + 3600, "hourly")
        [e] = await c.logs_page(DOMAIN, 1)
    assert s.points == [(HOUR_UTC, 7.0)] and e.time_ns == HOUR_UTC * 10**9 + 1
    async with client(vendor.base_url, naive_tz=UTC) as c:
        s = await c.series(DOMAIN, Metric.REQUEST, HOUR_UTC, HOUR_UTC + 3600, "hourly")
        [e] = await c.logs_page(DOMAIN, 1)
    assert s.points == [(HOUR_UTC + 8 * 3600, 7.0)]
    assert e.time_ns == (HOUR_UTC + 8 * 3600) * 10**9 + 1


def test_the_context_hands_the_setting_to_the_client(tmp_path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('api_timezone = "+09:00"\ndomain = "cdn.example.com"\n')
    settings = load_settings(env={"BITIFUL_API_TOKEN": TOKEN}, config_path=cfg)
    c = build_context(settings).client()
    try:
        assert c.naive_tz == parse_timezone("+09:00")
    finally:
        asyncio.run(c.aclose())


@pytest.mark.parametrize(("codes", "asked", "kept"), [
    ("404,503", "ALL", [404, 503]), ("403,404", "4XX", [404, 403]), ("5XX", "5XX", [503, 500]),
    ("5XX,404", "ALL", [404, 503, 500]),
])  # fmt: skip
async def test_read_window_asks_the_narrowest_class_and_filters(vendor, codes, asked,
                                                                 kept) -> None:
    """A server that ignores `codes` and sends everything: the local filter still holds."""
    from tui.commands.logs import read_window

    t0 = 1_723_046_499_000_000_000
    page = [{"access_time": t0 + i, "code": c, "path": f"/p{i}"}
            for i, c in enumerate((200, 404, 503, 403, 301, 500))]
    vendor.default = Reply(body={"data": page})
    got: list = []
    async with client(vendor.base_url) as c:
        await read_window(c, DOMAIN, t0, t0 + 10, codes, 1000, got.extend)
    assert [e.status for e in got] == kept
    assert {seen.query["codes"][0] for seen in vendor.requests} == {asked}
