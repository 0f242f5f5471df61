"""The JSON Lines form of an entry: the fast writer says exactly what the general encoder says."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.logfmt import format_json
from tui.core.models import LogEntry

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(), inner, max_size=3), max_leaves=6)


def reference(e: LogEntry) -> str:
    return json.dumps(e.to_json_obj(), ensure_ascii=True, separators=(",", ":"), default=str)


@settings(max_examples=300, deadline=None)
@given(
    t=st.integers(min_value=0, max_value=2**70), status=st.integers(min_value=0, max_value=999),
    size=st.integers(min_value=0, max_value=2**80), method=st.text(), ip=st.text(), url=st.text(),
    country=st.text(max_size=4), cache=st.text(max_size=5),
    extra=st.dictionaries(st.text(), json_values, max_size=4),
    keys=st.sampled_from([{}, {"country": "country"}, {"cache": "cache"}, {"country": "c", "cache": "x"}]),
)
def test_same_text_as_the_general_encoder(t, status, size, method, ip, url, country, cache, extra, keys) -> None:
    e = LogEntry(t, status, method, ip, size, url, country, cache, extra, keys)
    line = format_json(e)
    assert line == reference(e)
    assert line.isascii() and "\n" not in line and json.loads(line)["url"] == url


def test_hostile_text_is_escaped_not_passed_through() -> None:
    e = LogEntry(1, 200, "GET", "1.2.3.4", 5, "https://x/\x1b]52;c;aGk=\x07\u202e\x00\ud800",
                 extra={"ua": "\x9b31m[bold]", 7: "non-str key", "n": [1, {"a": None}]})
    line = format_json(e)
    assert line == reference(e)
    assert all(0x20 <= ord(ch) < 0x7F for ch in line)


def test_values_of_other_types_fall_back_to_the_general_encoder() -> None:
    e = LogEntry(1.5, 200, None, "ip", 3, "u")  # type: ignore[arg-type]  # built by hand, not parsed
    assert format_json(e) == reference(e)


def test_remembered_escapes_give_the_same_text_and_stay_bounded() -> None:
    from tui.core import logfmt

    hostile = LogEntry(1, 200, "GET", "1.2.3.4", 5, "https://x/\x1b[2J\u202e\x00",
                       extra={"ua": "\x9b31m", "ref": "ok"})
    first = format_json(hostile)
    assert format_json(hostile) == first == reference(hostile)  # the second from memory
    for i in range(logfmt.ESCAPED_LIMIT + 10):
        e = LogEntry(i, 200, "GET", f"10.0.{i // 256}.{i % 256}", 1, f"/p/{i}")
        assert format_json(e) == reference(e)
    assert len(logfmt.ESCAPED) <= logfmt.ESCAPED_LIMIT
    assert format_json(hostile) == first
