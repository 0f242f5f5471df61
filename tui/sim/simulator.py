"""The simulated vendor API as a pure model (no sockets): logs, series, refresh, clock."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.models import LOG_CODES, PERIODS, Metric
from .catalog import build_clients, build_paths
from .clock import SimClock
from .faults import FaultSet
from .incidents import Incident
from .logs import NS, LogStore
from .model import RateModel
from .outage import Outage
from .purge import CachedError, PurgeModes, Refill, strip_cache
from .quirks import Quirks
from .refresh import RefreshBook, RefreshInvalid, decode_body, validate
from .series import MAX_BUCKETS, SeriesBuilder, bucket_count

DEMO_TOKEN = "s4top-demo-token"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100  # assumption: the vendor page gives only the maximum
_MAX_SECONDS = 10**11  # larger start/end values are not Unix seconds (ms or ns by mistake)


@dataclass
class SimConfig:
    """Everything that fixes a simulated world. Equal configs give equal worlds."""

    seed: int | str = 7
    rate: float = 20.0  # mean entries per second per domain (the day/night shape varies it)
    domains: tuple[str, ...] = ("cdn.example.com",)
    token: str = field(default=DEMO_TOKEN, repr=False)
    start_ns: int | None = None  # clock start; None = real now
    frozen: bool = False  # the clock moves only when told (advance / POST /_sim/clock)
    incidents: bool = True
    retention_s: int = 3 * 86400
    faults: tuple[Any, ...] = ()  # fault rules active from the start (see faults.py)
    refresh_miss_s: int = 300  # refreshed paths MISS for this long
    exact_series_s: int = 3600  # series are exact from the entries over this recent window
    exact_series_budget: int = 100_000  # ... shortened to about this many expected entries
    cache_entries: int = 200_000  # LRU bound on generated entries kept in memory
    outages: tuple[Outage, ...] = ()  # sustained outages (outage.py), opt-in
    refresh_refill: int = 2  # a refreshed URL MISSes on this many requests (purge.py)
    cached_error: bool = False  # purge.py: an object cached as a 404 until refreshed
    no_cache_status: bool = False  # purge.py: log entries carry no cache status
    no_purge: bool = False  # purge.py: refreshes are accepted but purge nothing
    quirks: Quirks = field(default_factory=Quirks)  # a real server's habits (quirks.py)
    known_incidents: tuple[Incident, ...] = ()  # incidents with a known cause (incidents.py)

    def __post_init__(self) -> None:
        if isinstance(self.domains, str):
            self.domains = (self.domains,)
        self.domains = tuple(d.strip().lower().rstrip(".") for d in self.domains)
        if not self.domains or not all(self.domains):
            raise ValueError("at least one domain is needed")
        if not (self.rate >= 0):
            raise ValueError("rate must be >= 0")
        if not self.token:
            raise ValueError("the token must not be empty")
        if self.retention_s <= 0:
            raise ValueError("retention_s must be > 0")
        self.faults = tuple(self.faults)
        self.outages = tuple(self.outages)
        self.known_incidents = tuple(self.known_incidents)


class SimError(Exception):
    """An API error: HTTP status and the message of the JSON error body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.status, "message": self.message}


def _int(v: Any, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise SimError(400, f"{name} must be an integer")
    return v


class Simulator:
    """The model behind SimServer; usable directly in tests."""

    def __init__(self, config: SimConfig | None = None):
        cfg = replace(config) if config is not None else SimConfig()
        self.config = cfg
        self.clock = SimClock(cfg.start_ns, cfg.frozen)
        self.faults = FaultSet(cfg.faults)
        paths = build_paths()
        self.model = RateModel(cfg.rate, cfg.incidents, paths)
        self.store = LogStore(cfg.seed, cfg.rate, self.model, paths, build_clients(cfg.seed),
                              cfg.cache_entries)
        if cfg.outages:
            self.store.set_outages(cfg.outages)
        if cfg.known_incidents:
            self.store.set_incidents(cfg.known_incidents)
        self.book = RefreshBook(cfg.refresh_miss_s)
        self.purge = PurgeModes(cfg.refresh_refill, cfg.cached_error, cfg.no_cache_status,
                                cfg.no_purge)
        self.cached_error = CachedError(self.store, self.book.key,
                                        lambda: self.book.active(0, 2**63))
        self.refill = Refill(self.store, self.book.key, lambda: self.purge.refill,
                             self._cached_error_key)
        self._set_rewrite()
        budget_s = int(cfg.exact_series_budget / cfg.rate) if cfg.rate > 0 else cfg.exact_series_s
        # never under a minute for a high rate's budget; a shorter window asked for outright
        # is kept (the benchmarks' quick smoke: 60 s at 5k entries/s are 300k entries made)
        exact_s = max(min(60, cfg.exact_series_s), min(cfg.exact_series_s, budget_s))
        self.builder = SeriesBuilder(self.model, self.store, exact_s, self._forced_miss_for,
                                     lambda: self.book.version)

    def __repr__(self) -> str:
        return f"Simulator({self.config!r})"

    # -- clock ---------------------------------------------------------------------------

    @property
    def domains(self) -> tuple[str, ...]:
        return self.config.domains

    def now_ns(self) -> int:
        return self.clock.now_ns()

    def advance(self, seconds: float) -> int:
        return self.clock.advance(seconds)

    def set_now(self, now_ns: int) -> int:
        return self.clock.set(now_ns)

    @property
    def exact_window_s(self) -> int:
        return self.builder.exact_s

    # -- checks --------------------------------------------------------------------------

    def check_token(self, value: str | None) -> bool:
        if not value:
            return False
        return hmac.compare_digest(value.encode("utf-8", "replace"),
                                   self.config.token.encode("utf-8"))

    def domain(self, domain: str) -> str:
        d = domain.strip().lower().rstrip(".")
        if d not in self.config.domains:
            raise SimError(404, "domain not found")
        return d

    def _forced_miss_for(self, lo_ns: int, hi_ns: int) -> Any:
        overlays = self.book.active(lo_ns, hi_ns)
        if not overlays:
            return None
        book = self.book
        if self.purge.refill > 0:
            refill = self.refill
            return lambda t, url: refill.forced(overlays, t, url)
        return lambda t, url: book.forced_miss(overlays, t, url)

    # -- purge modes (purge.py) ------------------------------------------------------------

    def _cached_error_key(self, key: str) -> bool:
        return self.purge.cached_error and self.cached_error.is_key(key)

    def _set_rewrite(self) -> None:
        self.store.rewrite = self.cached_error.rewrite if self.purge.cached_error else None

    def set_purge(self, obj: Any) -> dict[str, Any]:
        """Change the purge modes while running (ValueError on a bad body)."""
        self.purge.update(obj)
        self._set_rewrite()
        self.book.version += 1  # the series' kept sums are stale
        return self.purge.to_json()

    def purge_info(self) -> list[dict[str, Any]]:
        """The purge modes in force, as `GET /_sim/info` lists them."""
        out: list[dict[str, Any]] = [{"kind": "refresh_refill", "requests": self.purge.refill}]
        if self.purge.cached_error:
            out += self.cached_error.info(self.domains)
        out += [{"kind": k} for k in ("no_cache_status", "no_purge") if getattr(self.purge, k)]
        return out

    # -- logs ----------------------------------------------------------------------------

    def logs(self, domain: str, start_ns: int, codes: str = "ALL",
             limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
        """One page: access_time >= start_ns (inclusive), oldest first, <= now, retained."""
        d = self.domain(domain)
        start_ns = _int(start_ns, "start_time")
        if start_ns < 0:
            raise SimError(400, "start_time must be a Unix time in nanoseconds")
        if codes not in LOG_CODES:
            raise SimError(400, "codes must be one of 2XX, 3XX, 4XX, 5XX, ALL")
        limit = _int(limit, "limit")
        if not 1 <= limit <= MAX_LIMIT:
            raise SimError(400, f"limit must be between 1 and {MAX_LIMIT}")
        now = self.now_ns()
        lo = max(start_ns, now - self.config.retention_s * NS)
        digit = None if codes == "ALL" else int(codes[0])
        page = self.store.select(d, lo, now, digit=digit, limit=limit,
                                 forced_miss=self._forced_miss_for(lo, now))
        page = self.config.quirks.visible(page, now)  # type: ignore[assignment]
        return strip_cache(page) if self.purge.no_cache_status else page

    def truth(self, domain: str, start_ns: int | None = None, end_ns: int | None = None,
              limit: int | None = None) -> list[dict[str, Any]]:
        """Every entry the logs endpoint can return with start_ns <= access_time <= end_ns
        (end inclusive, default and cap: now; start default and floor: now - retention),
        oldest first; at most `limit` of them when given."""
        d = self.domain(domain)
        now = self.now_ns()
        lo = max(start_ns or 0, now - self.config.retention_s * NS)
        hi = now if end_ns is None else min(end_ns, now)
        page = self.store.select(d, lo, hi, limit=limit,
                                 forced_miss=self._forced_miss_for(lo, hi))
        return strip_cache(page) if self.purge.no_cache_status else page

    def inject(self, domain: str, entries: list[dict[str, Any]]) -> int:
        """Add raw entries (any keys, hostile values welcome) to a domain's logs."""
        d = self.domain(domain)
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise SimError(400, "entries must be a list of JSON objects")
        return self.store.inject(d, entries, self.now_ns())

    # -- series --------------------------------------------------------------------------

    def series(self, domain: str, metric: Metric | str, start_s: int, end_s: int,
               period: str) -> list[dict[str, int]]:
        d = self.domain(domain)
        try:
            m = Metric(metric).value
        except ValueError:
            raise SimError(404, "unknown metric") from None
        start_s, end_s = _int(start_s, "start_time"), _int(end_s, "end_time")
        for name, v in (("start_time", start_s), ("end_time", end_s)):
            if not 0 <= v < _MAX_SECONDS:
                raise SimError(400, f"{name} must be a Unix time in seconds")
        if end_s < start_s:
            raise SimError(400, "end_time must not be before start_time")
        if period not in PERIODS:
            raise SimError(400, "period must be one of hourly, daily, monthly")
        if bucket_count(period, start_s, end_s) > MAX_BUCKETS:
            raise SimError(400, f"time range too long for period {period}")
        return self.builder.series(d, m, start_s, end_s, period, self.now_ns())

    def info_extra(self) -> dict[str, Any]:
        """More for `GET /_sim/info` (a replay states its file, offset and speed there)."""
        return {}

    def incidents(self, start_s: int, end_s: int) -> list[dict[str, object]]:
        """Incident windows in [start_s, end_s): the scheduled ones (none with incidents
        off), then the sustained outages overlapping it."""
        out = self.model.incidents(start_s, end_s)
        out += [o.to_json() for o in self.config.outages
                if o.start_s < end_s and o.start_s + o.length_s > start_s]
        out += [i.to_json() for i in self.config.known_incidents
                if i.start_s < end_s and i.start_s + i.length_s > start_s]
        return out

    def add_incident(self, incident: Incident) -> list[dict[str, object]]:
        """Start (or schedule) an incident with a known cause; returns all of them."""
        self.config.known_incidents = (*self.config.known_incidents, incident)
        self.store.set_incidents(self.config.known_incidents)
        return [i.to_json() for i in self.config.known_incidents]

    def clear_incidents(self) -> None:
        self.config.known_incidents = ()
        self.store.set_incidents(())

    def add_outage(self, outage: Outage) -> list[dict[str, object]]:
        """Start (or schedule) a sustained outage while running; returns all of them."""
        self.config.outages = (*self.config.outages, outage)
        self.store.set_outages(self.config.outages)
        return [o.to_json() for o in self.config.outages]

    def clear_outages(self) -> None:
        self.config.outages = ()
        self.store.set_outages(())

    # -- refresh -------------------------------------------------------------------------

    def refresh(self, body: Any, *, fault: str | None = None) -> tuple[int, dict[str, Any]]:
        """Validate and apply a refresh body (bytes, str or parsed); always recorded."""
        now = self.now_ns()
        try:
            obj = decode_body(body)
        except (ValueError, UnicodeDecodeError):
            self.book.record(now, None, 400, "request body must be JSON", applied=False,
                             fault=fault)
            return 400, {"code": 400, "message": "request body must be JSON"}
        try:
            kind, urls = validate(obj)
        except RefreshInvalid as e:
            self.book.record(now, obj, 400, str(e), applied=False, fault=fault)
            return 400, {"code": 400, "message": str(e)}
        if self.purge.no_purge:  # accepted, purges nothing (purge.py)
            self.book.record(now, obj, 200, "ok", applied=False, fault=fault or "no_purge")
            return 200, {"message": "ok"}
        self.book.apply(now, kind, urls)
        self.book.record(now, obj, 200, "ok", applied=True, fault=fault)
        return 200, {"message": "ok"}

    def record_refresh(self, body: Any, status: int, message: str,
                       fault: str | None = None) -> None:
        """Record a refresh request that was answered without being processed."""
        try:
            obj = decode_body(body)
        except (ValueError, UnicodeDecodeError):
            obj = None
        self.book.record(self.now_ns(), obj, status, message, applied=False, fault=fault)

    @property
    def refreshes(self) -> list[dict[str, Any]]:
        """Every refresh request received: time_ns, type, url_list (as received), status,
        message, applied, fault."""
        return self.book.records
