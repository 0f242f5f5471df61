"""`--codes` with classes and exact codes (tui/core/statuscodes.py): the class to ask the
API for and the local filter."""

from __future__ import annotations

import pytest

from tui.core.models import LogEntry
from tui.core.statuscodes import ALL, CodesError, parse_codes


@pytest.mark.parametrize(("text", "ask", "label"), [
    ("ALL", "ALL", "ALL"), ("all", "ALL", "ALL"), ("5XX", "5XX", "5XX"), ("5xx", "5XX", "5XX"),
    ("404", "4XX", "404"), ("404,403", "4XX", "403,404"), ("404, 503", "ALL", "404,503"),
    ("5XX,404", "ALL", "5XX,404"), ("5xx,503", "5XX", "5XX"), ("4XX,404", "4XX", "4XX"),
    ("2XX,3XX,4XX,5XX", "ALL", "ALL"), ("5XX,ALL", "ALL", "ALL"), ("101", "ALL", "101"),
    ("200,", "2XX", "200"),
])  # fmt: skip
def test_the_narrowest_class_is_asked(text: str, ask: str, label: str) -> None:
    sel = parse_codes(text)
    assert sel.request_class == ask and sel.label() == label


@pytest.mark.parametrize("bad", ["", ",", "6XX", "1XX", "40", "4040", "600", "099", "x",
                                 "5XX;404", "٤٠٤", "4\x1b[31m"])
def test_bad_values_are_refused_in_one_line(bad: str) -> None:
    with pytest.raises(CodesError) as info:
        parse_codes(bad)
    text = str(info.value)
    assert "\n" not in text and "\x1b" not in text and "5XX,404" in text


def _e(status: int) -> LogEntry:
    return LogEntry(time_ns=1, status=status)


def test_the_local_filter_keeps_exactly_the_selection() -> None:
    entries = [_e(s) for s in (200, 404, 403, 500, 503, 504, 0)]
    assert [e.status for e in parse_codes("404,503").keep(entries)] == [404, 503]
    assert [e.status for e in parse_codes("5XX,404").keep(entries)] == [404, 500, 503, 504]
    # whole classes: what the server chose and we could not read (status 0) stays
    assert [e.status for e in parse_codes("5XX").keep(entries)] == [500, 503, 504, 0]
    assert ALL.keep(entries) == entries and parse_codes("ALL") == ALL


def test_the_predicate() -> None:
    sel = parse_codes("5XX,404")
    assert sel.matches(404) and sel.matches(599) and not sel.matches(403)
    assert not sel.matches(0) and ALL.matches(0)
