"""What the dashboard knows about one domain, without any screen: the log buffer, the live
rates, the series, and the health of the connection. Workers feed it; the screen reads it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from tui.api.errors import ApiError, AuthError, RateLimited
from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry, Metric, Series
from tui.core.rates import RateWindow
from tui.insight.top import AlertRule, AlertState, evaluate

#: chart ranges for `t`: label -> (seconds, period)
RANGES: list[tuple[str, int, str]] = [
    ("1h", 3600, "hourly"),
    ("6h", 6 * 3600, "hourly"),
    ("24h", 86400, "hourly"),
    ("7d", 7 * 86400, "daily"),
    ("30d", 30 * 86400, "daily"),
]
POLL_STEPS = [0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0]


def poll_step(cur: float, direction: int) -> float:
    """One step slower (+1) or faster (-1); a value between steps moves to the next one."""
    if direction > 0:
        slower = [s for s in POLL_STEPS if s > cur]
        return slower[0] if slower else cur
    faster = [s for s in POLL_STEPS if s < cur]
    return faster[-1] if faster else cur


@dataclass
class Health:
    """ok | connecting | degraded | auth | rate_limited | offline, for the status line."""

    state: str = "connecting"
    message: str = ""
    retry_at: float | None = None  # wall-clock seconds (the app's clock) of the next try
    last_ok: float | None = None  # time.time() of the last successful poll
    errors: int = 0
    in_flight_since: float | None = None  # (the app's clock) a request is out since then

    def record_ok(self, now: float | None = None) -> bool:
        """Returns True when this ends an error state (worth one 'recovered' toast)."""
        recovered = self.state not in ("ok", "connecting")
        self.state, self.message, self.retry_at, self.errors = "ok", "", None, 0
        self.last_ok = time.time() if now is None else now
        return recovered

    def record_error(self, error: ApiError, retry_in_s: float | None,
                     now: float | None = None) -> bool:
        """Returns True when the state changed (worth one toast, not one per retry)."""
        if isinstance(error, AuthError):
            state = "auth"
        elif isinstance(error, RateLimited):
            state = "rate_limited"
        elif self.last_ok is None or self.errors >= 3:
            state = "offline" if self.errors >= 3 else "degraded"
        else:
            state = "degraded"
        changed = state != self.state
        self.state = state
        self.message = short_message(error)
        self.errors += 1
        now = time.time() if now is None else now
        self.retry_at = now + retry_in_s if retry_in_s else None
        return changed


def short_message(error: ApiError) -> str:
    """The error for a narrow status line: the endpoint's last word ("logs", "traffic") and
    the message. The full "GET /cdn/data/<domain>/logs" prefix took most of the room and cut
    off what went wrong."""
    name = error.endpoint.rsplit("/", 1)[-1] if error.endpoint else ""
    return f"{name}: {error.message}" if name else error.message


@dataclass
class DomainState:
    domain: str
    buffer: LogBuffer
    rates: RateWindow = field(default_factory=lambda: RateWindow(bucket_s=1, keep_buckets=900))
    # per-minute counters for the charts up to 6 h (tui/core/chartdata.py), beside the buffer
    minute_rates: RateWindow = field(
        default_factory=lambda: RateWindow(bucket_s=60, keep_buckets=362))
    series: dict[Metric, Series] = field(default_factory=dict)
    series_error: str = ""
    series_version: int = 0
    log_health: Health = field(default_factory=Health)
    series_health: Health = field(default_factory=Health)
    pending_new: int = 0  # new matching entries not yet shown (one screen update per frame)
    dirty: bool = False
    received: int = 0
    first_ns: int = 0  # the oldest entry received (the start of the per-minute bars)
    caught_up: bool = False  # a page came back short of the limit: the backlog is in
    alerts: dict[str, AlertState] = field(default_factory=dict)
    newest_ns: int = 0
    tail_start_ns: int | None = None  # where the log tail began (after the retention clamp)
    covered_ns: int = 0  # the tail has read every entry up to here (an alert verdict needs it)
    #: where new entries go instead of the buffer and the rate windows: the exporter counts
    #: them and keeps none (tui/exporter/counting.py). None: the dashboard's buffer.
    sink: Callable[[list[LogEntry]], None] | None = None

    @classmethod
    def counting(cls, domain: str, sink: Callable[[list[LogEntry]], None]) -> DomainState:
        """A state that hands every entry to `sink` once and keeps no buffer: memory does
        not grow with traffic."""
        return cls(domain, buffer=None, sink=sink)  # type: ignore[arg-type]

    def ingest(self, entries: list[LogEntry]) -> None:
        if self.sink is not None:
            self.sink(entries)
        else:
            self.pending_new += self.buffer.extend(entries)
            self.rates.add(entries)
            self.minute_rates.add(entries)
        self.received += len(entries)
        if entries:
            self.newest_ns = max(self.newest_ns, entries[-1].time_ns)
            if not self.first_ns:
                self.first_ns = entries[0].time_ns
        self.dirty = True

    def set_series(self, series: dict[Metric, Series]) -> None:
        self.series = series
        self.series_error = ""
        self.series_changed()

    def series_changed(self) -> None:
        """The charts draw again (new series, a refresh mark, another range)."""
        self.series_version += 1
        self.dirty = True


class AlertSettings(Protocol):
    """The alert_* settings of tui.config.Settings (which tui.live may not import)."""

    @property
    def alert_factor(self) -> float: ...
    @property
    def alert_window(self) -> float: ...
    @property
    def alert_baseline(self) -> float: ...
    @property
    def alert_5xx_share(self) -> float: ...
    @property
    def alert_4xx_share(self) -> float: ...
    @property
    def alert_origin_rate(self) -> float: ...
    @property
    def alert_5xx_absolute(self) -> float: ...
    @property
    def alert_4xx_absolute(self) -> float: ...
    @property
    def alert_origin_absolute(self) -> float: ...
    @property
    def alert_min_requests(self) -> int: ...
    @property
    def poll_interval(self) -> float: ...


def alert_rules(settings: AlertSettings) -> tuple[AlertRule, ...]:
    """Rules from the config (the alert_* settings)."""
    s = settings
    factor = s.alert_factor
    # AlertRule counts whole seconds
    window = int(s.alert_window)
    baseline = int(s.alert_baseline)
    floors = {"5xx": s.alert_5xx_share, "4xx": s.alert_4xx_share, "origin": s.alert_origin_rate}
    absolute = {
        "5xx": s.alert_5xx_absolute,
        "4xx": s.alert_4xx_absolute,
        "origin": s.alert_origin_absolute,
    }
    min_requests = s.alert_min_requests
    # a hidden domain polls at 5x the interval (>= 10 s): its tail may lag that much
    stale_after = int(max(30.0, 2 * max(10.0, 5 * s.poll_interval)))
    return tuple(
        AlertRule(kind, window_s=window, baseline_s=baseline, factor=factor, floor=floor,
                  absolute=absolute[kind], min_requests=min_requests, stale_after_s=stale_after)
        for kind, floor in floors.items()
    )


def alert_events(st: DomainState, rules: tuple[AlertRule, ...],
                 now_s: int) -> list[tuple[AlertState, str]]:
    """Evaluate every rule on what the tail has read completely; returns (state, event) for
    each change: fired, resolved, stale, fresh (see tui.insight.alerts.evaluate)."""
    known = -(-st.tail_start_ns // 10**9) if st.tail_start_ns is not None else now_s + 1
    out = []
    for rule in rules:
        state = st.alerts.setdefault(rule.kind, AlertState(rule.kind))
        event = evaluate(rule, st.rates, now_s, state, covered_s=st.covered_ns // 10**9,
                         healthy=st.log_health.state == "ok", known_from_s=known)
        if event:
            out.append((state, event))
    return out


def check_alerts(st: DomainState, rules: tuple[AlertRule, ...], now_s: int) -> list[AlertState]:
    """Evaluate every rule; returns the states that fired or cleared."""
    return [a for a, event in alert_events(st, rules, now_s) if event in ("fired", "resolved")]


def alert_text(st: DomainState) -> str:
    """The active alerts of a domain for the header ("... stale 40s" without fresh data)."""
    return ", ".join(a.label() for a in st.alerts.values() if a.active)


def alerting_domains(states: list[DomainState]) -> list[str]:
    """The domains with an active (firing or stale) alert, in their order."""
    return [st.domain for st in states if any(a.active for a in st.alerts.values())]
