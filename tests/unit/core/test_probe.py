"""The conclusions `s4top doctor` draws from real answers (tui/core/probe.py)."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from tui.core import probe

NS = 10**9
NOW = 1_711_083_253.0  # 2024-03-22 04:54:13 UTC
HOUR = NOW // 3600 * 3600


def test_clock_skew_from_a_date_header() -> None:
    header = formatdate(NOW + 120, usegmt=True)
    assert probe.clock_skew_s(header, NOW - 0.1, NOW + 0.1) == pytest.approx(120, abs=0.6)
    assert probe.clock_skew_s(None, NOW, NOW) is None
    assert probe.clock_skew_s("yesterday-ish", NOW, NOW) is None
    assert probe.skew_finding(45.0)[1] and not probe.skew_finding(-29.0)[1]
    assert not probe.skew_finding(None)[1]


@pytest.mark.parametrize(("newest", "text", "expect", "warn"), [
    (HOUR, True, "times look right", False),
    (HOUR - 3600, True, "previous hour", False),
    (HOUR - 8 * 3600, True, 'api_timezone = "+00:00"', True),
    (HOUR + 3600, True, 'api_timezone = "+09:00"', True),
    (HOUR - 8 * 3600, False, "cannot correct numbers", True),
    (HOUR - 1800, True, "cannot tell the zone", True),
    (None, True, "cannot tell", False),
])  # fmt: skip
def test_zone_findings(newest, text: bool, expect: str, warn: bool) -> None:
    line, warning = probe.zone_finding(None if newest is None else int(newest), NOW, 8 * 3600,
                                       text_times=text, zone_name="Asia/Shanghai")
    assert expect in line and warning is warn


def test_cursor_findings() -> None:
    assert probe.cursor_finding(5, [5, 6]).startswith("cursor: inclusive")
    assert probe.cursor_finding(5, [6, 7]).startswith("cursor: exclusive")
    assert probe.cursor_finding(5, []).startswith("cursor: exclusive")
    assert "ignore start_time" in probe.cursor_finding(5, [1, 5])


def test_page_findings() -> None:
    assert "documented maximum" in probe.page_finding(1000, 1000, False)
    assert "at most 100" in probe.page_finding(1000, 100, True)
    assert "every entry" in probe.page_finding(1000, 100, False)


def test_lateness_bounds_each_late_entry_between_two_reads() -> None:
    t = 1_000 * NS
    late = probe.Lateness(window_end_ns=t)
    late.first_read([("a", t - 5 * NS), ("b", t - 1 * NS)], read_ns=t)
    late.reread([("a", t - 5 * NS), ("b", t - 1 * NS)], read_ns=t + 2 * NS)
    late.reread([("a", t - 5 * NS), ("b", t - 1 * NS), ("c", t - 2 * NS), ("c", t - 2 * NS)],
                read_ns=t + 4 * NS)
    assert late.total == 4 and late.late == [(4.0, 6.0), (4.0, 6.0)]
    line = late.finding(4, 30)
    assert "2 of 4 entries" in line and 'tail_delay = "6s"' in line


def test_no_lateness() -> None:
    late = probe.Lateness(window_end_ns=NS)
    late.first_read([("a", 1)], read_ns=NS)
    late.reread([("a", 1)], read_ns=2 * NS)
    assert late.finding(1, 30).startswith("lateness: none of 1 entries")
