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

Counts are exact. The window's rows are chosen in one pass over the time column, then each
column is counted over those rows once (Counter, in C); the URL-derived and IP-derived
dimensions fold the counts of distinct values, so their cost is per distinct value.
Pure: the dashboard (tui/screens/explain.py), `s4top explain` and the alert toast share it.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tui.core.models import LogEntry

DIMENSIONS = ("url", "dir", "ip", "net", "country", "status", "method", "cache")
FOCI = ("5XX", "4XX", "MISS", "all")
MISSING = "-"  # the bucket of entries without the value (as the top-N panels show it)
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


@dataclass(slots=True)
class Columns:
    """Parallel columns of entries, oldest first (LogBuffer.columns, or built from entries)."""

    time: Sequence[int]
    status: Sequence[int]
    method: Sequence[str]
    ip: Sequence[str]
    url: Sequence[str]
    country: Sequence[str]
    cache: Sequence[str]
    xkeys: Sequence[tuple[Any, ...] | None] = field(default_factory=list)
    xvals: Sequence[tuple[Any, ...] | None] = field(default_factory=list)


NAMES = ("time", "status", "method", "ip", "url", "country", "cache", "xkeys", "xvals")


def columns_of_buffer(buf: Any) -> Columns:
    """The live buffer's columns (tui/core/buffer.py), without rebuilding entries."""
    return Columns(*buf.columns(*NAMES))


def columns_of_entries(entries: Sequence[LogEntry]) -> Columns:
    """Columns of a list of entries (the command line reads a window into a list)."""
    return Columns(
        [e.time_ns for e in entries], [e.status for e in entries], [e.method for e in entries],
        [e.client_ip for e in entries], [e.url for e in entries], [e.country for e in entries],
        [e.cache for e in entries], [tuple(e.extra) if e.extra else None for e in entries],
        [tuple(e.extra.values()) if e.extra else None for e in entries])


# ---- values of the derived dimensions ----------------------------------------------------


@lru_cache(maxsize=1 << 18)
def url_key(url: str) -> str:
    """The URL without its query or fragment."""
    for sep in ("?", "#"):
        at = url.find(sep)
        if at >= 0:
            url = url[:at]
    return url or MISSING


@lru_cache(maxsize=1 << 18)
def dir_key(url: str) -> str:
    """The directory of a URL (query dropped): https://h/a/b.png -> https://h/a/."""
    url = url_key(url)
    if url == MISSING:
        return url
    scheme = url.find("://")
    path_at = url.find("/", scheme + 3) if scheme >= 0 else url.find("/")
    if path_at < 0:
        return url + "/"
    return url[: url.rfind("/") + 1]


@lru_cache(maxsize=1 << 18)
def net_key(ip: str) -> str:
    """The client network: /24 for IPv4, /48 for IPv6; anything else stays as it is."""
    if not ip:
        return MISSING
    head, _, last = ip.rpartition(".")
    if last.isdigit() and head.count(".") == 2 and head.replace(".", "").isdigit():
        return f"{head}.0/24"  # a dotted quad, the common case: no ipaddress objects
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    bits = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{bits}", strict=False))


def _text(v: Any) -> str:
    return MISSING if v is None or v == "" else str(v)


# ---- counting ----------------------------------------------------------------------------


class _Rows:
    """Which rows are the selection and which the baseline, and each column's value counts
    over both. The window is found by bisection on the time column and checked with min/max
    over the slices (C speed, and right even for a column not sorted inside the window);
    then a focus class is counted by (status, value) pairs in one C pass per column. Only
    when the check fails (times out of order across the window's edges) are row indices
    chosen one by one."""

    def __init__(self, cols: Columns, focus: str, start: int, end: int, span: int) -> None:
        times = cols.time
        self.cols, self.focus = cols, focus
        self.idx: tuple[list[int], list[int]] | None = None
        self.keys: Sequence[Any] = ()
        lo, hi = _slice(times, start, end)
        if focus == "all":
            b_lo, b_hi = _slice(times, start - span, start - 1) if span > 0 else (lo, lo)
            if lo >= 0 and b_lo >= 0:
                self.sel, self.base = (lo, hi), (b_lo, b_hi)
                self.n_sel, self.n_base = hi - lo, b_hi - b_lo
                return
        elif lo >= 0:
            self.window = (lo, hi)
            keys = (cols.cache if focus == "MISS" else cols.status)[lo:hi]
            found: list[int] = []
            for k in Counter(keys):
                if _in_focus(focus, k):
                    found += _positions(keys, k, lo)
            found.sort()
            self.sel_rows = found
            self.n_sel, self.n_base = len(found), (hi - lo) - len(found)
            return
        sel, base = _split(cols, focus, start, end, span)
        self.idx = (sel, base)
        self.n_sel, self.n_base = len(sel), len(base)

    def count(self, *columns: Sequence[Any]) -> tuple[Counter, Counter]:
        """Value counts of the selection and the baseline (a tuple of values for several
        columns)."""
        if self.idx is not None:
            out = []
            for rows in self.idx:
                got = [map(c.__getitem__, rows) for c in columns]
                out.append(Counter(got[0] if len(got) == 1 else zip(*got, strict=True)))
            return out[0], out[1]
        if self.focus == "all":
            (a, b), (c, d) = self.sel, self.base
            return _count_slice(columns, a, b), _count_slice(columns, c, d)
        lo, hi = self.window
        base = _count_slice(columns, lo, hi)  # the window, then the selection taken out
        got = [map(c.__getitem__, self.sel_rows) for c in columns]
        sel = Counter(got[0] if len(got) == 1 else zip(*got, strict=True))
        for v, n in sel.items():
            left = base[v] - n
            if left:
                base[v] = left
            else:
                del base[v]
        return sel, base


def _positions(values: Any, v: Any, offset: int) -> list[int]:
    """Where `v` occurs in `values` (a list or array), plus `offset`: the search runs in C,
    Python only steps from one hit to the next."""
    out: list[int] = []
    find = values.index
    i = -1
    try:
        while True:
            i = find(v, i + 1)
            out.append(i + offset)
    except ValueError:
        return out


def _count_slice(columns: tuple[Sequence[Any], ...], a: int, b: int) -> Counter:
    if len(columns) == 1:
        return Counter(columns[0][a:b])
    return Counter(zip(*(c[a:b] for c in columns), strict=True))


def _in_focus(focus: str, key: Any) -> bool:
    if focus == "MISS":
        return isinstance(key, str) and key.upper() == "MISS"
    return isinstance(key, int) and key // 100 == int(focus[0])


def _slice(times: Sequence[int], lo_t: int, hi_t: int) -> tuple[int, int]:
    """(lo, hi): the rows with lo_t <= time <= hi_t are exactly times[lo:hi]; (-1, -1) when
    they are not one slice."""
    lo = bisect_left(times, lo_t)
    hi = max(lo, bisect_right(times, hi_t))
    inside = times[lo:hi]
    if inside and (min(inside) < lo_t or max(inside) > hi_t):
        return -1, -1
    if (lo and max(times[:lo]) >= lo_t) or (hi < len(times) and min(times[hi:]) <= hi_t):
        return -1, -1
    return lo, hi


def _split(cols: Columns, focus: str, start_ns: int, end_ns: int,
           baseline_ns: int) -> tuple[list[int], list[int]]:
    """Row indices of the selection and the baseline (one pass over the time column)."""
    sel: list[int] = []
    base: list[int] = []
    add_s, add_b = sel.append, base.append
    times = cols.time
    if focus == "all":
        b0 = start_ns - baseline_ns
        for j, t in enumerate(times):
            if start_ns <= t <= end_ns:
                add_s(j)
            elif b0 <= t < start_ns:
                add_b(j)
        return sel, base
    key_col = cols.cache if focus == "MISS" else cols.status
    memo: dict[Any, bool] = {}
    for j, (t, k) in enumerate(zip(times, key_col, strict=False)):
        if start_ns <= t <= end_ns:
            m = memo.get(k)
            if m is None:
                m = memo[k] = _in_focus(focus, k)
            (add_s if m else add_b)(j)
    return sel, base


def _fold(raw: Counter, key: Any) -> Counter:
    """Counts of raw values regrouped by `key(value)`, evaluated once per distinct value."""
    out: Counter = Counter()
    for v, n in raw.items():
        out[key(v)] += n
    return out


def _status_text(s: Any) -> str:
    return str(s) if s else MISSING


def _counts(rows: _Rows, dims: Sequence[str], extras: bool) -> tuple[dict[str, Counter], ...]:
    """Per dimension, its value counts over the selection and over the baseline; URL and IP
    derived ones fold the counts of the distinct raw values."""
    cols = rows.cols
    out: tuple[dict[str, Counter], dict[str, Counter]] = ({}, {})
    raw: dict[str, tuple[Counter, Counter]] = {}

    def of(name: str) -> tuple[Counter, Counter]:
        if name not in raw:
            raw[name] = rows.count(getattr(cols, name))
        return raw[name]

    derived = {"url": ("url", url_key), "dir": ("url", dir_key), "ip": ("ip", _text),
               "net": ("ip", net_key), "status": ("status", _status_text)}
    for d in dims:
        column, key = derived.get(d, (d, _text))
        for side, counts in zip(out, of(column), strict=True):
            side[d] = _fold(counts, key)
    if extras and cols.xkeys:
        try:
            shapes = rows.count(cols.xkeys, cols.xvals)
        except TypeError:  # an unhashable value (a JSON list or object): counted as text
            texts = [None if v is None else tuple(map(repr, v)) for v in cols.xvals]
            shapes = rows.count(cols.xkeys, texts)
        for side, counts, total in zip(out, shapes, (rows.n_sel, rows.n_base), strict=True):
            side.update(_extra_counts(counts, total))
    return out


def _extra_counts(shapes: Counter, total: int) -> dict[str, Counter]:
    """Counts per extra field from counts of (keys, values) (a missing field: MISSING)."""
    per: dict[str, Counter] = {}
    for (keys, vals), n in shapes.items():
        if keys is None or vals is None:
            continue
        for k, v in zip(keys, vals, strict=False):
            name = str(k)
            name = f"extra.{name}" if name in DIMENSIONS else name
            c = per.get(name)
            if c is None:
                c = per[name] = Counter()
            c[_text(v)] += n
    for c in per.values():
        c[MISSING] += total - sum(c.values())
        if not c[MISSING]:
            del c[MISSING]
    return per


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
    rows = _Rows(cols, focus, start_ns, end_ns, span)
    n_sel, n_base = rows.n_sel, rows.n_base
    dims = [d for d in (by or DIMENSIONS) if d != _LEFT_OUT[focus]]
    cs, cb = _counts(rows, dims, by is None)
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
