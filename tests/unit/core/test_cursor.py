"""LogCursor: every entry exactly once, in order, against inclusive AND exclusive servers.

The server here is a plain function over a sorted list (no mocks of our code): inclusive
returns entries with time >= start, exclusive time > start, oldest first, at most `limit`.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable

import pytest

from tui.core.cursor import MAX_LIMIT, RETENTION_S, LogCursor, clamp_start
from tui.core.models import LogEntry

Server = Callable[[int, int], list[LogEntry]]
SEMANTICS = ["inclusive", "exclusive"]


def entry(t: int, n: int) -> LogEntry:
    return LogEntry(time_ns=t, status=200, url=f"/e{n}", size=n)


def server(entries: list[LogEntry], semantics: str) -> Server:
    """A logs endpoint over `entries` (sorted by time; the list may grow between calls)."""

    def fetch(start: int, limit: int) -> list[LogEntry]:
        times = [e.time_ns for e in entries]
        find = bisect_left if semantics == "inclusive" else bisect_right
        i = find(times, start)
        return entries[i : i + limit]

    return fetch


def ids(entries: list[LogEntry]) -> list[int]:
    return [e.size for e in entries]


def drain(cursor: LogCursor, fetch: Server, max_pages: int = 10_000) -> tuple[list[LogEntry], int]:
    """Fetch while the cursor says `more`; return the delivered entries and the steps seen."""
    out: list[LogEntry] = []
    steps = 0
    for _ in range(max_pages):
        step = cursor.accept(fetch(cursor.request_start(), cursor.limit))
        out.extend(step.entries)
        steps += step.stepped
        if step.done or not step.more:
            return out, steps
    raise AssertionError("cursor did not settle: endless paging")


def random_truth(rng: random.Random, n: int, t0: int, spread: int) -> list[LogEntry]:
    times = sorted(t0 + rng.randrange(spread) for _ in range(n))
    return [entry(t, i) for i, t in enumerate(times)]


def first_per_timestamp(entries: list[LogEntry], limit: int) -> list[LogEntry]:
    seen: Counter[int] = Counter()
    out = []
    for e in entries:
        seen[e.time_ns] += 1
        if seen[e.time_ns] <= limit:
            out.append(e)
    return out


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_simple_stream_exactly_once(semantics: str) -> None:
    truth = [entry(1000 + i // 3, i) for i in range(50)]  # three entries per timestamp
    cursor = LogCursor(1000, limit=7)
    got, steps = drain(cursor, server(truth, semantics))
    assert ids(got) == ids(truth)
    assert steps == 0


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_equal_timestamps_straddling_page_boundaries(semantics: str) -> None:
    # limit 4; groups of 3 at each timestamp, so every page boundary cuts a group.
    truth = [entry(5000 + i // 3, i) for i in range(30)]
    cursor = LogCursor(5000, limit=4)
    got, _ = drain(cursor, server(truth, semantics))
    assert ids(got) == ids(truth)


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_start_is_inclusive_whatever_the_server(semantics: str) -> None:
    truth = [entry(99, 0), entry(100, 1), entry(100, 2), entry(101, 3)]
    got, _ = drain(LogCursor(100, limit=10), server(truth, semantics))
    assert ids(got) == [1, 2, 3]


def test_inclusive_server_with_crowded_previous_timestamp_does_not_loop() -> None:
    # 6 entries at T-1 and 6 at T with limit 10: asking from T-1 again and again would
    # return the same page forever. The cursor learns the server is inclusive.
    truth = [entry(10, i) for i in range(6)] + [entry(11, 6 + i) for i in range(6)]
    cursor = LogCursor(10, limit=10)
    got, steps = drain(cursor, server(truth, "inclusive"))
    assert ids(got) == list(range(12))
    assert steps == 0
    assert cursor.inclusive


def test_exclusive_server_is_never_taken_for_inclusive() -> None:
    truth = [entry(10 + i // 2, i) for i in range(40)]
    cursor = LogCursor(10, limit=3)
    got, _ = drain(cursor, server(truth, "exclusive"))
    assert ids(got) == ids(truth)
    assert not cursor.inclusive


@pytest.mark.parametrize("semantics", SEMANTICS)
@pytest.mark.parametrize("seed", range(150))
def test_property_random_pages_exactly_once(semantics: str, seed: int) -> None:
    rng = random.Random(seed)
    limit = rng.randint(2, 25)
    spread = rng.choice([1, 3, 10, 50, 1000])
    truth = random_truth(rng, rng.randrange(0, 300), 1_000_000, spread)
    # No timestamp may hold `limit` entries here: then nothing may be lost at all.
    counts = Counter(e.time_ns for e in truth)
    truth = [e for e in truth if counts[e.time_ns] < limit]
    got, steps = drain(LogCursor(1_000_000, limit=limit), server(truth, semantics))
    assert ids(got) == ids(truth)
    assert steps == 0


@pytest.mark.parametrize("semantics", SEMANTICS)
@pytest.mark.parametrize("seed", range(100))
def test_property_growing_stream_with_crowded_timestamps(semantics: str, seed: int) -> None:
    """Entries arrive between polls (also at the current timestamp); some timestamps hold
    more than a page. Delivered: the first `limit` of each timestamp, once, in order."""
    rng = random.Random(10_000 + seed)
    limit = rng.randint(1, 12)
    final = random_truth(rng, rng.randrange(1, 250), 7_000, rng.choice([2, 5, 20, 200]))
    visible: list[LogEntry] = []
    fetch = server(visible, semantics)
    cursor = LogCursor(7_000, limit=limit)
    got: list[LogEntry] = []
    steps = 0
    pos = 0
    while pos < len(final):
        n = rng.randint(0, 2 * limit)
        visible.extend(final[pos : pos + n])
        pos += n
        more, step_count = drain(cursor, fetch)
        got.extend(more)
        steps += step_count
    more, step_count = drain(cursor, fetch)
    got.extend(more)
    steps += step_count
    assert ids(got) == ids(first_per_timestamp(final, limit))
    crowded = max(Counter(e.time_ns for e in final).values()) >= limit
    assert (steps > 0) == crowded


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_full_page_of_one_timestamp_steps_past_it(semantics: str) -> None:
    truth = [entry(500, i) for i in range(25)] + [entry(501, 25), entry(502, 26)]
    cursor = LogCursor(500, limit=10)
    fetch = server(truth, semantics)
    step = cursor.accept(fetch(cursor.request_start(), cursor.limit))
    assert step.stepped
    assert ids(step.entries) == list(range(10))
    assert step.more
    assert step.note and "500" in step.note and "missing" in step.note
    assert cursor.position == (501, 0)
    rest, steps = drain(cursor, fetch)
    assert ids(rest) == [25, 26]
    assert steps == 0
    assert cursor.steps == 1


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_step_after_partial_delivery_at_that_timestamp(semantics: str) -> None:
    visible = [entry(1, 0), entry(2, 1), entry(2, 2)]
    fetch = server(visible, semantics)
    cursor = LogCursor(1, limit=4)
    got, _ = drain(cursor, fetch)
    assert ids(got) == [0, 1, 2]
    visible.extend(entry(2, 3 + i) for i in range(6))  # timestamp 2 now holds 8 > limit
    visible.append(entry(3, 99))
    more, steps = drain(cursor, fetch)
    assert steps == 1
    assert ids(more) == [3, 4, 99]  # the first 4 at t=2 in all, then on


@pytest.mark.parametrize("semantics", SEMANTICS)
@pytest.mark.parametrize("seed", range(60))
def test_until_one_shot_delivers_up_to_until_and_ends(semantics: str, seed: int) -> None:
    rng = random.Random(50_000 + seed)
    limit = rng.randint(2, 15)
    truth = random_truth(rng, rng.randrange(0, 200), 100, 60)
    counts = Counter(e.time_ns for e in truth)
    truth = [e for e in truth if counts[e.time_ns] < limit]
    until = rng.randrange(90, 170)
    cursor = LogCursor(100, limit=limit, until_ns=until)
    got, _ = drain(cursor, server(truth, semantics))
    assert ids(got) == ids([e for e in truth if e.time_ns <= until])


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_until_ends_even_when_entries_arrive_faster_than_it_reads(semantics: str) -> None:
    visible = [entry(10 + i, i) for i in range(20)]
    fetch_visible = server(visible, semantics)
    counter = [20]

    def fetch(start: int, limit: int) -> list[LogEntry]:
        for _ in range(3 * limit):  # the stream grows faster than one page per call
            visible.append(entry(10 + counter[0], counter[0]))
            counter[0] += 1
        return fetch_visible(start, limit)

    cursor = LogCursor(10, limit=5, until_ns=29)
    got, _ = drain(cursor, fetch, max_pages=100)
    assert ids(got) == list(range(20))
    assert cursor.pages < 10


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_until_done_flags(semantics: str) -> None:
    truth = [entry(t, t) for t in range(1, 11)]
    fetch = server(truth, semantics)
    # A not-full page while before until: done (caught up; until is the command's start).
    c = LogCursor(1, limit=100, until_ns=50)
    step = c.accept(fetch(c.request_start(), c.limit))
    assert step.done and not step.more and len(step.entries) == 10
    # A full page that passes until: done, entries after until withheld.
    c = LogCursor(1, limit=8, until_ns=5)
    step = c.accept(fetch(c.request_start(), c.limit))
    assert step.done and not step.more
    assert ids(step.entries) == [1, 2, 3, 4, 5]
    # A full page that stays before until: more, not done.
    c = LogCursor(1, limit=3, until_ns=9)
    step = c.accept(fetch(c.request_start(), c.limit))
    assert step.more and not step.done


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_until_inside_a_crowded_timestamp(semantics: str) -> None:
    truth = [entry(7, i) for i in range(5)] + [entry(8, 5 + i) for i in range(5)]
    c = LogCursor(0, limit=3, until_ns=7)
    got, _ = drain(c, server(truth, semantics))
    assert ids(got) == [0, 1, 2]  # stepped past t=7 (a full page of one timestamp)
    c = LogCursor(0, limit=6, until_ns=7)
    got, steps = drain(c, server(truth, semantics))
    assert ids(got) == [0, 1, 2, 3, 4]
    assert steps == 0


@pytest.mark.parametrize("semantics", SEMANTICS)
def test_horizon_holds_entries_back_until_it_moves(semantics: str) -> None:
    truth = [entry(t, t) for t in range(100, 120)]
    fetch = server(truth, semantics)
    c = LogCursor(100, limit=50)
    step = c.accept(fetch(c.request_start(), c.limit), horizon_ns=109)
    assert ids(step.entries) == list(range(100, 110))
    assert not step.more and not step.done
    step = c.accept(fetch(c.request_start(), c.limit), horizon_ns=115)
    assert ids(step.entries) == list(range(110, 116))
    step = c.accept(fetch(c.request_start(), c.limit), horizon_ns=10**6)
    assert ids(step.entries) == list(range(116, 120))


def test_unsorted_page_is_put_in_time_order() -> None:
    c = LogCursor(0, limit=10)
    page = [entry(3, 0), entry(1, 1), entry(2, 2), entry(1, 3)]
    step = c.accept(page)
    assert ids(step.entries) == [1, 3, 2, 0]


def test_server_ignoring_start_does_not_spin() -> None:
    truth = [entry(t, t) for t in range(1, 20)]

    def broken(start: int, limit: int) -> list[LogEntry]:
        return truth[:limit]

    c = LogCursor(1, limit=5)
    got, _ = drain(c, broken, max_pages=50)
    assert ids(got) == [1, 2, 3, 4, 5]
    step = c.accept(broken(c.request_start(), c.limit))
    assert step.entries == [] and not step.more


def test_request_start_never_negative_and_limit_checked() -> None:
    assert LogCursor(0).request_start() == 0
    assert LogCursor(10).request_start() == 9
    with pytest.raises(ValueError):
        LogCursor(0, limit=0)
    with pytest.raises(ValueError):
        LogCursor(0, limit=MAX_LIMIT + 1)


def test_empty_page_changes_nothing() -> None:
    c = LogCursor(42, limit=10)
    step = c.accept([])
    assert step.entries == [] and not step.more and not step.done and not step.stepped
    assert c.position == (42, 0)


NOW = 1_800_000_000 * 10**9


def test_clamp_start_inside_retention_is_unchanged() -> None:
    start = NOW - 3600 * 10**9
    assert clamp_start(start, NOW) == (start, None)


def test_clamp_start_older_than_retention() -> None:
    start, warning = clamp_start(NOW - 4 * 86400 * 10**9, NOW)
    assert start == NOW - RETENTION_S * 10**9
    assert warning and "3 days" in warning


def test_clamp_start_hints_at_seconds() -> None:
    start, warning = clamp_start(1_723_046_499, NOW)
    assert start == NOW - RETENTION_S * 10**9
    assert warning and "looks like seconds" in warning


def test_clamp_start_future_and_custom_retention() -> None:
    start, warning = clamp_start(NOW + 10**9, NOW)
    assert start == NOW and warning and "future" in warning
    start, warning = clamp_start(NOW - 7200 * 10**9, NOW, retention_s=3600)
    assert start == NOW - 3600 * 10**9 and warning
