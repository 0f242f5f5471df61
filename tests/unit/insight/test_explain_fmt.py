"""How explanation rows read and what their drill filters select (tui/insight/explain_fmt.py)."""

from __future__ import annotations

from tui.core.buffer import LogBuffer
from tui.core.logfilter import LogFilter
from tui.core.models import LogEntry
from tui.insight.alerts import AlertState
from tui.insight.explain_fmt import alert_focus, drill_text, pct, pp, times


def test_numbers_carry_units() -> None:
    assert (pct(0.9126), pp(0.885), pp(-0.02), times(15.26), times(None), times(250.0)) == (
        "91.3 %", "+88.5 pp", "-2.0 pp", "×15.3", "new", "×250")


def test_the_alerting_class_is_explained_5xx_first() -> None:
    assert alert_focus({}) == ("5XX", None)
    alerts = {"origin": AlertState("origin", active=True, since_s=50),
              "4xx": AlertState("4xx", active=True, since_s=70),
              "5xx": AlertState("5xx", active=False, since_s=10, ended_s=20)}
    assert alert_focus(alerts) == ("4XX", 70)
    del alerts["4xx"]
    assert alert_focus(alerts) == ("MISS", 50)


def shown(entries: list[LogEntry], text: str) -> list[int]:
    buf = LogBuffer(100)
    buf.extend(entries)
    buf.set_filter(LogFilter().with_text(text))
    return [buf.view_seq(i) for i in range(buf.view_len)]


def test_drill_filters_select_the_focus_entries_with_the_value() -> None:
    es = [LogEntry(1, 503, "GET", "10.0.0.7", 1, "https://h/a b.png?x=1", "US", "MISS"),
          LogEntry(2, 200, "GET", "10.0.0.7", 1, "https://h/a b.png", "US", "HIT"),
          LogEntry(3, 502, "HEAD", "10.0.1.7", 1, "https://h/a b.png.bak", "", "MISS"),
          LogEntry(4, 504, "GET", "2001:db8:1::9", 1, "https://h/d/x.js", "JP", "HIT")]
    cases = {("url", "https://h/a b.png"): [0], ("dir", "https://h/"): [0, 2],
             ("ip", "10.0.0.7"): [0], ("net", "10.0.0.0/24"): [0],
             ("net", "2001:db8:1::/48"): [3], ("country", "-"): [2], ("country", "JP"): [3],
             ("status", "502"): [2], ("method", "HEAD"): [2], ("cache", "HIT"): [3]}
    for (dim, value), want in cases.items():
        assert shown(es, drill_text("5XX", dim, value)) == want, (dim, value)
    assert shown(es, drill_text("all", "url", "https://h/a b.png")) == [0, 1]
    assert shown(es, drill_text("MISS", "country", "US")) == [0]
    assert drill_text("5XX", "ua", "curl/8") is None


def test_the_alert_hint_names_the_top_value_of_the_top_dimension() -> None:
    from tui.insight.explain_fmt import alert_hint

    site = "https://cdn.example.com"
    es = [LogEntry(100 * 10**9 + i, 503, "GET", "10.0.0.1", 1, f"{site}/data/catalog.json")
          for i in range(9)]
    es.append(LogEntry(100 * 10**9, 503, "GET", "10.0.0.1", 1, f"{site}/img/a.png"))
    es += [LogEntry(100 * 10**9, 200, "GET", "10.0.0.1", 1, f"{site}/data/prices.json")] * 50
    es += [LogEntry(100 * 10**9, 200, "GET", "10.0.0.1", 1, f"{site}/img/b.png")] * 50
    es.append(LogEntry(10 * 10**9, 503, "GET", "10.0.0.1", 1, f"{site}/old.html"))  # before
    buf = LogBuffer(1000)
    buf.extend(es)
    hint = alert_hint(buf, "5xx", 90, 101.0, "cdn.example.com")
    assert hint == "/data/catalog.json is 90 % of them; w explains"
    assert alert_hint(buf, "4xx", 90, 101.0, "cdn.example.com") == "w explains"
    # a hostile value reaches the toast inert
    buf.extend([LogEntry(100 * 10**9, 502, "GET", "10.0.0.1", 1, "\x1b]52;c;x\x07")] * 200)
    assert "\x1b" not in alert_hint(buf, "5xx", 90, 101.0, "cdn.example.com")
