"""Units: decimal sizes as billed, bits/s for bandwidth, durations as typed."""

from __future__ import annotations

import pytest

from tui.core.units import (
    format_bits_per_s,
    format_bytes,
    format_count,
    format_duration,
    format_rate,
    format_setting_duration,
    parse_duration,
)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 B"),
        (1, "1 B"),
        (999, "999 B"),
        (1000, "1.00 kB"),
        (1234, "1.23 kB"),
        (12_345, "12.3 kB"),
        (123_456, "123 kB"),
        (999_499, "999 kB"),
        (999_999, "1.00 MB"),  # rounding carries into the next unit
        (1_230_000, "1.23 MB"),
        (45_600_000_000, "45.6 GB"),
        (1_000_000_000_000, "1.00 TB"),
        (1_500_000_000_000_000, "1500 TB"),  # beyond the largest unit
        (-2048, "-2.05 kB"),
        (512.7, "513 B"),
    ],
)
def test_format_bytes(n: float, text: str) -> None:
    assert format_bytes(n) == text


@pytest.mark.parametrize(
    ("bps", "text"),
    [
        (0, "0 bit/s"),
        (100, "800 bit/s"),
        (125, "1.00 kbit/s"),
        (1_537_500, "12.3 Mbit/s"),
        (125_000_000, "1.00 Gbit/s"),
    ],
)
def test_format_bits_per_s(bps: float, text: str) -> None:
    assert format_bits_per_s(bps) == text


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (7, "7"), (999, "999"), (1000, "1.00k"), (45_600, "45.6k"), (789_000, "789k"),
     (1_230_000, "1.23M"), (2_000_000_000, "2.00G")],
)
def test_format_count(n: int, text: str) -> None:
    assert format_count(n) == text


@pytest.mark.parametrize(
    ("rate", "text"),
    [(0, "0 req/s"), (0.25, "0.25 req/s"), (12.34, "12.3 req/s"), (123.4, "123 req/s"),
     (1234, "1.23k req/s")],
)
def test_format_rate(rate: float, text: str) -> None:
    assert format_rate(rate) == text


def test_format_rate_other_unit() -> None:
    assert format_rate(3.5, "err/s") == "3.50 err/s"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("2h", 7200), ("3d", 259200), ("1h30m", 5400), (" 5M ", 300),
     ("0s", 0), ("1.5h", 5400), ("2d 3h", 183600)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "empty"), ("300", "needs a unit"), ("5x", "unknown unit"), ("-5m", "negative"),
     ("abc", "cannot read"), ("5 minutes", "unknown unit"), ("m5", "cannot read")],
)
def test_parse_duration_errors_are_clear(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (45, "45s"), (1.5, "1.5s"), (59.6, "1m 00s"), (125, "2m 05s"),
     (3720, "1h 02m"), (3 * 86400 + 4 * 3600, "3d 04h"), (-30, "-30s")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(300.0, "5m"), (90.0, "90s"), (7200.0, "2h"), (86400 * 3, "3d"), (60.0, "1m"),
     (0.0, "0s"), (0.5, "0.5s"), (30.0, "30s"), (5400.0, "90m"), (0.05, "0.05s")],
)
def test_format_setting_duration_reads_like_the_config(seconds: float, text: str) -> None:
    assert format_setting_duration(seconds) == text
    if seconds == int(seconds):
        assert parse_duration(text) == seconds  # it reads back as the same setting
