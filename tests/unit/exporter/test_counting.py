"""The exporter's sink: every entry counted once, every label bounded whatever the data say."""

from __future__ import annotations

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.exporter.counting import LogCounts, cache_label, status_class, status_label
from tui.live.state import DomainState


def entry(t: int, status: int = 200, size: int = 10, cache: str | None = "HIT") -> LogEntry:
    keys = {"time_ns": "access_time", "status": "code", "size": "size"}
    if cache is not None:
        keys["cache"] = "cache"
    return LogEntry(time_ns=t, status=status, size=size, cache=cache or "", source_keys=keys)


def test_status_classes_and_codes_are_bounded() -> None:
    assert [status_class(s) for s in (100, 199, 200, 304, 404, 503, 599)] == [
        "1XX", "1XX", "2XX", "3XX", "4XX", "5XX", "5XX"]
    for odd in (0, -1, 99, 600, 999, 10**12):
        assert status_class(odd) == "other"
        assert status_label(odd) == "other"
    assert status_label(404) == "404"


def test_cache_is_hit_miss_other_and_absent_is_not_counted() -> None:
    assert cache_label(entry(1, cache="hit")) == "HIT"
    assert cache_label(entry(1, cache=" MISS ")) == "MISS"
    assert cache_label(entry(1, cache="TCP_REFRESH_HIT\x1b[2J")) == "other"
    assert cache_label(entry(1, cache="")) == "other"  # the field is there, empty
    assert cache_label(entry(1, cache=None)) is None  # no cache field at all


def test_counts_add_up_per_class_code_bytes_and_cache() -> None:
    c = LogCounts()
    c.add([entry(1, 200, 100), entry(2, 206, 50, "MISS"), entry(3, 503, 7, None),
           entry(4, 0, 3), entry(5, 1234, 1)])
    c.add([entry(6, 404, 9)])
    req, size, codes, cache = c.snapshot()
    assert req == {"2XX": 2, "5XX": 1, "other": 2, "4XX": 1}
    assert size == {"2XX": 150, "5XX": 7, "other": 4, "4XX": 9}
    assert codes == {"200": 1, "206": 1, "503": 1, "other": 2, "404": 1}
    assert cache == {"HIT": 4, "MISS": 1}  # the entry without a cache field is not in it
    assert c.entries == 6


def test_a_counting_state_hands_entries_to_its_sink_and_keeps_no_buffer() -> None:
    c = LogCounts()
    st = DomainState.counting("cdn.example.com", c.add)
    st.ingest([entry(1_000, 200), entry(2_000, 500)])
    assert st.buffer is None
    assert c.entries == 2 and st.received == 2 and st.newest_ns == 2_000
    assert st.rates.counts(0, 1) == [0]  # the rate windows are not fed either


def test_the_dashboard_state_still_fills_its_buffer_and_rates() -> None:
    st = DomainState("cdn.example.com", LogBuffer(100))
    st.ingest([entry(1_000_000_000, 200), entry(1_500_000_000, 500)])
    assert len(st.buffer) == 2 and st.pending_new == 2
    assert st.rates.counts(1, 1) == [2]


def test_a_batch_of_odd_values_counts_as_entry_by_entry() -> None:
    """Counted per distinct value, labelled after: the same totals as one entry at a time,
    whatever the types (a status that is not an int is 0, a size that is not a positive int
    adds nothing, an empty cache status is `other` only where the entry has the field)."""
    odd = [
        LogEntry(time_ns=1, status="200", size=5),  # type: ignore[arg-type]
        LogEntry(time_ns=2, status=None, size=-5),  # type: ignore[arg-type]
        LogEntry(time_ns=3, status=True, size=2.5),  # type: ignore[arg-type]
        LogEntry(time_ns=4, status=404, size="12"),  # type: ignore[arg-type]
        LogEntry(time_ns=5, status=404, size=True),  # type: ignore[arg-type]
    ]
    batch = [*odd, entry(6, 200, 7, "hit"), entry(7, 200, 3, " miss "), entry(8, 302, 4, ""),
             entry(9, 302, 4, None), entry(10, 200, 0, "EXPIRED")]
    one, each = LogCounts(), LogCounts()
    one.add(batch)
    for e in batch:
        each.add([e])
    assert one.snapshot() == each.snapshot()
    req, size, codes, cache = one.snapshot()
    assert req == {"other": 3, "4XX": 2, "2XX": 3, "3XX": 2}
    assert size == {"other": 5, "4XX": 1, "2XX": 10, "3XX": 8}
    assert codes == {"other": 3, "404": 2, "200": 3, "302": 2}
    assert cache == {"HIT": 1, "MISS": 1, "other": 2}  # "" with the field, EXPIRED
    assert one.entries == each.entries == 10
