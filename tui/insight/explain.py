"""What distinguishes a spike: a selection of log entries compared with a baseline, dimension
by dimension (URL, directory, client IP and network, country, status, method, cache status,
and extra fields with few distinct values such as a user agent).

- Focus 5XX / 4XX / MISS: the selection is the focus entries of the window, the baseline the
  other entries of the same window; the dimension that defines the focus (status, cache) is
  left out, as it would always rank first and say nothing.
- Focus all: the selection is the window, the baseline the span before it.

A dimension's score is the total variation distance between the two distributions (half the
sum of the share differences). Values without support (fewer than `min_count` entries or
`min_share` of their side) are pooled into one bucket before it is taken, so a long tail of
odd values cannot make a dimension look different; a missing value is a bucket of its own.
Within a dimension the values with support in the selection are ranked by share difference.

Counts are exact and each column is read once (tui/insight/explain_count.py).
Pure: the dashboard (tui/screens/explain.py), `s4top explain` and the alert toast share it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# the columns and the counting live in tui/insight/explain_count.py; importable from here
from tui.insight.explain_count import (  # noqa: F401
    DIMENSIONS,
    MISSING,
    Columns,
    Rows,
    columns_of_buffer,
    columns_of_entries,
    counts,
    dir_key,
    net_key,
    url_key,
)

FOCI = ("5XX", "4XX", "MISS", "all")
#: an extra field counts as a dimension when it has at most this many distinct values
MAX_EXTRA_VALUES = 30
_LEFT_OUT = {"5XX": "status", "4XX": "status", "MISS": "cache", "all": None}


@dataclass(frozen=True, slots=True)
class Finding:
    """One value of one dimension; shares and delta are fractions 0..1."""

    dimension: str
    value: str
    selection_share: float
    baseline_share: float
    delta: float
    ratio: float | None  # None when the baseline share is 0
    count: int  # entries of the selection with this value
    score: float  # the dimension's divergence (the same for each of its values)

    def to_json(self) -> dict[str, Any]:
        r6 = _round6
        return {"dimension": self.dimension, "value": self.value,
                "selection_share": r6(self.selection_share),
                "baseline_share": r6(self.baseline_share), "delta": r6(self.delta),
                "ratio": None if self.ratio is None else r6(self.ratio), "count": self.count,
                "score": r6(self.score)}


def _round6(x: float) -> float:
    return round(x, 6)


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    score: float
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    focus: str
    selected: int  # entries in the selection
    baseline: int  # entries in the baseline
    dimensions: tuple[Dimension, ...] = ()  # best first; only those with findings

    def rows(self, top: int | None = None) -> list[Finding]:
        """Every finding, best dimension first, `top` per dimension (the JSON array)."""
        return [f for d in self.dimensions for f in d.findings[:top]]

    def top_finding(self) -> Finding | None:
        """The most over-represented value of the best dimension (None: nothing stands out)."""
        for d in self.dimensions:
            for f in d.findings:
                if f.delta > 0:
                    return f
            break
        return None



# ---- ranking -----------------------------------------------------------------------------


def _score(sel: Counter, base: Counter, n_sel: int, n_base: int, min_count: int,
           min_share: float) -> float:
    """Total variation distance with the unsupported values pooled (module docstring)."""
    if not n_sel or not n_base:
        return 0.0
    t_s, t_b = max(min_count, min_share * n_sel), max(min_count, min_share * n_base)
    own = {v for v, c in sel.items() if c >= t_s} | {v for v, c in base.items() if c >= t_b}
    own.add(MISSING)
    # in whole numbers (shares times n_sel * n_base): exact, so equal scores tie exactly
    # whatever order the values come in (set order varies from run to run)
    diff = 0
    pool_s, pool_b = n_sel, n_base
    for v in own:
        s, b = sel.get(v, 0), base.get(v, 0)
        diff += abs(s * n_base - b * n_sel)
        pool_s -= s
        pool_b -= b
    diff += abs(pool_s * n_base - pool_b * n_sel)
    return diff / (2 * n_sel * n_base)


def _dimension(name: str, sel: Counter, base: Counter, n_sel: int, n_base: int,
               min_count: int, min_share: float) -> Dimension:
    score = _score(sel, base, n_sel, n_base, min_count, min_share)
    found = []
    t_s = max(min_count, min_share * n_sel)
    for v, c in [(v, c) for v, c in sel.items() if c >= t_s]:
        ps = c / n_sel
        pb = base.get(v, 0) / n_base if n_base else 0.0
        found.append(Finding(name, v, ps, pb, ps - pb, ps / pb if pb else None, c, score))
    found.sort(key=lambda f: (-f.delta, -f.count, f.value))
    return Dimension(name, score, tuple(found))


def explain(cols: Columns, focus: str, start_ns: int, end_ns: int, *,
            baseline_ns: int | None = None, by: Sequence[str] | None = None,
            min_count: int = 5, min_share: float = 0.01) -> Explanation:
    """Compare the selection of `focus` over [start_ns, end_ns] with its baseline.

    `baseline_ns`: for focus all, the length of the span before the window (default: as long
    as the window). `by`: the dimensions to compare (default all, extra fields included).
    """
    if focus not in FOCI:
        raise ValueError(f"unknown focus {focus!r}: expected one of {', '.join(FOCI)}")
    unknown = [d for d in by or () if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension {unknown[0]!r}: expected {', '.join(DIMENSIONS)}")
    span = baseline_ns if baseline_ns is not None else max(0, end_ns - start_ns)
    rows = Rows(cols, focus, start_ns, end_ns, span)
    n_sel, n_base = rows.n_sel, rows.n_base
    dims = [d for d in (by or DIMENSIONS) if d != _LEFT_OUT[focus]]
    cs, cb = counts(rows, dims, by is None)
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    out = []
    for name in cs.keys() | cb.keys():
        # an extra field one side never carries: all of that side is missing it
        s = cs.get(name) or Counter({MISSING: n_sel} if n_sel else {})
        b = cb.get(name) or Counter({MISSING: n_base} if n_base else {})
        if set(s) | set(b) <= {MISSING}:
            continue  # nobody carries it (e.g. no cache status in these logs)
        if name not in order and len(s.keys() | b.keys()) > MAX_EXTRA_VALUES:
            continue  # an extra field with many values (a request id, a referer) says little
        d = _dimension(name, s, b, n_sel, n_base, min_count, min_share)
        if d.findings:
            out.append(d)
    out.sort(key=lambda d: (-d.score, order.get(d.name, len(order)), d.name))
    return Explanation(focus, n_sel, n_base, tuple(out))
