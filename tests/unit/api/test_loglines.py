"""`parse_log_lines` (tui/api/loglines.py) writes, for any page, exactly the lines
`format_json` writes for the entries `parse_logs` reads, and raises what it raises.

Generated pages mix entries of the usual form (the compiled writer's) with every kind it must
hand to the general path: times as text, statuses out of range or as text, sizes as floats,
booleans, nulls, a host to join, odd keys, and text with controls, escapes, non-ASCII and lone
surrogates. Derandomised, so the run is the same every time."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.api import loglines
from tui.api.errors import UnexpectedResponse
from tui.api.loglines import LogLine, parse_log_lines
from tui.api.parse import parse_logs
from tui.core.logfmt import format_json

EP = "GET /cdn/data/cdn.example.com/logs"
NS = 1_796_195_656_137_000_000

SETTINGS = settings(max_examples=400, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

texts = st.one_of(
    st.sampled_from(["GET", "HIT", "MISS", "CN", "", "https://cdn.example.com/a.js",
                     "\x1b[31mred\x1b[0m", "[b]markup[/b]", "\u202eevil", "\ud800", "é中"]),
    st.text(max_size=12),
)
odd = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), texts,
                st.integers(min_value=-5, max_value=10**21),
                st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                      st.integers(), max_size=2))
times = st.one_of(st.integers(min_value=NS - 10**12, max_value=NS + 10**12),  # ns off range
                  st.integers(min_value=NS, max_value=NS + 10).map(str),  # digits
                  st.integers(min_value=NS // 10**9, max_value=NS // 10**6),  # s or ms
                  st.sampled_from([10**20, 10**17 - 1, "2026-12-01 10:00:00"]), odd)
statuses = st.one_of(st.sampled_from([200, 206, 304, 404, 499, 502, 503, 0, 999, -1, 1000]), odd)
sizes = st.one_of(st.integers(min_value=0, max_value=10**12), st.integers(-3, -1), odd)


def field(fine: Any, other: Any) -> Any:
    """Mostly the usual form (the compiled writer's), one time in ten anything else."""
    return st.integers(min_value=0, max_value=9).flatmap(lambda n: other if n == 0 else fine)


@st.composite
def entry(draw: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "path": draw(texts),
        "size": draw(field(st.integers(min_value=0, max_value=10**9), sizes)),
        "access_time": draw(field(st.integers(min_value=NS, max_value=NS + 10**9), times)),
        "code": draw(field(st.sampled_from([200, 304, 404, 503]), statuses)),
        "method": draw(field(texts, odd)),
        "ip": draw(field(texts, odd)),
    }
    for key in draw(st.lists(st.sampled_from(["country", "cache", "referer", "ua", "host",
                                              "x_trace", "Cache_Status"]), unique=True,
                             max_size=5)):
        raw[key] = draw(field(texts, odd))
    if draw(st.booleans()):  # another shape: the same fields under other names
        raw = {{"path": "url", "code": "status", "ip": "client_ip"}.get(k, k): v
               for k, v in raw.items()}
    return raw


pages = st.one_of(
    st.lists(entry(), max_size=8),
    st.lists(entry(), max_size=8).map(lambda d: {"data": d, "message": "ok"}),
    st.lists(entry(), max_size=4).map(lambda d: {"data": {"list": d}}),
)


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except UnexpectedResponse as e:
        return "error", str(e)


@SETTINGS
@given(pages)
def test_the_lines_are_format_json_of_the_entries(page: Any) -> None:
    got = _outcome(lambda: parse_log_lines(page, EP))
    want = _outcome(lambda: parse_logs(page, EP))
    assert got[0] == want[0], (got, want)
    if got[0] == "error":
        assert got[1] == want[1]
        return
    lines, entries = got[1], want[1]
    assert [ln.text for ln in lines] == [format_json(e) + "\n" for e in entries]
    assert [(ln.time_ns, ln.status) for ln in lines] == [(e.time_ns, e.status) for e in entries]


def test_the_usual_page_takes_the_compiled_writer() -> None:
    """The simulator's (and the documented) shape is written by the compiled writer, not
    entry by entry the general way; a line of every usual field, escaped."""
    raw = {"path": "https://cdn.example.com/a\x1b[2J.js", "size": 412880, "access_time": NS,
           "code": 503, "method": "GET", "ip": "223.67.225.6", "country": "CN",
           "referer": None, "ua": "Mozilla/5.0 \u202e", "cache": "MISS"}
    assert loglines._writer_for(tuple(raw)) is not None
    [line] = parse_log_lines({"data": [raw]}, EP)
    assert isinstance(line, LogLine) and (line.time_ns, line.status) == (NS, 503)
    assert line.text == (
        f'{{"time_ns":{NS},"status":503,"method":"GET","client_ip":"223.67.225.6",'
        '"size":412880,"url":"https://cdn.example.com/a\\u001b[2J.js","country":"CN",'
        '"cache":"MISS","extra":{"referer":null,"ua":"Mozilla/5.0 \\u202e"}}\n')


@pytest.mark.parametrize("raw", [
    {"access_time": str(NS), "code": 200},  # a time as digits
    {"access_time": NS, "code": "503"},  # a status as text
    {"access_time": NS, "code": 200, "size": 12.0},  # a size as a float
    {"access_time": NS, "host": "cdn.example.com", "path": "/a.js"},  # a host to join
    {"access_time": NS, "cache": True},  # a cache flag
])
def test_the_unusual_goes_the_general_way(raw: dict[str, Any]) -> None:
    [line] = parse_log_lines([raw], EP)
    [e] = parse_logs([raw], EP)
    assert line.text == format_json(e) + "\n"
