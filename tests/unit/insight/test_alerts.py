"""The alert rules on hand-made rate windows: absolute thresholds, the baseline without the
alert's own span, relapses, and clearing only on evidence (issue 10)."""

from __future__ import annotations

from tui.core.models import LogEntry
from tui.core.rates import RateWindow
from tui.insight.alerts import AlertRule, AlertState, evaluate

S = 1_000_000_000
NOW = 10_000


def second(s: int, bad: int, total: int = 10) -> list[LogEntry]:
    """`total` requests in second `s`, `bad` of them 503."""
    return [LogEntry(time_ns=s * S + i, status=503 if i < bad else 200, size=100, cache="HIT",
                     url=f"https://a/{i}", client_ip="10.0.0.1", country="CN")
            for i in range(total)]


def window(profile, start: int, end: int, rw: RateWindow | None = None) -> RateWindow:
    """Seconds [start, end) with profile(s) -> bad requests out of 10."""
    rw = rw or RateWindow(bucket_s=1, keep_buckets=900)
    for s in range(start, end):
        rw.add(second(s, profile(s)))
    return rw


ABS = AlertRule("5xx", floor=0.02, absolute=0.05, min_requests=100)
REL = AlertRule("5xx", floor=0.02, absolute=None, min_requests=100)


def test_absolute_threshold_fires_on_a_sustained_outage_with_a_polluted_baseline() -> None:
    # 30 % 5xx all along (a fresh dashboard opened during an outage): the baseline is 30 %
    rw = window(lambda s: 3, NOW - 700, NOW)
    rel = AlertState("5xx")
    assert evaluate(REL, rw, NOW, rel) is None and not rel.active  # the relative rule is blind
    st = AlertState("5xx")
    assert evaluate(ABS, rw, NOW, st) == "fired"
    assert st.active and st.status == "firing" and st.why == "absolute"
    # it began where the data does: a dashboard opened during an outage reads the backlog
    assert st.since_s == NOW - 700 and st.peak == 0.3


def test_a_sustained_alert_starts_where_the_outage_began() -> None:
    """Opened three minutes into an outage, the alert's start is the outage's (to the
    window), not the moment the dashboard first judged it."""
    rw = window(lambda s: 3 if s >= NOW - 180 else 0, NOW - 700, NOW)
    st = AlertState("5xx")
    assert evaluate(ABS, rw, NOW, st, known_from_s=NOW - 600) == "fired"
    assert NOW - 180 - ABS.window_s < st.since_s <= NOW - 180
    quiet = window(lambda s: 0, NOW - 700, NOW - 30)
    window(lambda s: 3, NOW - 30, NOW + 60, quiet)
    late = AlertState("5xx")
    assert evaluate(ABS, quiet, NOW + 60, late, known_from_s=NOW - 600) == "fired"
    # to the window: not later than the outage began, not a whole window before it
    assert NOW - 30 - ABS.window_s < late.since_s <= NOW - 30


def test_the_baseline_said_when_it_fires_leaves_the_outage_out() -> None:
    """Opened three minutes into an outage: the absolute alert's span begins before its
    window, and the baseline it shows from the first second is the one before the outage,
    as every later second shows it (it was 4.6 % for one second, then 0.1 %)."""
    rw = window(lambda s: 3 if s >= NOW - 180 else 0, NOW - 700, NOW + 10)
    st = AlertState("5xx")
    assert evaluate(ABS, rw, NOW, st, known_from_s=NOW - 600) == "fired"
    assert st.baseline == 0.0 and st.fire_baseline == 0.0
    assert "(baseline 0.0%)" in st.label()
    assert evaluate(ABS, rw, NOW + 1, st, known_from_s=NOW - 600) is None
    assert st.baseline == 0.0


def test_the_active_span_stays_out_of_the_baseline() -> None:
    # quiet, then 30 % from NOW-60 on; the alert fires at NOW and the outage goes on
    rw = window(lambda s: 3 if s >= NOW - 60 else 0, NOW - 700, NOW + 400)
    st = AlertState("5xx")
    assert evaluate(REL, rw, NOW, st) == "fired"
    for t in range(NOW + 10, NOW + 400, 10):
        assert evaluate(REL, rw, t, st) is None, t
        assert st.active and st.baseline == 0.0  # the outage never becomes the normal


def test_relapse_fires_again() -> None:
    # 5 min at 20 %, 2 min quiet, then 20 % again: with the first span in the baseline
    # (10 % over 10 minutes) 20 % would not be 3x the baseline
    def profile(s: int) -> int:
        return 2 if NOW - 300 <= s < NOW or s >= NOW + 120 else 0

    rw = window(profile, NOW - 900, NOW + 200)
    st = AlertState("5xx")
    assert evaluate(REL, rw, NOW - 240, st) == "fired"
    assert evaluate(REL, rw, NOW + 60, st) == "resolved" and st.status == "resolved"
    assert evaluate(REL, rw, NOW + 180, st) == "fired"
    assert st.baseline == 0.0 and st.since_s == NOW + 120


def test_no_clear_on_an_empty_window_or_too_few_requests() -> None:
    rw = window(lambda s: 3, NOW - 700, NOW)
    st = AlertState("5xx")
    assert evaluate(ABS, rw, NOW, st) == "fired"
    # nothing at all after NOW (the tail read it: covered), then 5 good requests a second
    assert evaluate(ABS, rw, NOW + 120, st) == "stale"
    assert st.active and st.stale and st.value == 0.3  # the last figure is kept
    few = window(lambda s: 3, NOW - 700, NOW)
    for s in range(NOW, NOW + 180):
        few.add(second(s, 0, total=1))  # 60 requests a minute < min_requests
    st2 = AlertState("5xx")
    assert evaluate(ABS, few, NOW, st2) == "fired"
    assert evaluate(ABS, few, NOW + 180, st2) == "stale" and st2.active


def test_stale_on_errors_and_a_lagging_tail_with_the_last_figure_and_its_age() -> None:
    rw = window(lambda s: 3, NOW - 700, NOW)
    st = AlertState("5xx")
    assert evaluate(ABS, rw, NOW, st, covered_s=NOW) == "fired"
    # a 401: the tail read nothing newer; the alert holds, stale
    assert evaluate(ABS, rw, NOW + 5, st, covered_s=NOW, healthy=False) == "stale"
    assert st.status == "stale" and "stale 5s" in st.label() and "30.0%" in st.label()
    assert evaluate(ABS, rw, NOW + 50, st, covered_s=NOW, healthy=False) is None
    assert st.active and "stale 50s" in st.label()
    # healthy again but the tail still lags past stale_after_s: still stale
    assert evaluate(ABS, rw, NOW + 50, st, covered_s=NOW + 10) is None and st.stale
    # the tail caught up over the outage: fresh evidence, firing again
    window(lambda s: 3, NOW, NOW + 60, rw=rw)
    assert evaluate(ABS, rw, NOW + 61, st, covered_s=NOW + 60) == "fresh"
    assert st.status == "firing"


def test_clears_only_on_a_full_covered_window_of_evidence() -> None:
    rw = window(lambda s: 3 if s < NOW else 0, NOW - 700, NOW + 120)
    st = AlertState("5xx")
    assert evaluate(ABS, rw, NOW, st) == "fired"
    # the good data exists, but the tail has read only 30 s of it: half a window is not
    # evidence (the window ending at the covered point still holds the outage)
    assert evaluate(ABS, rw, NOW + 30, st, covered_s=NOW + 30) is None and st.active
    assert st.value == 0.15
    # the window before the window started: not known to the tail, no verdict
    assert evaluate(ABS, rw, NOW + 120, st, known_from_s=NOW + 100) == "stale"
    assert st.active
    # a full window below the threshold (with hysteresis): resolved
    assert evaluate(ABS, rw, NOW + 120, st, covered_s=NOW + 120) == "resolved"
    assert not st.active and st.ended_s == NOW + 120 and st.peak == 0.3


def test_hysteresis_holds_just_below_the_absolute_threshold() -> None:
    def profile(bad_seconds: int):
        # 10 % before NOW; after it `bad_seconds` of every minute have one 503 in 10
        return lambda s: 1 if s < NOW or (s - NOW) % 60 < bad_seconds else 0

    st = AlertState("5xx")
    held = window(profile(27), NOW - 700, NOW + 60)  # 4.5 %: below 5 %, above 80 % of it
    assert evaluate(ABS, held, NOW, st) == "fired"
    assert evaluate(ABS, held, NOW + 60, st) is None and st.active and st.value == 0.045
    cleared = window(profile(18), NOW - 700, NOW + 60)  # 3 %: below 4 %
    assert evaluate(ABS, cleared, NOW + 60, st) == "resolved"
