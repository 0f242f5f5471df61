"""Log generation: a deterministic function of (seed, domain, whole second).

For each second s, `random.Random(f"{seed}:{domain}:{s}")` draws the count around the rate
model's `lam(s)` (Poisson), then each entry's time, path, client, status, size and cache
result. Any query pattern therefore sees the same entries, and `truth()` can enumerate
exactly what exists in a range. Generated seconds are kept in an LRU bounded by entries.

Timestamps: offsets inside the second are quantised to 1 us when the configured rate is
below 2000 entries/s/domain, to 1 ms at or above it (so many entries share a timestamp at
high rates). Besides, every entry after the first of its second shares its predecessor's
exact timestamp with probability 4% (parallel requests of one page load), so equal
timestamps occur at any rate. Order within a timestamp is the generation order: stable.

Injected entries (POST /_sim/inject, for hostile-data tests) are kept raw and merged in
time order, after generated entries of the same timestamp; the series ignore them.
"""

from __future__ import annotations

import heapq
import json
import math
import random
import threading
from bisect import bisect, bisect_left, insort
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .catalog import (
    BURST_5XX,
    BURST_PATH,
    ERR_5XX,
    HIT_404,
    P_5XX,
    P_HEAD,
    PROFILES,
    PURGE_DIR,
    SIZE_403,
    SIZE_404,
    Client,
    PathSpec,
    referer_pools,
)
from .incidents import Incident, effect
from .model import BURST, P_BURST, PURGE, RateModel
from .outage import OUTAGE_PATH, OUTAGE_SIZE, OUTAGE_STATUS, Outage, outage_at

NS = 1_000_000_000
SHARE_P = 0.04
HIGH_RATE = 2000.0
# Fields of a generated entry tuple.
T, CODE, METHOD, URL, SIZE, CACHE, IP, COUNTRY, REFERER, UA = range(10)

Row = tuple  # a generated 10-tuple, or (t, raw_dict) for an injected entry


def quantum_ns(rate: float) -> int:
    """Timestamp granularity for a configured rate (see the module docstring)."""
    return 1_000_000 if rate >= HIGH_RATE else 1_000


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 30:
        limit = math.exp(-lam)
        k, p = 0, rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def _pick_err(table: tuple[tuple[int, float, int], ...], u: float) -> tuple[int, int]:
    acc = 0.0
    for code, p, size in table:
        acc += p
        if u < acc:
            return code, size
    return table[-1][0], table[-1][2]


def _pick_code(cum: tuple[tuple[float, int], ...], u: float) -> int:
    for acc, code in cum:
        if u < acc:
            return code
    return cum[-1][1]


def _served(spec: PathSpec, profile: tuple[tuple[float, int], ...], purged: bool,
            rr: Callable[[], float]) -> tuple[int, int, str]:
    """Status, size and cache status of a request for a catalog path (no outage, no burst);
    `purged`: the path was just purged, so nothing is cached. The draws are taken in the
    same order as always: a seed makes the same entries."""
    if rr() < P_5XX:
        code, size = _pick_err(ERR_5XX, rr())
        return code, size, "MISS"
    code = _pick_code(profile, rr())
    if code == 404:
        return code, SIZE_404, "HIT" if rr() < HIT_404 else "MISS"
    if code == 403:
        return code, SIZE_403, "MISS"
    hit = 0.0 if purged else spec.hit
    cache = "HIT" if rr() < hit else "MISS"
    if code == 200:
        size = spec.size
    elif code == 206:
        lo = spec.range_lo
        size = lo + int(rr() * (spec.range_hi - lo))
    else:
        size = 0
    return code, size, cache


def _cum(profile: tuple[tuple[int, float], ...]) -> tuple[tuple[float, int], ...]:
    acc, out = 0.0, []
    for code, p in profile:
        acc += p
        out.append((acc, code))
    return tuple(out)


class _Site:
    """Per-domain strings, built once so entries share them."""

    __slots__ = ("urls", "refs", "burst_url", "burst_refs", "outage_url")

    def __init__(self, domain: str, specs: list[PathSpec]):
        pools = referer_pools(domain)
        self.urls = [tuple(f"https://{domain}{s.path}{v}" for v in s.variants) for s in specs]
        self.refs = [pools[s.kind] for s in specs]
        self.burst_url = f"https://{domain}{BURST_PATH}"
        self.burst_refs = pools["asset"]
        self.outage_url = f"https://{domain}{OUTAGE_PATH}"


def wire(row: Row, miss: bool = False) -> dict[str, Any]:
    """An entry in the default wire shape (raw dict copy for injected ones)."""
    if len(row) == 2:
        return dict(row[1])
    return {
        "path": row[URL], "size": row[SIZE], "access_time": row[T], "code": row[CODE],
        "method": row[METHOD], "ip": row[IP], "country": row[COUNTRY],
        "referer": row[REFERER], "ua": row[UA], "cache": "MISS" if miss else row[CACHE],
    }


class WirePage(list):
    """A page of wire dicts that also knows the rows they came from, so the server can write
    the default shape from per-entry JSON kept by the store (`encoded`) instead of encoding
    a thousand dicts per request. `json.dumps` of the page gives the same text."""

    __slots__ = ("sources", "store")

    def __init__(self, store: LogStore) -> None:
        super().__init__()
        self.store = store
        self.sources: list[tuple[Row, bool]] = []

    def encoded(self) -> list[str]:
        """Each entry as compact JSON (`separators=(",", ":")`), in order."""
        return self.store.encoded(self.sources)


_COMPACT = json.JSONEncoder(separators=(",", ":"))


def row_code(row: Row) -> int | None:
    if len(row) == 2:
        raw = row[1]
        for key in ("code", "status", "http_code", "status_code"):
            v = raw.get(key)
            if isinstance(v, int) and not isinstance(v, bool):
                return v
        return None
    return row[CODE]


class LogStore:
    """Generated seconds (LRU) plus injected entries, per domain."""

    def __init__(self, seed: int | str, rate: float, model: RateModel,
                 paths: list[tuple[PathSpec, float]], clients: list[tuple[Client, float]],
                 cache_entries: int = 200_000):
        self._seed = seed
        self._model = model
        self._quantum = quantum_ns(rate)
        self._span = NS // self._quantum
        self._specs = [s for s, _ in paths]
        self._pids = list(range(len(self._specs)))
        self._pcw = list(_acc(w for _, w in paths))
        self._profiles = [_cum(PROFILES[s.profile]) for s in self._specs]
        self._purgeable = [s.path.startswith(PURGE_DIR) for s in self._specs]
        self._clients = [c for c, _ in clients]
        self._ccw = list(_acc(w for _, w in clients))
        self._sites: dict[str, _Site] = {}
        self._lru: OrderedDict[tuple[str, int], tuple[Row, ...]] = OrderedDict()
        self._cached = 0
        self._cap = max(1000, cache_entries)
        self._lock = threading.Lock()
        self._injected: dict[str, dict[int, list[tuple[int, int, dict[str, Any]]]]] = {}
        self._inject_seq = 0
        self.generated = 0  # entries generated so far (cache misses), for benchmarks
        # id(row) -> (row, miss, compact JSON): what a page's entries look like on the wire,
        # kept for about as many entries as the LRU (the row is held, so its id stays its own)
        self._json: dict[int, tuple[Row, bool, str]] = {}
        self._outages: tuple[Outage, ...] = ()
        # applied to each generated row a query returns (purge.py: the cached-error object)
        self.rewrite: Callable[[Row], Row] | None = None
        self._incidents: tuple[Incident, ...] = ()

    def set_outages(self, outages: tuple[Outage, ...]) -> None:
        """Sustained outages (outage.py); seconds generated before are generated again."""
        with self._lock:
            self._outages = tuple(outages)
            self._lru.clear()
            self._cached = 0
            self._json.clear()

    def set_incidents(self, incidents: tuple[Incident, ...]) -> None:
        """Incidents with a known cause (incidents.py); generated seconds are dropped."""
        with self._lock:
            self._incidents = tuple(incidents)
            self._lru.clear()
            self._cached = 0
            self._json.clear()

    # -- generation --------------------------------------------------------------------

    def _site(self, domain: str) -> _Site:
        site = self._sites.get(domain)
        if site is None:
            site = self._sites[domain] = _Site(domain, self._specs)
        return site

    def second(self, domain: str, s: int) -> tuple[Row, ...]:
        """Generated entries of whole second s, oldest first (cached)."""
        key = (domain, s)
        with self._lock:
            got = self._lru.get(key)
            if got is not None:
                self._lru.move_to_end(key)
                return got
        got = self._generate(domain, s)
        with self._lock:
            if key not in self._lru:
                self._lru[key] = got
                self._cached += max(1, len(got))
                while self._cached > self._cap and len(self._lru) > 1:
                    _, old = self._lru.popitem(last=False)
                    self._cached -= max(1, len(old))
        return got

    def _generate(self, domain: str, s: int) -> tuple[Row, ...]:
        site = self._site(domain)
        rng = random.Random(f"{self._seed}:{domain}:{s}")
        rr = rng.random
        lam, mode = self._model.lam(s)
        n = _poisson(rng, lam)
        if n <= 0:
            return ()
        span, q = self._span, self._quantum
        offs = sorted([int(rr() * span) for _ in range(n)])
        pids = rng.choices(self._pids, cum_weights=self._pcw, k=n)
        cls = rng.choices(self._clients, cum_weights=self._ccw, k=n)
        specs, profiles, purgeable = self._specs, self._profiles, self._purgeable
        urls, refs = site.urls, site.refs
        burst, purge = mode == BURST, mode == PURGE
        # an outage draws one more number per entry: without one the draws are as before
        cut = outage_at(self._outages, domain, s) if self._outages else None
        outage = cut.share if cut is not None else 0.0
        outage_url = site.outage_url if cut is None or cut.path == OUTAGE_PATH \
            else f"https://{domain}{cut.path}"
        base = s * NS
        t = base
        out: list[Row] = []
        append = out.append
        known = effect(self._incidents, self._seed, domain, s) if self._incidents else None
        if known is not None:  # an incident changes entries after they are drawn
            append = lambda row: out.append(known(row))  # noqa: E731
        for i in range(n):
            if i == 0 or rr() >= SHARE_P:
                t = base + offs[i] * q
            c = cls[i]
            head = rr() < P_HEAD
            if outage and rr() < outage:
                code, size = OUTAGE_STATUS, OUTAGE_SIZE
                cache, url, pool = "MISS", outage_url, site.burst_refs
            elif burst and rr() < P_BURST:
                code, size = _pick_err(BURST_5XX, rr())
                cache, url, pool = "MISS", site.burst_url, site.burst_refs
            else:
                p = pids[i]
                code, size, cache = _served(specs[p], profiles[p], purge and purgeable[p], rr)
                vs = urls[p]
                url = vs[0] if len(vs) == 1 else vs[int(rr() * len(vs))]
                pool = refs[p]
            if head:
                size = 0
            if c.bot:
                ref = ""
            else:
                values, cum = pool
                ref = values[bisect(cum, rr())]
            append((t, code, "HEAD" if head else "GET", url, size, cache, c.ip, c.country,
                    ref, c.ua))
        self.generated += n
        return tuple(out)

    # -- injected entries --------------------------------------------------------------

    def inject(self, domain: str, entries: list[dict[str, Any]], now_ns: int) -> int:
        """Store raw entries; one without an integer access_time is placed at now."""
        with self._lock:
            per = self._injected.setdefault(domain, {})
            for raw in entries:
                t = raw.get("access_time")
                if not isinstance(t, int) or isinstance(t, bool) or t < 0:
                    t = now_ns
                    if "access_time" not in raw:
                        raw = {**raw, "access_time": now_ns}
                self._inject_seq += 1
                insort(per.setdefault(t // NS, []), (t, self._inject_seq, dict(raw)),
                       key=lambda x: (x[0], x[1]))
        return len(entries)

    def _rows(self, domain: str, s: int) -> tuple[Row, ...] | list[Row]:
        gen = self.second(domain, s)
        per = self._injected.get(domain)
        extra = per.get(s) if per else None
        if not extra:
            return gen
        with self._lock:
            inj = [(t, raw) for t, _, raw in extra]
        return list(heapq.merge(gen, inj, key=lambda r: r[0]))

    # -- queries -------------------------------------------------------------------------

    def encoded(self, sources: list[tuple[Row, bool]]) -> list[str]:
        """The compact JSON of `wire(row, miss)` for each source, made once per row."""
        cache = self._json
        if len(cache) > 2 * self._cap:
            cache.clear()
        out = []
        for row, miss in sources:
            got = cache.get(id(row))
            if got is None or got[0] is not row or got[1] is not miss:
                got = (row, miss, _COMPACT.encode(wire(row, miss)))
                cache[id(row)] = got
            out.append(got[2])
        return out

    def select(self, domain: str, lo_ns: int, hi_ns: int, *, digit: int | None = None,
               limit: int | None = None,
               forced_miss: Callable[[int, str], bool] | None = None) -> WirePage:
        """Entries with lo_ns <= access_time <= hi_ns, oldest first, as wire dicts.

        `digit` keeps one status class (2 for 2XX ...); `forced_miss(t, url)` says whether
        a refresh turned a 2xx/3xx entry into a MISS.
        """
        out = WirePage(self)
        sources = out.sources
        if hi_ns < lo_ns:
            return out
        s, last = lo_ns // NS, hi_ns // NS
        first = True
        rewrite = self.rewrite
        while s <= last:
            rows = self._rows(domain, s)
            i = bisect_left(rows, lo_ns, key=lambda r: r[0]) if first else 0
            first = False
            for k in range(i, len(rows)):
                row = rows[k]
                if row[0] > hi_ns:
                    return out
                if rewrite is not None and len(row) > 2:
                    row = rewrite(row)
                code = row_code(row)
                if digit is not None and (code is None or code // 100 != digit):
                    continue
                miss = (
                    forced_miss is not None and len(row) > 2 and 200 <= row[CODE] < 400
                    and row[CACHE] == "HIT" and forced_miss(row[T], row[URL])
                )
                out.append(wire(row, miss))
                sources.append((row, miss))
                if limit is not None and len(out) >= limit:
                    return out
            s += 1
        return out


def _acc(weights: Any) -> Any:
    total = 0.0
    for w in weights:
        total += w
        yield total
