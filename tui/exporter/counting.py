"""The log tail's sink in the exporter: counts every entry once, keeps none of them.

Each label takes a bounded set of values whatever the data say (a hostile or broken log
cannot grow the number of series): a status class is `1XX`..`5XX` or `other`, an exact status
is a code 100-599 or `other`, a cache status is `HIT`, `MISS` or `other`.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter

from tui.core.models import LogEntry

STATUS_CLASSES = ("1XX", "2XX", "3XX", "4XX", "5XX", "other")
CACHE_VALUES = ("HIT", "MISS", "other")
_CLASS_OF = {1: "1XX", 2: "2XX", 3: "3XX", 4: "4XX", 5: "5XX"}
_STATUS, _SIZE, _CACHE = attrgetter("status"), attrgetter("size"), attrgetter("cache")


def status_class(status: int) -> str:
    """`2XX` for 200-299 and so on; `other` for anything outside 100-599 (0: no status)."""
    return _CLASS_OF.get(status // 100, "other") if 100 <= status <= 599 else "other"


def status_label(status: int) -> str:
    """The exact code as text, or `other` outside 100-599 (bounded: at most 501 values)."""
    return str(status) if 100 <= status <= 599 else "other"


def cache_label(entry: LogEntry) -> str | None:
    """HIT, MISS or other; None when the entry carries no cache status at all (the console's
    log table has none: docs/api.md), so an absent field is never counted as a miss."""
    raw = entry.cache
    if not raw and "cache" not in entry.source_keys:
        return None
    return _cache_value(raw)


def _cache_value(raw: str) -> str:
    value = raw.strip().upper()
    return value if value in ("HIT", "MISS") else "other"


@dataclass
class LogCounts:
    """The counters of one domain, fed from the tail's thread, read by scrapes in others."""

    requests: Counter[str] = field(default_factory=Counter)  # status class -> entries
    response_bytes: Counter[str] = field(default_factory=Counter)  # status class -> bytes
    by_status: Counter[str] = field(default_factory=Counter)  # exact code -> entries
    cache: Counter[str] = field(default_factory=Counter)  # HIT/MISS/other -> entries
    entries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, entries: list[LogEntry]) -> None:
        """The sink of `DomainState.counting` (tui/live/state.py): called once per batch the
        tail delivers, and the tail delivers each entry once.

        Counted per distinct raw value first (C-level `Counter`s over the batch), labelled
        after: a batch of 1000 entries has a dozen statuses and three cache values, so the
        label functions run a dozen times, not 3000 (the tail holds the GIL meanwhile, and a
        scrape waits for it)."""
        statuses = [s if isinstance(s, int) else 0 for s in map(_STATUS, entries)]
        size_of: dict[int, int] = {}  # raw status -> bytes
        for status, size in zip(statuses, map(_SIZE, entries), strict=True):
            if isinstance(size, int) and size > 0:
                size_of[status] = size_of.get(status, 0) + size
        req: Counter[str] = Counter()
        size: Counter[str] = Counter()
        codes: Counter[str] = Counter()
        for status, n in Counter(statuses).items():
            cls = status_class(status)
            req[cls] += n
            size[cls] += size_of.get(status, 0)
            codes[status_label(status)] += n
        cache: Counter[str] = Counter()
        for raw, n in Counter(map(_CACHE, entries)).items():
            if raw:
                cache[_cache_value(raw)] += n
            else:  # empty: counted (as other) only where the entry has a cache field at all
                keyed = sum(1 for e in entries if e.cache == raw and "cache" in e.source_keys)
                if keyed:
                    cache["other"] += keyed
        with self.lock:
            self.requests.update(req)
            self.response_bytes.update(size)
            self.by_status.update(codes)
            self.cache.update(cache)
            self.entries += len(entries)

    def snapshot(self) -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
        """Copies taken under the lock: a scrape never sees half a batch."""
        with self.lock:
            return (dict(self.requests), dict(self.response_bytes), dict(self.by_status),
                    dict(self.cache))
