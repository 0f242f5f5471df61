"""The bounded log buffer: what the log pane is a view of (its filter: tui/core/logfilter.py).

The buffer is a ring indexed by `seq % capacity`: appending and eviction are O(1) and an entry
is found by its sequence number without a search. It is stored by column (times, statuses and
sizes in `array('q')`, the text fields in lists, the unmapped fields as a tuple of values with
a shared tuple of keys), not as 100k `LogEntry` objects: a third of the memory, and nothing
per entry for the cyclic garbage collector to walk, whose full passes over 100k objects took
about 100 ms of the UI's time each. Entries are rebuilt when read (`view_entry` ...): equal to
what was appended, not the same objects.

The view is an `array('q')` of the sequence numbers that match the current filter, extended as
entries arrive and trimmed from the front as they leave, so a filter costs nothing per frame.
Changing the filter rebuilds the view at once, on the filter key's path to the screen: the
view of every entry is a copy of a kept array of all sequence numbers, a class filter picks
from a byte column of status classes with C-level scans (`bytes.translate`, `find`,
`itertools.compress`) instead of a Python loop over 100k statuses; lower-cased search text per
entry is made the first time a text filter is used and kept, so later rebuilds over 100k
entries stay in milliseconds.

Field terms (`cache:MISS code:5xx ip:203.0.113.0/24`, tui/core/fieldfilter.py) test one
column each, over the column itself; plain words search the search text. All terms must match.

Filters change what is shown, never what is kept.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import fields
from itertools import compress
from typing import Any

from tui.core.logfilter import LogFilter, haystack
from tui.core.models import LogEntry

#: The LogEntry fields the columns hold, in constructor order. A new field must be stored too.
_COLUMNS = ("time_ns", "status", "method", "client_ip", "size", "url", "country", "cache",
            "extra", "source_keys")
if tuple(f.name for f in fields(LogEntry)) != _COLUMNS:  # pragma: no cover - a loud reminder
    raise TypeError("LogEntry changed: teach LogBuffer (_put, _entry_at) its fields")


#: FieldTerm.column -> the LogBuffer column holding it
_TERM_COLUMNS = {"cache": "_cache", "country": "_country", "client_ip": "_ip",
                 "status": "_status", "method": "_method", "url": "_url"}


_KEY_TUPLES: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _shared_keys(keys: tuple[Any, ...]) -> tuple[Any, ...]:
    """One tuple object per set of `extra` keys (a shape repeats them in every entry)."""
    if len(_KEY_TUPLES) > 4096:
        _KEY_TUPLES.clear()
    return _KEY_TUPLES.setdefault(keys, keys)


def _int_column(n: int) -> array:
    return array("q", bytes(8 * n))


_CLASS_TABLES: dict[frozenset[int], bytes] = {}


def _class_table(digits: frozenset[int]) -> bytes:
    """A `bytes.translate` table: a class byte (status // 100) -> 1 if it is in `digits`."""
    table = _CLASS_TABLES.get(digits)
    if table is None:
        table = _CLASS_TABLES[digits] = bytes(int(i in digits) for i in range(256))
    return table


#: below this share of matches a class view is found by `find` from match to match, above it
#: by `compress` over every position (both C-level; `find` skips the rest without a step each)
_SPARSE = 0.125


class LogBuffer:
    """A bounded ring of log entries with a filtered view of their sequence numbers."""

    def __init__(self, capacity: int = 100_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        cap = capacity
        # columns (see the module docstring); ints fall back to lists for values out of range
        self._time: Any = _int_column(cap)
        self._status: Any = _int_column(cap)
        self._size: Any = _int_column(cap)
        self._cls = bytearray(cap)  # status // 100 (0 outside 0-999): what class filters scan
        self._method: list[str] = [""] * cap
        self._ip: list[str] = [""] * cap
        self._url: list[str] = [""] * cap
        self._country: list[str] = [""] * cap
        self._cache: list[str] = [""] * cap
        self._xkeys: list[tuple[Any, ...] | None] = [None] * cap
        self._xvals: list[tuple[Any, ...] | None] = [None] * cap
        self._skeys: list[dict[str, str] | None] = [None] * cap
        self._hay: list[str | None] = [None] * cap
        self._hay_on = False  # set once a text filter is used: keep search text from then on
        self._start = 0  # seq of the oldest buffered entry
        self.appended = 0  # entries ever appended == the next seq
        self.evicted = 0  # entries pushed out by capacity
        self.filter = LogFilter()
        self.generation = 0  # bumped whenever the view is rebuilt (not on extend/trim)
        self.view_dropped = 0  # view rows trimmed from the front since the last rebuild
        self._view = array("q")
        self._vhead = 0  # view rows before this index are gone (trimmed lazily)
        self._all = array("q")  # every seq from _all_base on, so "all" is a copy, not a loop
        self._all_base = 0

    # -- size and identity -------------------------------------------------------------
    def __len__(self) -> int:
        return self.appended - self._start

    @property
    def view_len(self) -> int:
        return len(self._view) - self._vhead

    def __iter__(self) -> Iterator[LogEntry]:
        """Every buffered entry, oldest first, whatever the filter."""
        cap, at = self.capacity, self._entry_at
        for seq in range(self._start, self.appended):
            yield at(seq % cap)

    # -- the columns ---------------------------------------------------------------------
    def _entry_at(self, i: int) -> LogEntry:
        keys = self._xkeys[i]
        vals = self._xvals[i]
        return LogEntry(
            self._time[i], self._status[i], self._method[i], self._ip[i], self._size[i],
            self._url[i], self._country[i], self._cache[i],
            dict(zip(keys, vals, strict=True)) if keys is not None and vals is not None else {},
            self._skeys[i] or {},
        )

    def _forget(self, i: int) -> None:
        """Drop what slot `i` refers to (its strings can be freed)."""
        self._method[i] = self._ip[i] = self._url[i] = self._country[i] = self._cache[i] = ""
        self._xkeys[i] = self._xvals[i] = self._skeys[i] = self._hay[i] = None

    # -- writing -------------------------------------------------------------------------
    def extend(self, entries: Iterable[LogEntry]) -> int:
        """Append entries (oldest first); return how many new ones match the filter and stay."""
        first_new = self.appended
        pending = entries if isinstance(entries, list) else list(entries)
        while pending:
            pending = self._append(pending)
        self._all.extend(range(first_new, self.appended))
        oldest = self.appended - self.capacity
        if oldest > self._start:
            self.evicted += oldest - self._start
            self._start = oldest
            self._trim_view()
        view = self._view
        return len(view) - bisect_left(view, first_new, lo=self._vhead)

    def _append(self, entries: list[LogEntry]) -> list[LogEntry]:
        """Store entries in the columns (the hot loop, with the columns in locals); returns
        what is left when a number did not fit an int64 column (then widened to a list)."""
        cap = self.capacity
        times, statuses, sizes, classes = self._time, self._status, self._size, self._cls
        methods, ips, urls, countries, caches = (
            self._method, self._ip, self._url, self._country, self._cache)
        xkeys, xvals, skeys, hays = self._xkeys, self._xvals, self._skeys, self._hay
        digits = self.filter._digits
        test = self.filter._test
        terms = self.filter._terms
        hay_on = self._hay_on
        view_append = self._view.append
        seq = self.appended
        done = 0
        try:
            for e in entries:
                i = seq % cap
                status = e.status
                times[i] = e.time_ns
                statuses[i] = status
                classes[i] = status // 100 if 0 <= status < 1000 else 0
                sizes[i] = e.size
                methods[i] = e.method
                ips[i] = e.client_ip
                urls[i] = e.url
                countries[i] = e.country
                caches[i] = e.cache
                extra = e.extra
                if extra:
                    xkeys[i] = _shared_keys(tuple(extra))
                    xvals[i] = tuple(extra.values())
                else:
                    xkeys[i] = xvals[i] = None
                skeys[i] = e.source_keys or None
                h = haystack(e) if hay_on else None
                hays[i] = h
                if (not digits or status // 100 in digits) and (
                    test is None or test(h if h is not None else haystack(e))
                ) and (not terms or all(t.test(getattr(e, t.column)) for t in terms)):
                    view_append(seq)
                seq += 1
                done += 1
        except (OverflowError, TypeError):  # a value no int64 holds: those columns become lists
            if isinstance(self._time, list):
                raise  # already lists: the error is about something else
            self._time, self._status, self._size = (
                list(self._time), list(self._status), list(self._size))
            self.appended = seq
            return entries[done:]
        self.appended = seq
        return []

    def _trim_view(self) -> None:
        view = self._view
        head = bisect_left(view, self._start, lo=self._vhead)
        self.view_dropped += head - self._vhead
        self._vhead = head
        if head > 4096 and head > len(view) // 2:
            del view[:head]
            self._vhead = 0
        drop = self._start - self._all_base
        if drop > 4096 and drop > len(self._all) // 2:
            del self._all[:drop]
            self._all_base = self._start

    def clear(self) -> None:
        """Forget every entry (seqs keep counting up, so old seqs never come back)."""
        for seq in range(self._start, self.appended):
            self._forget(seq % self.capacity)
        self._start = self._all_base = self.appended
        self._all = array("q")
        self._rebuild()

    def set_filter(self, f: LogFilter) -> None:
        """Use `f` from now on; the view is rebuilt at once."""
        self.filter = f
        if f._test is not None:
            self._hay_on = True
        self._rebuild()

    def _ordered(self, items: Any) -> Any:
        """`items` (a ring-shaped column) in seq order, oldest first."""
        n = len(self)
        i0 = self._start % self.capacity
        if i0 + n <= self.capacity:
            return items[i0 : i0 + n]
        return items[i0:] + items[: i0 + n - self.capacity]

    def _rebuild(self) -> None:
        f = self.filter
        start = self._start
        seqs = range(start, self.appended)
        digits, test = f._digits, f._test
        if f._terms:
            view = self._rebuild_terms(f)
        elif not digits and test is None:
            view = self._all[start - self._all_base:]
        else:
            if test is None:
                view = self._class_view(digits)
            else:
                hs = self._search_text()
                needle = f._needle
                if not digits and needle is not None:  # the common case, inlined
                    view = array("q", [s for s, h in zip(seqs, hs, strict=True) if needle in h])
                elif not digits:
                    view = array("q", [s for s, h in zip(seqs, hs, strict=True) if test(h)])
                else:
                    statuses = self._ordered(self._status)
                    view = array(
                        "q",
                        [
                            s
                            for s, st, h in zip(seqs, statuses, hs, strict=True)
                            if st // 100 in digits and test(h)
                        ],
                    )
        self._view = view
        self._vhead = 0
        self.view_dropped = 0
        self.generation += 1

    def _class_view(self, digits: frozenset[int]) -> array:
        """The seqs whose status class is in `digits`, oldest first."""
        mask = self._ordered(self._cls).translate(_class_table(digits))
        start, n = self._start, len(mask)
        if mask.count(1) > _SPARSE * n:
            return array("q", compress(range(start, start + n), mask))
        view, find, j = array("q"), mask.find, mask.find(1)
        while j >= 0:
            view.append(start + j)
            j = find(1, j + 1)
        return view

    def _rebuild_terms(self, f: LogFilter) -> array:
        """The view of a filter with field terms: positions (into the ordered columns) are
        narrowed by the class, then each field term over its column, then the plain words."""
        positions: list[int] | None = None
        if f._digits:
            start = self._start
            positions = [seq - start for seq in self._class_view(f._digits)]
        for term in f._terms:
            positions = term.keep(self._ordered(getattr(self, _TERM_COLUMNS[term.column])),
                                  positions)
        if f._test is not None:
            hs, test = self._search_text(), f._test
            if positions is None:
                positions = [j for j, h in enumerate(hs) if test(h)]
            else:
                positions = [j for j in positions if test(hs[j])]
        start = self._start
        if positions is None:
            return array("q", range(start, self.appended))
        return array("q", [start + j for j in positions])

    def _search_text(self) -> list[str]:
        """Cached lower-cased search text for the buffered entries, made where missing."""
        hs = self._ordered(self._hay)
        if None in hs:
            o = self._ordered
            hs = [  # haystack(e), inlined: this runs once over the whole buffer
                h if h is not None else f"{st} {m} {ip} {cc} {ca} {url}".lower()
                for h, st, m, ip, cc, ca, url in zip(
                    hs, o(self._status), o(self._method), o(self._ip), o(self._country),
                    o(self._cache), o(self._url), strict=True)
            ]
            cap, i0, n = self.capacity, self._start % self.capacity, len(hs)
            first = min(n, cap - i0)
            self._hay[i0 : i0 + first] = hs[:first]
            self._hay[: n - first] = hs[first:]
        return hs

    # -- reading -------------------------------------------------------------------------
    def view_seq(self, i: int) -> int:
        """Seq of the i-th shown entry (negative counts from the end)."""
        n = self.view_len
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"view index {i} out of range ({n} shown)")
        return self._view[self._vhead + i]

    def view_entry(self, i: int) -> LogEntry:
        """The i-th shown entry, oldest first."""
        return self._entry_at(self.view_seq(i) % self.capacity)

    def url_of_seq(self, seq: int) -> str:
        """The URL of a buffered entry, without rebuilding the entry (what its tag depends
        on: the log pane finds a drawn row by it before it would rebuild the entry)."""
        if not self._start <= seq < self.appended:
            raise IndexError(f"seq {seq} is not buffered")
        return self._url[seq % self.capacity]

    def columns(self, *names: str) -> list[Any]:
        """Whole columns in seq order, oldest first, for analyses that read every entry in
        one pass without rebuilding entries (tui/insight/explain.py). Names: time, status,
        size, method, ip, url, country, cache, xkeys, xvals."""
        return [self._ordered(getattr(self, "_" + n)) for n in names]

    def view_index_of_seq(self, seq: int) -> int | None:
        """View index of the shown entry with this seq, or the nearest one after it.

        This keeps a cursor on the same entry across filter changes and eviction; None when
        nothing at or after `seq` is shown.
        """
        view = self._view
        j = bisect_left(view, seq, lo=self._vhead)
        return j - self._vhead if j < len(view) else None

    def entry_by_seq(self, seq: int) -> LogEntry | None:
        """The entry with this seq, or None if it was evicted (or never existed)."""
        if self._start <= seq < self.appended:
            return self._entry_at(seq % self.capacity)
        return None

    def matching(self) -> Iterator[LogEntry]:
        """The shown entries, oldest first (a snapshot of the view; evicted ones are skipped)."""
        for seq in self._view[self._vhead :]:
            e = self.entry_by_seq(seq)
            if e is not None:
                yield e
