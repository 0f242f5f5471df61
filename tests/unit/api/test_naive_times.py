"""Time text without a zone is read in `api_timezone` (default Asia/Shanghai, docs/api.md);
zoned text and Unix numbers are unaffected."""

from __future__ import annotations

from datetime import UTC

import pytest

from tui.api.parse import parse_logs, parse_series
from tui.config import ConfigError, load_settings
from tui.core.models import Metric
from tui.core.timezones import DEFAULT_API_TIMEZONE, parse_timezone

EP = "GET /cdn/data/cdn.example.com/logs"
SEP = "GET /cdn/data/cdn.example.com/request"
# 2024-03-22 12:54:13 in Beijing time is 04:54:13 UTC.
BEIJING_NAIVE = "2024-03-22 12:54:13"
UTC_S = 1_711_083_253
SHANGHAI = parse_timezone("Asia/Shanghai")


def _time(value, **kw) -> int:
    [e] = parse_logs([{"access_time": value, "path": "/a"}], EP, **kw)
    return e.time_ns


def test_a_naive_log_time_is_read_in_beijing_time_by_default() -> None:
    assert _time(BEIJING_NAIVE) == UTC_S * 10**9


def test_a_naive_log_time_follows_the_zone_given() -> None:
    assert _time(BEIJING_NAIVE, tz=UTC) == (UTC_S + 8 * 3600) * 10**9
    assert _time(BEIJING_NAIVE, tz=parse_timezone("-05:00")) == (UTC_S + 13 * 3600) * 10**9


@pytest.mark.parametrize("value", [
    "2024-03-22T04:54:13Z", "2024-03-22T12:54:13+08:00", "2024-03-22 06:54:13+02:00",
    "2024-03-22 12:54:13 +0800", UTC_S, str(UTC_S), UTC_S * 1000, UTC_S * 10**9,
])  # fmt: skip
@pytest.mark.parametrize("tz", [UTC, SHANGHAI, parse_timezone("+05:30")])
def test_zoned_text_and_unix_numbers_ignore_the_zone(value, tz) -> None:
    assert _time(value, tz=tz) == UTC_S * 10**9


def test_iso_text_keeps_nanoseconds_exactly() -> None:
    assert _time("2024-03-22T12:54:13.123456789+08:00") == UTC_S * 10**9 + 123_456_789
    assert _time("2024-03-22 12:54:13.5") == UTC_S * 10**9 + 500_000_000
    assert _time("2024-03-22T04:54:13,000000001Z") == UTC_S * 10**9 + 1


@pytest.mark.parametrize("body", [
    {"data": [{"time": "2024-03-22 12:00:00", "value": 5}]},
    {"data": {"2024-03-22 12:00:00": 5}},
    {"timestamps": ["2024-03-22 12:00:00"], "values": [5]},
    [["2024-03-22 12:00:00", 5]],
], ids=["objects", "map", "parallel", "pairs"])  # fmt: skip
def test_naive_series_times_are_read_in_the_zone(body) -> None:
    hour_utc = 1_711_080_000  # 2024-03-22 04:00 UTC
    assert parse_series(body, Metric.REQUEST, "hourly", SEP).points == [(hour_utc, 5.0)]
    got = parse_series(body, Metric.REQUEST, "hourly", SEP, tz=UTC).points
    assert got == [(hour_utc + 8 * 3600, 5.0)]


def test_a_naive_daily_date_is_midnight_in_the_zone() -> None:
    body = {"data": [{"date": "2024-03-22", "value": 1}]}
    [(t, _)] = parse_series(body, Metric.REQUEST, "daily", SEP).points
    assert t == 1_711_036_800  # 2024-03-21 16:00 UTC = 2024-03-22 00:00 Beijing


@pytest.mark.parametrize(("name", "offset_h"), [
    ("Asia/Shanghai", 8), ("UTC", 0), ("+08:00", 8), ("UTC+8", 8), ("-0330", -3.5),
    ("Europe/Berlin", None),
])  # fmt: skip
def test_zone_names_and_offsets_are_accepted(name: str, offset_h) -> None:
    tz = parse_timezone(name)
    if offset_h is not None:
        from datetime import datetime

        assert tz.utcoffset(datetime(2024, 1, 1)).total_seconds() == offset_h * 3600


@pytest.mark.parametrize("bad", ["", "Mars/Olympus", "+25:00", "../etc/passwd"])
def test_unknown_zones_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(ValueError, match="zone|offset"):
        parse_timezone(bad)


def test_the_setting_defaults_to_shanghai_and_is_checked(tmp_path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('api_timezone = "UTC"\n')
    assert load_settings(env={}, config_path=cfg).api_timezone == "UTC"
    cfg.write_text("")
    assert load_settings(env={}, config_path=cfg).api_timezone == DEFAULT_API_TIMEZONE
    assert load_settings(env={"S4TOP_API_TIMEZONE": "+09:00"},
                         config_path=cfg).api_timezone == "+09:00"
    cfg.write_text('api_timezone = "Nowhere/Land"\n')
    with pytest.raises(ConfigError, match="api_timezone.*unknown time zone"):
        load_settings(env={}, config_path=cfg)
