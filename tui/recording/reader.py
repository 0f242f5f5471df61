"""Fast reads of a recording (tui/recording/schema.py): what the replay serves and shows.

Every log read is a time window of one domain through the (domain, time_ns, id) index, in
read order (time, then `id`), so a page is one index range scan however large the file. Rows
come back either as `LogEntry` (with the `source_keys` of their wire shape, so the detail
view and `--json` are what the live API gave) or as the wire dict itself (original key
names, for the simulator that serves the file). SQL is always parameterised. One connection
per thread: the simulator's HTTP server answers each connection in its own thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.core.models import LogEntry

from .schema import RecordingError, connect

NS = 1_000_000_000
#: bucket width of the periods the series can be summed from the entries (no monthly)
PERIOD_S = {"hourly": 3600, "daily": 86400}
#: which of the summed columns (requests, traffic, origin requests, origin traffic) a metric is
_METRIC_COL = {"request": 0, "traffic": 1, "request_origin": 2, "traffic_origin": 3}
_COLS = "time_ns, status, method, client_ip, size, url, country, cache, extra, shape"
#: the wire keys of a row whose shape is unknown (the simulator's default shape)
DEFAULT_KEYS = {"time_ns": "access_time", "status": "code", "method": "method",
                "client_ip": "ip", "size": "size", "url": "path", "country": "country",
                "cache": "cache"}
_FIELDS = ("time_ns", "status", "method", "client_ip", "size", "url", "country", "cache")


@dataclass(frozen=True, slots=True)
class Span:
    """The recorded range: first and last access time (ns) over every domain."""

    start_ns: int
    end_ns: int


class Recording:
    """A recording opened read-only. Cheap to open: nothing is read until asked."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []
        self._shapes: dict[int, dict[str, str]] = {}
        self._meta: dict[str, str] | None = None
        self._span: Span | None = None
        self._domains: list[str] | None = None
        self._bucket_cache: dict[tuple[str, int], list[tuple[int, tuple[float, ...]]]] = {}
        self._conn()  # a file that is not a recording fails here, with a one-line message

    # -- plumbing ----------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, readonly=True)
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise RecordingError(f"{self.path}: cannot read the recording ({exc})") from None

    def close(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            try:
                c.close()
            except sqlite3.ProgrammingError:
                pass  # made in another thread that is gone; SQLite closes it with the thread
        self._local = threading.local()

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what the file is ---------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        if self._meta is None:
            self._meta = {k: v for k, v in self._rows("SELECT key, value FROM meta", ())}
        return dict(self._meta)

    def domains(self) -> list[str]:
        """The recorded domains: the metadata's list, else those that have entries."""
        if self._domains is None:
            listed: list[str] = []
            try:
                raw = json.loads(self.meta().get("domains", "[]"))
                listed = [d for d in raw if isinstance(d, str) and d] if isinstance(
                    raw, list) else []
            except ValueError:
                listed = []
            found: list[str] = []
            row = self._rows("SELECT MIN(domain) FROM logs", ())
            while row and row[0][0] is not None:  # a skip scan of the index, not of the rows
                found.append(row[0][0])
                row = self._rows("SELECT MIN(domain) FROM logs WHERE domain > ?", (found[-1],))
            self._domains = listed + sorted(d for d in found if d not in listed)
        return list(self._domains)

    def span(self) -> Span:
        """First and last access time: the metadata's range where given, widened to the
        entries (the index gives each domain's ends in two lookups)."""
        if self._span is None:
            lo: int | None = None
            hi: int | None = None
            for d in self.domains():
                # one aggregate per query: each is a single index lookup (both at once scan)
                first = (self._rows("SELECT MIN(time_ns) FROM logs WHERE domain = ?", (d,))[0][0],
                         self._rows("SELECT MAX(time_ns) FROM logs WHERE domain = ?", (d,))[0][0])
                if first[0] is not None:
                    lo = first[0] if lo is None else min(lo, first[0])
                    hi = first[1] if hi is None else max(hi, first[1])
            m = self.meta()
            for key, pick in (("range_start_ns", min), ("range_end_ns", max)):
                v = _int_or_none(m.get(key))
                if v is not None:
                    if key == "range_start_ns":
                        lo = v if lo is None else pick(lo, v)
                    else:
                        hi = v if hi is None else pick(hi, v)
            if lo is None or hi is None:
                raise RecordingError(f"{self.path} holds no log entries and no range")
            self._span = Span(lo, max(lo, hi))
        return self._span

    def count(self, domain: str) -> int:
        return int(self._rows("SELECT COUNT(*) FROM logs WHERE domain = ?", (domain,))[0][0])

    # -- log entries ---------------------------------------------------------------------

    def _window_rows(self, domain: str, lo_ns: int, hi_ns: int, digit: int | None,
                     limit: int | None) -> list[tuple[Any, ...]]:
        sql = f"SELECT {_COLS} FROM logs WHERE domain = ? AND time_ns >= ? AND time_ns <= ?"
        params: list[Any] = [domain, lo_ns, hi_ns]
        if digit is not None:
            sql += " AND status >= ? AND status < ?"
            params += [digit * 100, digit * 100 + 100]
        sql += " ORDER BY time_ns, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return self._rows(sql, tuple(params))

    def window(self, domain: str, lo_ns: int, hi_ns: int, *, digit: int | None = None,
               limit: int | None = None) -> list[LogEntry]:
        """Entries with lo_ns <= time <= hi_ns (both inclusive), in read order; only the
        status class `digit` (2-5) when given; at most `limit`."""
        return [self._entry(r) for r in self._window_rows(domain, lo_ns, hi_ns, digit, limit)]

    def wire_window(self, domain: str, lo_ns: int, hi_ns: int, *, digit: int | None = None,
                    limit: int | None = None, shift_ns: int = 0) -> list[dict[str, Any]]:
        """The same window as the API's wire dicts (original keys), times moved by
        `shift_ns` (the simulator's offset)."""
        out = []
        plans: dict[int | None, _WirePlan | None] = {}
        for r in self._window_rows(domain, lo_ns, hi_ns, digit, limit):
            shape = r[9]
            if shape not in plans:
                plans[shape] = _WirePlan.of(self._keys(shape))
            plan = plans[shape]
            raw = self._wire_slow(r, shift_ns) if plan is None else plan.wire(r, shift_ns)
            if r[8]:
                raw.update(_extra(r[8]))
            out.append(raw)
        return out

    def _wire_slow(self, r: tuple[Any, ...], shift_ns: int) -> dict[str, Any]:
        """One row's wire dict field by field (a shape that maps two fields to one key)."""
        keys = self._keys(r[9])
        raw: dict[str, Any] = {}
        for name, value in zip(_FIELDS, r[:8], strict=True):
            key = keys.get(name)
            if key is not None and (value is not None or name not in ("country", "cache")):
                raw[key] = value + shift_ns if name == "time_ns" else value
        return raw

    def iter_entries(self, domain: str, lo_ns: int, hi_ns: int,
                     batch: int = 5000) -> Iterator[LogEntry]:
        """Every entry of the window, read a batch at a time (memory does not grow)."""
        sql = (f"SELECT id, {_COLS} FROM logs WHERE domain = ? AND time_ns >= ? AND "
               "time_ns <= ? AND (time_ns > ? OR (time_ns = ? AND id > ?)) "
               "ORDER BY time_ns, id LIMIT ?")
        last_t, last_id = lo_ns - 1, -1
        while True:
            rows = self._rows(sql, (domain, lo_ns, hi_ns, last_t, last_t, last_id, batch))
            for r in rows:
                yield self._entry(r[1:])
            if len(rows) < batch:
                return
            last_t, last_id = rows[-1][1], rows[-1][0]

    def _keys(self, shape: int | None) -> dict[str, str]:
        if shape is None:
            return DEFAULT_KEYS
        keys = self._shapes.get(shape)
        if keys is None:
            got = self._rows("SELECT source_keys FROM shapes WHERE id = ?", (shape,))
            keys = DEFAULT_KEYS
            if got:
                try:
                    obj = json.loads(got[0][0])
                    if isinstance(obj, dict):
                        keys = {str(k): str(v) for k, v in obj.items()}
                except ValueError:
                    pass
            self._shapes[shape] = keys
        return keys

    def _entry(self, r: tuple[Any, ...]) -> LogEntry:
        return LogEntry(time_ns=r[0], status=r[1], method=r[2], client_ip=r[3], size=r[4],
                        url=r[5], country=r[6] or "", cache=r[7] or "", extra=_extra(r[8]),
                        source_keys=self._keys(r[9]))

    # -- series and refreshes ------------------------------------------------------------

    def series(self, domain: str, metric: str, period: str, lo_s: int, hi_s: int,
               upto_ns: int | None = None) -> list[tuple[int, float]]:
        """Recorded buckets that start in [lo_s, hi_s], ascending; where the file has none
        of this metric and period, the buckets are summed from the entries (requests =
        entries, traffic = sizes, origin = the MISS entries) up to `upto_ns` (a replay's
        present: its bucket is partial, as the live one is)."""
        rows = self._rows(
            "SELECT time_s, value FROM series WHERE domain = ? AND metric = ? AND period = ? "
            "AND time_s >= ? AND time_s <= ? ORDER BY time_s",
            (domain, metric, period, lo_s, hi_s))
        if rows or period not in PERIOD_S:
            return [(int(t), float(v)) for t, v in rows]
        if self._rows("SELECT 1 FROM series WHERE domain = ? AND metric = ? AND period = ? "
                      "LIMIT 1", (domain, metric, period)):
            return []  # recorded, just not in this window
        return self._summed(domain, metric, PERIOD_S[period], lo_s, hi_s, upto_ns)

    def _summed(self, domain: str, metric: str, width: int, lo_s: int, hi_s: int,
                upto_ns: int | None) -> list[tuple[int, float]]:
        """Buckets wholly before `upto_ns` come from one scan of the domain per period (all
        four metrics at once, kept: the past does not change); the bucket `upto_ns` falls in
        is summed up to it, each time (only its own entries)."""
        col = _METRIC_COL[metric]
        done = self._buckets(domain, width)
        last = None if upto_ns is None else upto_ns // NS // width * width
        out = [(b, sums[col]) for b, sums in done if lo_s - width < b <= hi_s
               and (last is None or b < last)]
        if last is not None and lo_s - width < last <= hi_s:
            part = self._sums(domain, width, last * NS, upto_ns + 1)  # type: ignore[operator]
            out += [(b, sums[col]) for b, sums in part if b == last]
        return out

    def _buckets(self, domain: str, width: int) -> list[tuple[int, tuple[float, ...]]]:
        key = (domain, width)
        with self._lock:
            got = self._bucket_cache.get(key)
        if got is None:
            got = self._sums(domain, width, -(1 << 62), 1 << 62)
            with self._lock:
                self._bucket_cache[key] = got
        return got

    def _sums(self, domain: str, width: int, lo_ns: int,
              hi_ns: int) -> list[tuple[int, tuple[float, ...]]]:
        rows = self._rows(
            "SELECT (time_ns / ?) * ? AS b, COUNT(*), COALESCE(SUM(size), 0), "
            "SUM(cache = 'MISS'), COALESCE(SUM(CASE WHEN cache = 'MISS' THEN size END), 0) "
            "FROM logs WHERE domain = ? AND time_ns >= ? AND time_ns < ? GROUP BY b ORDER BY b",
            (width * NS, width, domain, lo_ns, hi_ns))
        return [(int(b), (float(n), float(sz), float(m or 0), float(msz)))
                for b, n, sz, m, msz in rows]

    def refreshes(self, lo_ns: int | None = None, hi_ns: int | None = None) -> list[dict[str, Any]]:
        """The refreshes made while recording, oldest first."""
        rows = self._rows(
            "SELECT time_ns, domain, kind, urls, ok, status, message FROM refreshes "
            "WHERE time_ns >= ? AND time_ns <= ? ORDER BY time_ns, id",
            (lo_ns if lo_ns is not None else -(1 << 62), hi_ns if hi_ns is not None
             else 1 << 62))
        out = []
        for t, d, kind, urls, ok, status, message in rows:
            try:
                listed = json.loads(urls)
            except ValueError:
                listed = []
            out.append({"time_ns": t, "domain": d, "kind": kind,
                        "urls": listed if isinstance(listed, list) else [], "ok": bool(ok),
                        "status": status, "message": message})
        return out


@dataclass(frozen=True, slots=True)
class _WirePlan:
    """How a wire shape's rows become dicts in one comprehension (the replay serves pages of
    1000 on each jump): the (column, key) pairs in field order, so the keys come out in the
    order the field-by-field build gives them (the JSON text is the same)."""

    pairs: tuple[tuple[int, str], ...]
    time_key: str | None
    optional: tuple[tuple[int, str], ...]  # country, cache: no key when the column is NULL

    @classmethod
    def of(cls, keys: dict[str, str]) -> _WirePlan | None:
        pairs = tuple((i, keys[name]) for i, name in enumerate(_FIELDS) if name in keys)
        if len({k for _i, k in pairs}) != len(pairs):
            return None  # two fields under one key: the last wins, field by field
        return cls(pairs, keys.get("time_ns"),
                   tuple((i, k) for i, k in pairs if _FIELDS[i] in ("country", "cache")))

    def wire(self, r: tuple[Any, ...], shift_ns: int) -> dict[str, Any]:
        raw = {k: r[i] for i, k in self.pairs}
        if self.time_key is not None:
            raw[self.time_key] = r[0] + shift_ns
        for i, k in self.optional:
            if r[i] is None:
                del raw[k]
        return raw


def _extra(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        obj = json.loads(text)
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
