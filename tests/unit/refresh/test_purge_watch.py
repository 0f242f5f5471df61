"""The dashboard's feed of the purge tracker (tui/refresh/watch.py): what it reads of each
batch of new entries while nothing is tracked, and that a track still sees every entry."""

from __future__ import annotations

from pathlib import Path

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.refresh.watch import SAMPLE, PurgeWatch

NS = 1_000_000_000
T0 = 1_717_000_000 * NS
D = "cdn.example.com"
APP = f"https://{D}/static/app.js"


def batch(first_s: int, n: int, cache: str = "HIT") -> list[LogEntry]:
    return [LogEntry(time_ns=T0 + (first_s + i) * NS, status=200, url=APP, cache=cache)
            for i in range(n)]


def watch(tmp_path: Path) -> PurgeWatch:
    return PurgeWatch(tmp_path, window_s=600, needed=3, clock_ns=lambda: T0 + 2500 * NS)


def test_with_nothing_tracked_entries_are_read_only_until_a_cache_status_shows(
        tmp_path: Path) -> None:
    w, buf = watch(tmp_path), LogBuffer(100_000)
    for k in range(20):  # a catch-up: batch after batch, nothing tracked
        buf.extend(batch(k * 1000, 1000))
        w.arrived(D, buf)
    assert w.tracker.stream_has_cache(D) is True
    # the first batch's sample told it; the 19 batches after it were not read
    assert w.tracker.stream[D] == [SAMPLE, SAMPLE]


def test_a_stream_without_cache_status_is_sampled_until_one_shows(tmp_path: Path) -> None:
    w, buf = watch(tmp_path), LogBuffer(100_000)
    for k in range(3):
        buf.extend(batch(k * 100, 100, cache=""))
        w.arrived(D, buf)
    assert w.tracker.stream_has_cache(D) is False
    assert w.tracker.stream[D] == [3 * SAMPLE, 0]
    buf.extend(batch(300, 100, cache="MISS"))
    w.arrived(D, buf)
    assert w.tracker.stream_has_cache(D) is True


def test_a_track_started_after_the_sampling_stopped_sees_every_later_entry(
        tmp_path: Path) -> None:
    w, buf = watch(tmp_path), LogBuffer(100_000)
    buf.extend(batch(0, 1000))
    w.arrived(D, buf)
    buf.extend(batch(1000, 1000))
    w.arrived(D, buf)  # not read: nothing tracked, the stream is known to carry a status
    tr = w.tracker.track(D, [("url", APP)], T0 + 2000 * NS)
    buf.extend(batch(2000, 500, cache="MISS"))
    w.arrived(D, buf)
    assert tr.after.requests == 500
    assert w.tracker.stream[D] == [SAMPLE + 500, SAMPLE + 500]
