"""Counting for the explanation (tui/insight/explain.py): which rows are the selection and
the baseline, and each dimension's value counts over both, exact, from the buffer's columns.

The window is found by bisection on the time column and checked with min/max over the
slices (C speed, and right even when times are not sorted inside the window). Each column is
then counted once over the window's slice (Counter, in C); the selection of a class or MISS
is found by C searches for its codes, counted over those rows, and taken out of the window's
counts to leave the baseline. URL- and IP-derived dimensions fold the counts of the distinct
raw values. Only when the check fails (times out of order across the window's edges) are the
rows chosen one by one.
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
MISSING = "-"  # the bucket of entries without the value (as the top-N panels show it)

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


class Rows:
    """Which rows are the selection and which the baseline (module docstring), and each
    column's value counts over both."""

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


def counts(rows: Rows, dims: Sequence[str], extras: bool) -> tuple[dict[str, Counter], ...]:
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
        shapes = _shapes(rows, cols)
        for side, counts, total in zip(out, shapes, (rows.n_sel, rows.n_base), strict=True):
            side.update(_extra_counts(counts, total))
    return out


def _shapes(rows: Rows, cols: Columns) -> tuple[Counter, Counter]:
    """Counts of (extra keys, extra values) over both sides. Entries of one shape share one
    keys tuple (tui/core/buffer.py): then the values alone are counted, no pairs made."""
    xk, xv = cols.xkeys, cols.xvals
    try:
        if len(set(map(id, xk))) == 1:
            keys = xk[0]
            one = rows.count(xv)
            return (Counter({(keys, v): n for v, n in one[0].items()}),
                    Counter({(keys, v): n for v, n in one[1].items()}))
        return rows.count(xk, xv)
    except TypeError:  # an unhashable value (a JSON list or object): counted as text
        texts = [None if v is None else tuple(map(repr, v)) for v in xv]
        return rows.count(xk, texts)


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
