"""Live rates computed from the log stream: the API's series are hourly at best, so what moves
second by second during an incident (requests/s, bytes/s per status class) comes from here.

Buckets are keyed by the entries' own access time, not by arrival time, so a catch-up burst
lands in the seconds it happened in instead of showing as a spike.
"""

from __future__ import annotations

from collections.abc import Iterable

from tui.core.models import LogEntry, StatusClass

CLASSES = (StatusClass.S2XX, StatusClass.S3XX, StatusClass.S4XX, StatusClass.S5XX)
_INDEX = {c: i for i, c in enumerate(CLASSES)}
_OTHER = 4  # entries with no status class (1xx, unknown)
_CLASS_INDEX = {c.digit: i for i, c in enumerate(CLASSES)}  # status // 100 -> column


class RateWindow:
    """Per-bucket counts by status class and bytes, over a bounded trailing window."""

    def __init__(self, bucket_s: int = 1, keep_buckets: int = 600) -> None:
        self.bucket_s = bucket_s
        self.keep_buckets = keep_buckets
        # bucket start (s) -> [2xx, 3xx, 4xx, 5xx, other, bytes, misses]
        self._buckets: dict[int, list[int]] = {}
        self.newest_s = 0

    def add(self, entries: Iterable[LogEntry]) -> None:
        bs = self.bucket_s
        buckets = self._buckets
        newest = self.newest_s
        index = _CLASS_INDEX
        sec = -1  # entries come in time order: look the bucket up once per second, not per entry
        row: list[int] = []
        for e in entries:
            s = e.time_ns // 1_000_000_000
            if s != sec:
                sec = s
                b = s // bs * bs
                row = buckets.get(b)  # type: ignore[assignment]
                if row is None:
                    row = buckets[b] = [0, 0, 0, 0, 0, 0, 0]
                if b > newest:
                    newest = b
            status = e.status
            row[index.get(status // 100, _OTHER) if status else _OTHER] += 1
            row[5] += e.size
            cache = e.cache
            if cache and (cache == "MISS" or cache.upper() == "MISS"):
                row[6] += 1
        self.newest_s = newest
        self._trim()

    def _trim(self) -> None:
        oldest = self.newest_s - self.keep_buckets * self.bucket_s
        if len(self._buckets) > self.keep_buckets:
            for b in [b for b in self._buckets if b <= oldest]:
                del self._buckets[b]

    def bucket_starts(self, end_s: int, count: int) -> list[int]:
        """The `count` bucket starts ending with the bucket holding `end_s`, oldest first."""
        last = end_s // self.bucket_s * self.bucket_s
        return [last - (count - 1 - i) * self.bucket_s for i in range(count)]

    def counts(self, end_s: int, count: int, cls: StatusClass | None = None) -> list[int]:
        """Requests per bucket (all classes, or one)."""
        out = []
        for b in self.bucket_starts(end_s, count):
            row = self._buckets.get(b)
            if row is None:
                out.append(0)
            elif cls is None:
                out.append(row[0] + row[1] + row[2] + row[3] + row[4])
            else:
                out.append(row[_INDEX[cls]])
        return out

    def bytes(self, end_s: int, count: int) -> list[int]:
        return [self._buckets.get(b, (0,) * 7)[5] for b in self.bucket_starts(end_s, count)]

    def totals(self, start_s: int, end_s: int) -> dict[str, int]:
        """Sums over [start_s, end_s): per class, requests, bytes, misses.

        Looks up only the buckets of the range (a minute is 60 lookups, not a walk over the
        15 minutes kept): the alerts and the share labels ask several times a second."""
        bs = self.bucket_s
        buckets = self._buckets
        first = -(-start_s // bs) * bs  # the first bucket start >= start_s
        if end_s <= first:
            rows: Iterable[list[int] | None] = ()
        elif (end_s - first) // bs < len(buckets):
            rows = [buckets.get(b) for b in range(first, end_s, bs)]
        else:
            rows = [row for b, row in buckets.items() if start_s <= b < end_s]
        c2 = c3 = c4 = c5 = other = size = misses = 0
        for row in rows:
            if row is not None:
                c2 += row[0]
                c3 += row[1]
                c4 += row[2]
                c5 += row[3]
                other += row[4]
                size += row[5]
                misses += row[6]
        return {"2XX": c2, "3XX": c3, "4XX": c4, "5XX": c5, "other": other,
                "requests": c2 + c3 + c4 + c5 + other, "bytes": size, "misses": misses}

    def share(self, cls: StatusClass, start_s: int, end_s: int) -> float | None:
        """Fraction of requests in [start_s, end_s) of class `cls`; None with no requests."""
        t = self.totals(start_s, end_s)
        return t[cls.value] / t["requests"] if t["requests"] else None
