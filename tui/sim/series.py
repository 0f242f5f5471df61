"""The four time series, consistent with the logs.

edge requests = entries, edge traffic = sum of their sizes, origin requests = entries that
were a cache MISS, origin traffic = sum of the sizes of those MISS entries.

Which numbers are exact: seconds inside the exact window (the last `exact_series_s`
seconds before now, default 1 h, shortened so it holds about `exact_series_budget`
expected entries at high rates, never under 60 s) are summed from the generated entries
themselves (refresh MISSes included), so they match `truth()` exactly. Older seconds use
the rate model's expectation (the generated counts scatter around it by Poisson noise;
real refreshes are not reflected there). Injected entries are not counted.

Buckets are aligned to UTC (hour, day, calendar month). A bucket is returned when it
starts at or before `end_time` and ends after `start_time`, and starts at or before now;
its value covers the whole bucket up to now, so the current bucket is partial. Values are
integers. Assumption: the vendor's alignment (UTC or China time) is not documented.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from .logs import CACHE, CODE, NS, SIZE, URL, LogStore, T
from .model import RateModel, Sums

MAX_BUCKETS = 5000
_HOUR, _DAY = 3600, 86400


def bucket_starts(period: str, start_s: int, end_s: int, last_s: int) -> list[tuple[int, int]]:
    """[(bucket start, bucket end)] per the rule in the module docstring."""
    hi = min(end_s, last_s)
    out: list[tuple[int, int]] = []
    if period in ("hourly", "daily"):
        width = _HOUR if period == "hourly" else _DAY
        b = start_s - start_s % width
        while b <= hi:
            out.append((b, b + width))
            b += width
            if len(out) > MAX_BUCKETS:
                break
        return out
    d = datetime.fromtimestamp(start_s, UTC)
    y, m = d.year, d.month
    while True:
        b = int(datetime(y, m, 1, tzinfo=UTC).timestamp())
        y2, m2 = (y + 1, 1) if m == 12 else (y, m + 1)
        e = int(datetime(y2, m2, 1, tzinfo=UTC).timestamp())
        if b > hi or len(out) > MAX_BUCKETS:
            return out
        out.append((b, e))
        y, m = y2, m2


def bucket_count(period: str, start_s: int, end_s: int) -> int:
    if period == "hourly":
        return (end_s - start_s) // _HOUR + 2
    if period == "daily":
        return (end_s - start_s) // _DAY + 2
    return (end_s - start_s) // (28 * _DAY) + 2


class SeriesBuilder:
    """Sums per bucket: exact in the recent window, expectation before it."""

    def __init__(self, model: RateModel, store: LogStore, exact_s: int,
                 forced_miss_for: Callable[[int, int], Callable[[int, str], bool] | None],
                 refresh_version: Callable[[], int]):
        self._model = model
        self._store = store
        self.exact_s = exact_s
        self._forced_miss_for = forced_miss_for
        self._refresh_version = refresh_version
        self._sums: dict[tuple[str, int], Sums] = {}
        self._sums_version = -1
        self._lock = threading.Lock()

    def _second_sums(self, domain: str, s: int, upto_ns: int) -> Sums:
        """Exact sums of second s, counting entries with access_time <= upto_ns."""
        complete = upto_ns >= (s + 1) * NS - 1
        version = self._refresh_version()
        key = (domain, s)
        if complete:
            with self._lock:
                if self._sums_version != version:
                    self._sums.clear()
                    self._sums_version = version
                got = self._sums.get(key)
            if got is not None:
                return got
        fm = self._forced_miss_for(s * NS, (s + 1) * NS - 1)
        n = b = mn = mb = 0
        rewrite = self._store.rewrite
        for row in self._store.second(domain, s):
            if rewrite is not None:
                row = rewrite(row)
            t = row[T]
            if t > upto_ns:
                break
            size = row[SIZE]
            n += 1
            b += size
            miss = row[CACHE] == "MISS" or (
                fm is not None and 200 <= row[CODE] < 400 and fm(t, row[URL])
            )
            if miss:
                mn += 1
                mb += size
        got = (n, b, mn, mb)
        if complete:
            with self._lock:
                if self._sums_version == version:
                    if len(self._sums) > 200_000:
                        self._sums.clear()
                    self._sums[key] = got
        return got

    def sums(self, domain: str, a: int, b: int, now_ns: int) -> Sums:
        """Sums over whole seconds [a, b), nothing after now_ns."""
        now_s = now_ns // NS
        b = min(b, now_s + 1)
        if b <= a:
            return 0.0, 0.0, 0.0, 0.0
        exact_from = min(b, max(a, now_s - self.exact_s + 1))
        acc = list(self._model.expected(a, exact_from)) if exact_from > a else [0.0] * 4
        for s in range(exact_from, b):
            for i, v in enumerate(self._second_sums(domain, s, now_ns)):
                acc[i] += v
        return acc[0], acc[1], acc[2], acc[3]

    def series(self, domain: str, metric: str, start_s: int, end_s: int, period: str,
               now_ns: int) -> list[dict[str, int]]:
        index = {"request": 0, "traffic": 1, "request_origin": 2, "traffic_origin": 3}[metric]
        out = []
        for b0, b1 in bucket_starts(period, start_s, end_s, now_ns // NS):
            value = self.sums(domain, b0, b1, now_ns)[index]
            out.append({"time": b0, "value": int(round(value))})
        return out
