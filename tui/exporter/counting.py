"""The log tail's sink in the exporter: counts every entry once, keeps none of them.

Each label takes a bounded set of values whatever the data say (a hostile or broken log
cannot grow the number of series): a status class is `1XX`..`5XX` or `other`, an exact status
is a code 100-599 or `other`, a cache status is `HIT`, `MISS` or `other`.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from tui.core.models import LogEntry

STATUS_CLASSES = ("1XX", "2XX", "3XX", "4XX", "5XX", "other")
CACHE_VALUES = ("HIT", "MISS", "other")
_CLASS_OF = {1: "1XX", 2: "2XX", 3: "3XX", 4: "4XX", 5: "5XX"}


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
        tail delivers, and the tail delivers each entry once."""
        req: Counter[str] = Counter()
        size: Counter[str] = Counter()
        codes: Counter[str] = Counter()
        cache: Counter[str] = Counter()
        for e in entries:
            status = e.status if isinstance(e.status, int) else 0
            cls = status_class(status)
            req[cls] += 1
            size[cls] += max(0, e.size) if isinstance(e.size, int) else 0
            codes[status_label(status)] += 1
            c = cache_label(e)
            if c is not None:
                cache[c] += 1
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
