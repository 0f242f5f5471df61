"""The status line's age thresholds: normal up to 2x the poll interval, a warning past 2x, an
error past 5x, and the text (not only the colour) says so."""

from __future__ import annotations

from tui.live.state import Health
from tui.widgets.statusline import StatusInfo, age_level, lateness, render_status


def test_age_levels_at_2x_and_5x_the_interval() -> None:
    assert age_level(None, 2.0) == "normal"
    assert age_level(0.0, 2.0) == "normal"
    assert age_level(4.0, 2.0) == "normal"  # exactly 2x is still normal
    assert age_level(4.1, 2.0) == "warning"
    assert age_level(10.0, 2.0) == "warning"
    assert age_level(10.1, 2.0) == "error"
    assert age_level(56.0, 2.0) == "error"
    assert age_level(56.0, 60.0) == "normal"  # the same age is fine at a 60 s interval


def test_fast_intervals_have_whole_second_floors() -> None:
    assert age_level(0.9, 0.2) == "normal"
    assert age_level(1.1, 0.2) == "warning"
    assert age_level(2.6, 0.2) == "error"


def test_a_request_in_flight_counts_as_late_from_when_it_went_out() -> None:
    h = Health(state="connecting", in_flight_since=100.0)
    assert lateness(h, 2.0, 103.0) == "normal"
    assert lateness(h, 2.0, 105.0) == "warning"
    ok = Health(state="ok", last_ok=100.0, in_flight_since=101.0)
    assert lateness(ok, 2.0, 111.0) == "error"


def _info(h: Health, poll_s: float = 2.0) -> StatusInfo:
    return StatusInfo(domain="example.com", domain_index=0, domain_count=1, log_health=h,
                      series_health=Health(state="ok", last_ok=h.last_ok), poll_s=poll_s,
                      entries=0, shown=0, evicted=0, classes="all", text_filter="",
                      following=True, paused=False, new_count=0, tz_label="UTC")


def test_the_text_changes_with_the_level_not_only_the_colour() -> None:
    fresh = render_status(_info(Health(state="ok", last_ok=100.0)), now=102.0).plain
    assert "● ok" in fresh and "updated 2s ago  poll 2s" in fresh
    late = render_status(_info(Health(state="ok", last_ok=100.0)), now=106.0).plain
    assert "● ok" not in late and "◔ late" in late and "updated 6s ago (overdue)" in late
    stale = render_status(_info(Health(state="ok", last_ok=100.0)), now=115.0).plain
    assert "● ok" not in stale and "updated 15s ago (long overdue)" in stale
    # after `-` to 2 s, 56 s without an update is not shown as fine
    after_minus = render_status(_info(Health(state="ok", last_ok=100.0)), now=156.0).plain
    assert "(long overdue)" in after_minus


def test_other_domains_alerting_show_a_badge_in_words() -> None:
    info = _info(Health(state="ok", last_ok=100.0))
    info.other_alerts = 1
    first = render_status(info, now=100.0).plain.splitlines()[0]
    assert first.startswith(" s4top   !1 other domain  example.com")
    info.alert = "5XX 9.0% (baseline 1.0%)"
    info.other_alerts = 2
    lines = render_status(info, now=100.0).plain.splitlines()
    assert lines[0].startswith(" ALERT 5XX 9.0% (baseline 1.0%)  ● ok  example.com  updated")
    assert lines[1].startswith(" !2 other domains  ")


def test_in_an_alert_at_80_columns_the_retry_countdown_is_not_cut_off() -> None:
    """The countdown and its key come before the reason, which is what the ellipsis cuts."""
    from dataclasses import replace

    long = "connection refused by cdn.example.com (errno 111) after 3 tries, giving up"
    for state, message in [("auth", ""), ("offline", long), ("degraded", long)]:
        h = Health(state=state, message=message, retry_at=142.0, last_ok=10.0)
        info = replace(_info(h), alert="5XX 24.6% (baseline 0.4%)",
                       domain="assets.example-cdn.com", token_source="env S4TOP_TOKEN")
        first = render_status(info, now=100.0).plain.split("\n")[0]
        assert "retry in 42s (ctrl+r)" in first[:80], (state, first)
        reason = "check the token" if state == "auth" else "connection refused"
        assert first.index("retry in") < first.index(reason)
    # no countdown: the reason follows the health word as before
    h = Health(state="auth", last_ok=10.0)
    assert "✖ auth error: check the token (env)" in render_status(
        replace(_info(h), token_source="env"), now=100.0).plain
