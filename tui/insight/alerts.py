"""The alert rules: when a status-class share or the origin rate is bad enough to wake
someone, and when it is over. Pure functions over a `RateWindow`, so the dashboard and the
tests judge the same way.

What makes an alert trustworthy (issue 10):
- an absolute threshold fires on its own, so a sustained outage alerts even when the
  trailing baseline has absorbed it (a fresh dashboard opened during an outage);
- the span of an alert, active or past, is kept out of the baseline: an incident never
  becomes its own normal, and a relapse fires again;
- a verdict needs evidence: a window the log tail read completely (`covered_s`), inside
  what the tail has seen (`known_from_s`), with at least `min_requests` requests. An
  alert clears only on such a window below the threshold (with hysteresis); errors, a
  lagging tail or an empty window make it *stale* (still firing, last figure kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.core.models import StatusClass
from tui.core.rates import RateWindow

KINDS = ("5xx", "4xx", "origin")
_CLASS_KEY = {"5xx": StatusClass.S5XX.value, "4xx": StatusClass.S4XX.value}
_MAX_SPANS = 32  # past alert spans kept per kind (only those near the baseline matter)


@dataclass(frozen=True, slots=True)
class AlertRule:
    """Fires when the window is at/above `absolute`, or `factor` times its trailing baseline
    and above `floor`.

    kind: "5xx" | "4xx" (share of requests of that class) or "origin" (cache misses per second,
    i.e. requests the edge had to pull from origin).
    """

    kind: str
    window_s: int = 60  # the recent window
    baseline_s: int = 600  # the trailing baseline before it
    factor: float = 3.0
    floor: float = 0.02  # shares: 2 %; origin: misses per second
    absolute: float | None = None  # fires on its own at/above this (None: relative only)
    min_requests: int = 100  # below this many requests in the window, no verdict
    clear_ratio: float = 0.8  # hysteresis: holds down to this fraction of a threshold
    stale_after_s: int = 30  # no verdict for this long (the tail lags): stale


DEFAULT_RULES = (
    AlertRule("5xx", floor=0.02, absolute=0.05),
    AlertRule("4xx", floor=0.10, absolute=0.25),
    AlertRule("origin", floor=5.0, absolute=50.0),
)


@dataclass(slots=True)
class AlertState:
    """One kind of alert of one domain: the figures of the last verdict and the episode."""

    kind: str
    active: bool = False  # firing or stale
    stale: bool = False  # active, but no fresh evidence (errors, lagging tail, empty window)
    value: float = 0.0  # the figure of the last window with a verdict
    baseline: float = 0.0
    requests: int = 0
    since_s: int = 0  # start of the first window that fired
    peak: float = 0.0
    ended_s: int = 0  # end of the window that cleared it (0 while active)
    evidence_s: int = 0  # end of the last window with a verdict
    checked_s: int = 0  # when it was last evaluated (for the age of a stale figure)
    fire_baseline: float = 0.0  # the baseline when it fired (used once the span fills it)
    why: str = ""  # "absolute" | "relative"
    spans: list[tuple[int, int]] = field(default_factory=list)  # past spans, out of the baseline

    @property
    def status(self) -> str:
        """firing | stale | resolved | "" (never fired)."""
        if self.active:
            return "stale" if self.stale else "firing"
        return "resolved" if self.ended_s else ""

    def figure(self, value: float | None = None) -> str:
        v = self.value if value is None else value
        return f"{v:.1f}/s" if self.kind == "origin" else f"{v:.1%}"

    def label(self) -> str:
        name = "origin" if self.kind == "origin" else self.kind.upper()
        text = f"{name} {self.figure()} (baseline {self.figure(self.baseline)})"
        if self.active and self.stale:
            age = max(0, self.checked_s - self.evidence_s)
            text += f" stale {age}s"
        return text


def _value(rule: AlertRule, t: dict[str, int], seconds: int) -> float:
    if rule.kind == "origin":
        return t["misses"] / max(1, seconds)
    return t[_CLASS_KEY[rule.kind]] / t["requests"] if t["requests"] else 0.0


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def baseline_of(rule: AlertRule, rates: RateWindow, state: AlertState, window_start_s: int,
                known_from_s: int = 0) -> float | None:
    """The trailing baseline before the window, leaving out alert spans (past and active)
    and time before the tail began; None when nothing of it is left."""
    lo, hi = max(window_start_s - rule.baseline_s, known_from_s), window_start_s
    if hi <= lo:
        return None
    spans = list(state.spans)
    if state.active:
        spans.append((state.since_s, hi))
    t = rates.totals(lo, hi)
    seconds = hi - lo
    for a, b in _merged(spans):
        a, b = max(a, lo), min(b, hi)
        if a < b:
            cut = rates.totals(a, b)
            t = {k: v - cut[k] for k, v in t.items()}
            seconds -= b - a
    if seconds <= 0:
        return None
    return _value(rule, t, seconds)


def _fires(rule: AlertRule, value: float, baseline: float) -> str:
    if rule.absolute is not None and value >= rule.absolute:
        return "absolute"
    if value >= rule.floor and value >= rule.factor * baseline:
        return "relative"
    return ""


def _holds(rule: AlertRule, value: float, baseline: float) -> bool:
    if rule.absolute is not None and value >= rule.absolute * rule.clear_ratio:
        return True
    return value >= rule.floor and value >= rule.factor * rule.clear_ratio * baseline


def began(rule: AlertRule, rates: RateWindow, start: int, known_from_s: int) -> int:
    """Where a sustained outage began, for an alert that fires on its absolute threshold:
    the earlier whole windows over it too (a dashboard opened during an outage reads its
    backlog), then the first second with requests. Not earlier than the tail's start."""
    s0 = start
    while s0 - rule.window_s >= known_from_s:
        t = rates.totals(s0 - rule.window_s, s0)
        if t["requests"] < rule.min_requests or (rule.absolute is not None and _value(
                rule, t, rule.window_s) < rule.absolute):
            break
        s0 -= rule.window_s
    while s0 < start and rates.totals(s0, s0 + 1)["requests"] == 0:
        s0 += 1
    return s0


def evaluate(rule: AlertRule, rates: RateWindow, now_s: int, state: AlertState, *,
             covered_s: int | None = None, healthy: bool = True,
             known_from_s: int = 0) -> str | None:
    """Update `state` from the latest window the tail read completely.

    `covered_s`: the log is complete up to here (None: up to `now_s`); `healthy`: the tail's
    last poll succeeded; `known_from_s`: where the tail began. Returns what changed, for one
    toast: "fired", "resolved", "stale", "fresh" (stale -> firing again), or None.
    """
    state.checked_s = now_s
    end = now_s if covered_s is None else min(now_s, covered_s)
    start = end - rule.window_s
    event: str | None = None
    empty = False
    if start >= known_from_s:
        t = rates.totals(start, end)
        n = t["requests"]
        if n >= rule.min_requests:
            value = _value(rule, t, rule.window_s)
            base = baseline_of(rule, rates, state, start, known_from_s)
            if base is None:
                base = state.fire_baseline if state.active else 0.0
            state.value, state.baseline, state.requests = value, base, n
            state.evidence_s = max(state.evidence_s, end)
            if state.active:
                if _holds(rule, value, base):
                    state.peak = max(state.peak, value)
                else:
                    state.active, state.ended_s = False, end
                    state.spans = [*state.spans, (state.since_s, end)][-_MAX_SPANS:]
                    event = "resolved"
            else:
                why = _fires(rule, value, base)
                if why:
                    state.active, state.why = True, why
                    state.ended_s = 0
                    state.since_s = began(rule, rates, start, known_from_s) if why == "absolute" \
                        else start
                    # the baseline said with the alert leaves its own span out from the first
                    # second (an absolute alert's span can begin before the window)
                    clean = baseline_of(rule, rates, state, start, known_from_s)
                    if clean is not None:
                        base = state.baseline = clean
                    state.peak, state.fire_baseline = value, base
                    state.evidence_s = end
                    event = "fired"
        else:
            empty = True
    stale = state.active and (
        not healthy or empty or now_s - state.evidence_s > rule.stale_after_s)
    if event is None and state.active and stale != state.stale:
        event = "stale" if stale else "fresh"
    state.stale = stale
    return event


def drill_text(kind: str) -> str:
    """A log filter for the entries of an alert, in the `/` field syntax
    (tui/core/fieldfilter.py): its status class, or the cache misses of an origin alert."""
    return {"5xx": "code:5xx", "4xx": "code:4xx", "origin": "cache:MISS"}.get(kind, "")
