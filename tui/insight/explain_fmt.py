"""How an explanation's numbers read, the same in `s4top explain`, the `w` screen and the
alert toast: shares as "91.0 %", differences in percentage points ("+88.5 pp"), ratios as
"×15.3" ("new" when the value was absent from the baseline). Pure; values are not sanitised
here (the callers pass them through tui/core/sanitize.py)."""

from __future__ import annotations

from typing import Any

from tui.core.fieldfilter import regex_literal
from tui.core.sanitize import inert
from tui.insight.alerts import AlertState
from tui.insight.explain import MISSING, Explanation, Finding, columns_of_buffer, explain
from tui.insight.top import drill_filter

#: how each dimension is titled (an extra field is titled by its own name)
TITLES = {"url": "URL", "dir": "directory", "ip": "client IP", "net": "client network",
          "country": "country", "status": "status", "method": "method", "cache": "cache"}
FOCUS_WORDS = {"5XX": "5XX", "4XX": "4XX", "MISS": "MISS", "all": "all requests"}


def pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def pp(delta: float) -> str:
    return f"{delta * 100:+.1f} pp"


def times(ratio: float | None) -> str:
    if ratio is None:
        return "new"
    return f"×{ratio:.1f}" if ratio < 100 else f"×{ratio:.0f}"


def title(dimension: str) -> str:
    return TITLES.get(dimension, dimension)


def summary(ex: Explanation, window: str) -> str:
    """'5XX, last 5m: 475 requests against 7.7k others' (plain text)."""
    from tui.core.units import format_count

    if ex.focus == "all":
        return (f"all requests, {window}: {format_count(ex.selected)} against "
                f"{format_count(ex.baseline)} in the span before")
    return (f"{ex.focus}, {window}: {format_count(ex.selected)} requests against "
            f"{format_count(ex.baseline)} others")


def finding_text(f: Finding, value: str) -> str:
    """'/data/catalog.json is 91 % of them' (the toast's half sentence)."""
    return f"{value} is {f.selection_share * 100:.0f} % of them"


# ---- what the dashboard does with a row ----------------------------------------------------

#: alert kind (tui/insight/alerts.py) -> the focus that explains it, most urgent first
ALERT_FOCUS = {"5xx": "5XX", "4xx": "4XX", "origin": "MISS"}
FOCUS_TERMS = {"5XX": "code:5xx", "4XX": "code:4xx", "MISS": "cache:MISS", "all": ""}
TAGGABLE = ("url", "dir")


def alert_focus(alerts: dict[str, AlertState]) -> tuple[str, int | None]:
    """The focus of the alerting class and when its alert began (5XX and None when none
    alerts): what `w` explains."""
    for kind, focus in ALERT_FOCUS.items():
        a = alerts.get(kind)
        if a is not None and a.active:
            return focus, a.since_s
    return "5XX", None


def drill_text(focus: str, dimension: str, value: str) -> str | None:
    """A log filter selecting the focus entries with this value (field terms, see
    tui/core/fieldfilter.py); None for an extra field, which no filter field reads."""
    term = _value_term(dimension, value)
    if term is None:
        return None
    return f"{FOCUS_TERMS[focus]} {term}".strip()


def _value_term(dimension: str, value: str) -> str | None:
    blank = "" if value == MISSING else value
    if dimension == "url":  # the URL without its query: any query matches
        return f"url:/^{regex_literal(blank)}([?#]|$)/" if blank else "url:/^$/"
    if dimension == "dir":  # the objects directly in it, as the row counted them
        return f"url:/^{regex_literal(blank)}[^/?#]*([?#]|$)/" if blank else "url:/^$/"
    if dimension == "net" and "/" in value:
        return f"ip:{value}"
    if dimension in ("ip", "net"):
        return drill_filter("ip", blank)
    if dimension == "method":
        return f"method:{value}" if value and not any(c.isspace() for c in value) else None
    if dimension in ("country", "status", "cache"):
        return drill_filter(dimension, blank)
    return None


def short_value(dimension: str, value: str, domain: str) -> str:
    """A URL or directory on the domain itself as its path (what a toast has room for)."""
    if dimension in TAGGABLE:
        for scheme in ("https://", "http://"):
            if value.startswith(scheme + domain + "/"):
                return value[len(scheme + domain):]
    return value


def alert_hint(buffer: Any, kind: str, since_s: int, now_s: float, domain: str) -> str:
    """What an alert's toast adds, computed once when it fires: the top value of the top
    dimension over the alert's span ("/data/catalog.json is 91 % of them; w explains")."""
    focus = ALERT_FOCUS.get(kind, "5XX")
    end = int(now_s * 1_000_000_000)
    start = since_s * 1_000_000_000 if 0 < since_s <= now_s else end - 60 * 1_000_000_000
    found = explain(columns_of_buffer(buffer), focus, start, end).top_finding()
    if found is None:
        return "w explains"
    value = inert(short_value(found.dimension, found.value, domain), 80)
    return f"{finding_text(found, value)}; w explains"
