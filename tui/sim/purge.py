"""What a refresh does at the edge, and the opt-in modes the purge checks need.

Refill (on by default, `SimConfig.refresh_refill`, 2): after an accepted refresh, the first
`refill` 2xx/3xx requests of each refreshed URL (query ignored), or of each URL under a
refreshed directory, are a cache MISS (the edge fetches the object again); later requests
are as before (mostly HIT: the edge holds it again). The effect is looked for during
`refresh_miss_s` after the refresh (a URL nobody asks for in that time is taken as refilled
by then, a simplification). `refresh_refill = 0` restores the older model: every 2xx/3xx
request misses for `refresh_miss_s`. Which requests are "the first" is decided by scanning
the generated entries from the refresh on, so it is the same for every query pattern.

Opt-in modes (`SimConfig`, `s4top simulate` flags, `POST /_sim/purge`), all off by default
so that the logs stay as they were:

- `cached_error`: CACHED_ERROR_PATH was cached as a 404 (an upload race): its 2xx/3xx
  requests answer 404 HIT until a refresh covers it, then 200 MISS once, then 200 HIT.
- `no_cache_status`: log entries carry no cache status (the key is absent from the wire),
  as in the vendor console, which has no cache column.
- `no_purge`: a refresh is accepted ("ok") but purges nothing (recorded with
  `applied: false`, fault `no_purge`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .catalog import SIZE_404
from .logs import CACHE, CODE, METHOD, NS, SIZE, URL, LogStore, Row, T
from .refresh import Overlay

CACHED_ERROR_PATH = "/data/prices.json"
CACHED_ERROR_SIZE = 12_774  # the object's real size (catalog.py)
_SCAN_LIMIT_S = 3600  # the cached-error object's first request is looked for this long
MODES = ("cached_error", "no_cache_status", "no_purge")


@dataclass
class PurgeModes:
    """The opt-in modes in force (mutable: `POST /_sim/purge` changes them while running)."""

    refill: int = 2
    cached_error: bool = False
    no_cache_status: bool = False
    no_purge: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"refill": self.refill, "cached_error": self.cached_error,
                "no_cache_status": self.no_cache_status, "no_purge": self.no_purge}

    def update(self, obj: Any) -> None:
        """Apply `{"refill": 2, "cached_error": true, ...}`; ValueError names a bad key."""
        if not isinstance(obj, dict):
            raise ValueError("body must be a JSON object")
        for k, v in obj.items():
            if k == "refill":
                if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 1000:
                    raise ValueError("refill must be a whole number 0-1000")
            elif k in MODES:
                if not isinstance(v, bool):
                    raise ValueError(f"{k} must be true or false")
            else:
                raise ValueError(f"unknown purge mode {str(k)[:40]!r}")
        for k, v in obj.items():
            setattr(self, k, v)


def _is_ok(code: int) -> bool:
    return 200 <= code < 400


def _domain_of(key: str) -> str:
    return key.split("/", 1)[0]


class Refill:
    """Answers 'is this 2xx/3xx entry one of the first requests after a refresh?'."""

    def __init__(self, store: LogStore, key: Callable[[str], str], refill: Callable[[], int],
                 skip: Callable[[str], bool]):
        self._store = store
        self._key = key
        self._refill = refill
        self._skip = skip  # keys handled elsewhere (the cached-error object)
        self._lock = threading.Lock()
        # (overlay, domain) -> [next second to scan, {key: first timestamps}]
        self._scans: dict[tuple[Overlay, str], list[Any]] = {}

    def forced(self, overlays: list[Overlay], t: int, url: str) -> bool:
        key = self._key(url)
        if self._skip(key):
            return False
        for o in overlays:
            if o.start_ns <= t < o.end_ns and o.matches(key) and t in self._firsts(o, key, t):
                return True
        return False

    def _firsts(self, o: Overlay, key: str, t: int) -> list[int]:
        domain = _domain_of(key)
        k = max(1, self._refill())
        with self._lock:
            scan = self._scans.get((o, domain))
            if scan is None:
                if len(self._scans) > 1000:
                    self._scans.clear()
                scan = self._scans[(o, domain)] = [o.start_ns // NS, {}]
            firsts: dict[str, list[int]] = scan[1]
            upto = min(t, o.end_ns - 1) // NS
            while scan[0] <= upto:
                for row in self._store.second(domain, scan[0]):
                    if row[T] < o.start_ns or not _is_ok(row[CODE]):
                        continue
                    rk = self._key(row[URL])
                    if o.matches(rk):
                        got = firsts.setdefault(rk, [])
                        if len(got) < k:
                            got.append(row[T])
                scan[0] += 1
            return firsts.get(key, [])


class CachedError:
    """The cached-error object: 404 HIT until refreshed, then 200 MISS once, then 200 HIT."""

    def __init__(self, store: LogStore, key: Callable[[str], str],
                 overlays: Callable[[], list[Overlay]]):
        self._store = store
        self._key = key
        self._overlays = overlays
        self._lock = threading.Lock()
        self._first: dict[tuple[str, int], int | None] = {}  # (domain, refresh) -> first t

    def is_key(self, key: str) -> bool:
        return key.endswith(CACHED_ERROR_PATH) and key.count("/") == CACHED_ERROR_PATH.count("/")

    def _refreshed_at(self, key: str) -> int | None:
        starts = [o.start_ns for o in self._overlays() if o.matches(key)]
        return min(starts) if starts else None

    def _first_after(self, domain: str, t0: int, key: str) -> int | None:
        with self._lock:
            if (domain, t0) in self._first:
                return self._first[(domain, t0)]
        found = None
        for s in range(t0 // NS, t0 // NS + _SCAN_LIMIT_S):
            for row in self._store.second(domain, s):
                if row[T] >= t0 and _is_ok(row[CODE]) and self._key(row[URL]) == key:
                    found = row[T]
                    break
            if found is not None:
                break
        with self._lock:
            self._first[(domain, t0)] = found
        return found

    def rewrite(self, row: Row) -> Row:
        """The row as the cached-error object answers it (other rows unchanged)."""
        if len(row) == 2 or not _is_ok(row[CODE]) or CACHED_ERROR_PATH not in row[URL]:
            return row
        key = self._key(row[URL])
        if not self.is_key(key):
            return row
        t0 = self._refreshed_at(key)
        head = row[METHOD] == "HEAD"
        if t0 is None or row[T] < t0:
            return (*row[:CODE], 404, *row[CODE + 1:SIZE], 0 if head else SIZE_404, "HIT",
                    *row[CACHE + 1:])
        first = self._first_after(_domain_of(key), t0, key)
        cache = "MISS" if row[T] == first else "HIT"
        return (*row[:CODE], 200, *row[CODE + 1:SIZE], 0 if head else CACHED_ERROR_SIZE,
                cache, *row[CACHE + 1:])

    def info(self, domains: tuple[str, ...]) -> list[dict[str, Any]]:
        """The object per domain, for `GET /_sim/info` (kind `cached_error`)."""
        out = []
        for d in domains:
            t0 = self._refreshed_at(self._key(f"https://{d}{CACHED_ERROR_PATH}"))
            out.append({"kind": "cached_error", "domain": d, "path": CACHED_ERROR_PATH,
                        "status": 404, "refreshed_ns": t0})
        return out


def strip_cache(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries without their cache status (the `no_cache_status` mode)."""
    return [{k: v for k, v in e.items() if k != "cache"} for e in entries]
