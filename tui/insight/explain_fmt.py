"""How an explanation's numbers read, the same in `s4top explain`, the `w` screen and the
alert toast: shares as "91.0 %", differences in percentage points ("+88.5 pp"), ratios as
"×15.3" ("new" when the value was absent from the baseline). Pure; values are not sanitised
here (the callers pass them through tui/core/sanitize.py)."""

from __future__ import annotations

from tui.insight.explain import Explanation, Finding

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
