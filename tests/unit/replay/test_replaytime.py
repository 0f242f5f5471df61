"""The replay's clock words: speeds and the times `--at` and the jump box take."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.core.replaytime import (
    format_replay_time,
    parse_at,
    parse_speed,
    speed_label,
    step_speed,
)

NS = 1_000_000_000


def _ns(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()) * NS


START, END = _ns("2026-11-20T13:30:00"), _ns("2026-11-20T15:00:00")


def test_speeds_step_through_paused_1_10_60_and_hold_at_the_ends() -> None:
    assert [step_speed(s, 1) for s in (0, 1, 10, 60)] == [1, 10, 60, 60]
    assert [step_speed(s, -1) for s in (0, 1, 10, 60)] == [0, 0, 1, 10]
    assert step_speed(5, 1) == 10 and step_speed(5, -1) == 1 and step_speed(100, 1) == 100
    assert speed_label(0) == "paused" and speed_label(10) == "×10" and speed_label(1.5) == "×1.5"


def test_parse_speed() -> None:
    assert parse_speed("0") == 0 and parse_speed("10") == 10 and parse_speed("0.5") == 0.5
    for bad in ("fast", "-1", "nan", "1e9"):
        with pytest.raises(ValueError):
            parse_speed(bad)


def test_at_forms() -> None:
    assert parse_at("-10m", START, END, utc=True) == END - 600 * NS
    assert parse_at("14:02", START, END, utc=True) == _ns("2026-11-20T14:02:00")
    assert parse_at("14:02:30", START, END, utc=True) == _ns("2026-11-20T14:02:30")
    assert parse_at("2026-11-20T14:10", START, END, utc=True) == _ns("2026-11-20T14:10:00")
    assert parse_at("2026-11-20 14:10:00+00:00", START, END) == _ns("2026-11-20T14:10:00")
    # kept inside the recording
    assert parse_at("-5h", START, END, utc=True) == START
    assert parse_at("2027-01-01T00:00", START, END, utc=True) == END
    assert parse_at("09:00", START, END, utc=True) == START


def test_time_of_day_in_a_recording_over_days_is_the_last_one() -> None:
    end = _ns("2026-11-22T15:00:00")
    assert parse_at("14:00", START, end, utc=True) == _ns("2026-11-22T14:00:00")
    assert parse_at("16:00", START, end, utc=True) == _ns("2026-11-21T16:00:00")


def test_bad_times_are_one_line_errors() -> None:
    for bad, word in (("", "give a time"), ("25:00", "time of day"), ("soon", "not a time"),
                      ("-10", "unit"), ("-x", "duration")):
        with pytest.raises(ValueError, match=word):
            parse_at(bad, START, END, utc=True)


def test_format() -> None:
    assert format_replay_time(_ns("2026-11-20T14:02:11"), utc=True) == "2026-11-20 14:02:11"
