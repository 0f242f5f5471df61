"""The bounded log buffer and its filters: what the log pane is a view of.

The buffer is a ring indexed by `seq % capacity`: appending and eviction are O(1) and an entry
is found by its sequence number without a search. It is stored by column (times, statuses and
sizes in `array('q')`, the text fields in lists, the unmapped fields as a tuple of values with
a shared tuple of keys), not as 100k `LogEntry` objects: a third of the memory, and nothing
per entry for the cyclic garbage collector to walk, whose full passes over 100k objects took
about 100 ms of the UI's time each. Entries are rebuilt when read (`view_entry` ...): equal to
what was appended, not the same objects.

The view is an `array('q')` of the sequence numbers that match the current filter, extended as
entries arrive and trimmed from the front as they leave, so a filter costs nothing per frame.
Changing the filter rebuilds the view at once; lower-cased search text per entry is made the
first time a text filter is used and kept, so later rebuilds over 100k entries stay in
milliseconds.

Field terms (`cache:MISS code:5xx ip:203.0.113.0/24`, tui/core/fieldfilter.py) test one
column each, over the column itself; plain words search the search text. All terms must match.

Filters change what is shown, never what is kept.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from tui.core.fieldfilter import FieldTerm, TermError, parse_term, regex_literal, split_prefix
from tui.core.models import LogEntry, StatusClass

__all__ = ["FilterError", "LogBuffer", "LogFilter", "and_term", "haystack"]

#: The LogEntry fields the columns hold, in constructor order. A new field must be stored too.
_COLUMNS = ("time_ns", "status", "method", "client_ip", "size", "url", "country", "cache",
            "extra", "source_keys")
if tuple(f.name for f in fields(LogEntry)) != _COLUMNS:  # pragma: no cover - a loud reminder
    raise TypeError("LogEntry changed: teach LogBuffer (_put, _entry_at) its fields")


class FilterError(ValueError):
    """A filter the user typed cannot be used (a bad regex, CIDR or code); the message says
    why."""


def haystack(e: LogEntry) -> str:
    """The lower-cased text a filter searches: status, method, client IP, country, cache, URL.

    Status comes first and the URL last, so `/5\\d\\d .*\\.png$/` reads naturally.
    """
    return f"{e.status} {e.method} {e.client_ip} {e.country} {e.cache} {e.url}".lower()

#: FieldTerm.column -> the LogBuffer column holding it
_TERM_COLUMNS = {"cache": "_cache", "country": "_country", "client_ip": "_ip",
                 "status": "_status", "method": "_method", "url": "_url"}


def _compile_regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text[1:-1], re.IGNORECASE)
    except re.error as e:
        where = f" at position {e.pos + 1}" if e.pos is not None else ""
        raise FilterError(f"bad regex {text}: {e.msg}{where}") from None


def _words_test(needles: list[str], patterns: list[re.Pattern[str]]) -> Callable[[str], bool]:
    """All plain words of a field filter must match the search text."""
    searches = [p.search for p in patterns]

    def test(hay: str) -> bool:
        return all(n in hay for n in needles) and all(s(hay) for s in searches)

    return test


def _is_regex(text: str) -> bool:
    return len(text) >= 3 and text[0] == "/" and text[-1] == "/"


def and_term(text: str, term: str) -> str:
    """A filter text selecting what `text` does AND what `term` (one field term) does: how a
    top-N drill narrows the filter already shown. A phrase or a /regex/ with spaces becomes
    one regex word with the spaces escaped, so it means what it meant."""
    if not text.strip():
        return term
    words = text.split()
    if text != " ".join(words) or len(words) > 1:
        if any(split_prefix(w) is not None for w in words):
            return f"{' '.join(words)} {term}"  # terms already: one more term
        if _is_regex(text):
            body = re.sub(r"\\?\s", lambda m: f"\\x{ord(m.group()[-1]):02x}", text[1:-1])
        else:
            body = regex_literal(text)
        text = f"/{body}/"
    return f"{text} {term}"


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Status classes (empty = all) and a text: plain case-insensitive substring, `/regex/`,
    or space-separated terms with field terms among them (`cache:MISS code:5xx png`).

    `lenient=True` drops the terms that cannot be used instead of raising (they filter
    nothing out) and says why in `error`: the dashboard applies what the user typed so far.
    """

    classes: frozenset[StatusClass] = frozenset()
    text: str = ""
    lenient: bool = field(default=False, compare=False, repr=False)
    error: str = field(default="", init=False, compare=False, repr=False)
    _terms: tuple[FieldTerm, ...] = field(default=(), init=False, repr=False, compare=False)
    _digits: frozenset[int] = field(default=frozenset(), init=False, repr=False, compare=False)
    _test: Callable[[str], object] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _needle: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        classes = frozenset(StatusClass(c) for c in self.classes)
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "_digits", frozenset(c.digit for c in classes))
        text = self.text
        if not text:
            return
        words = text.split()
        if any(split_prefix(w) is not None for w in words):
            self._init_terms(words)
            return
        if _is_regex(text):
            try:
                pattern = _compile_regex(text)
            except FilterError as exc:
                if not self.lenient:
                    raise
                object.__setattr__(self, "error", str(exc))
                return
            object.__setattr__(self, "_test", pattern.search)
        else:
            needle = text.lower()
            pattern = re.compile(re.escape(text), re.IGNORECASE)
            object.__setattr__(self, "_test", _contains(needle))
            object.__setattr__(self, "_needle", needle)
        object.__setattr__(self, "_pattern", pattern)

    def _init_terms(self, words: list[str]) -> None:
        """Field terms test their column; the plain words (substring or /regex/) must all
        match the search text."""
        terms: list[FieldTerm] = []
        needles: list[str] = []
        patterns: list[re.Pattern[str]] = []
        errors: list[str] = []
        for w in words:
            try:
                term = parse_term(w)
                if term is not None:
                    terms.append(term)
                elif _is_regex(w):
                    patterns.append(_compile_regex(w))
                else:
                    needles.append(w.lower())
            except (TermError, FilterError) as exc:
                if not self.lenient:
                    raise FilterError(str(exc)) from None
                errors.append(str(exc))
        object.__setattr__(self, "_terms", tuple(terms))
        object.__setattr__(self, "error", "; ".join(errors))
        if needles or patterns:
            object.__setattr__(self, "_test", _words_test(needles, patterns))
            shown = [re.escape(n) for n in needles] + [p.pattern for p in patterns]
            object.__setattr__(self, "_pattern", re.compile("|".join(shown), re.IGNORECASE))

    @property
    def active(self) -> bool:
        """True when something is hidden (a class or a text filter is set)."""
        return bool(self.classes) or bool(self.text)

    def matches(self, e: LogEntry) -> bool:
        """Does `e` pass? (The buffer uses a faster path with cached search text.)"""
        if self._digits and e.status // 100 not in self._digits:
            return False
        if not all(t.test(getattr(e, t.column)) for t in self._terms):
            return False
        return self._test is None or bool(self._test(haystack(e)))

    def with_class_key(self, c: StatusClass) -> LogFilter:
        """docs/ux.md: from all shown, a key shows only its class; then keys toggle classes, and
        removing the last class shows all again."""
        c = StatusClass(c)
        if not self.classes:
            classes = frozenset({c})
        elif c in self.classes:
            classes = self.classes - {c}
        else:
            classes = self.classes | {c}
        return LogFilter(classes, self.text, self.lenient)

    def all_classes(self) -> LogFilter:
        """Key 0: every class shown (the text filter stays)."""
        return LogFilter(frozenset(), self.text, self.lenient)

    def with_text(self, text: str) -> LogFilter:
        """Same classes, new text; raises FilterError for a bad regex, CIDR or code."""
        return LogFilter(self.classes, text)

    def with_text_lenient(self, text: str) -> LogFilter:
        """Same classes, new text; a bad term filters nothing out and is named in `error`."""
        return LogFilter(self.classes, text, lenient=True)

    def spans(self, s: str) -> list[tuple[int, int]]:
        """Where the text filter matches in `s` (a displayed string), for highlighting."""
        if self._pattern is None:
            return []
        return [(m.start(), m.end()) for m in self._pattern.finditer(s) if m.end() > m.start()]

    def describe(self) -> str:
        """The classes shown, for the header: '2XX 5XX' or 'all'."""
        if not self.classes:
            return "all"
        return " ".join(c.value for c in sorted(self.classes, key=lambda c: c.digit))


def _contains(needle: str) -> Callable[[str], bool]:
    def test(hay: str) -> bool:
        return needle in hay

    return test


_KEY_TUPLES: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _shared_keys(keys: tuple[Any, ...]) -> tuple[Any, ...]:
    """One tuple object per set of `extra` keys (a shape repeats them in every entry)."""
    if len(_KEY_TUPLES) > 4096:
        _KEY_TUPLES.clear()
    return _KEY_TUPLES.setdefault(keys, keys)


def _int_column(n: int) -> array:
    return array("q", bytes(8 * n))


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
        times, statuses, sizes = self._time, self._status, self._size
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

    def clear(self) -> None:
        """Forget every entry (seqs keep counting up, so old seqs never come back)."""
        for seq in range(self._start, self.appended):
            self._forget(seq % self.capacity)
        self._start = self.appended
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
            view = array("q", seqs)
        else:
            if test is None:
                statuses = self._ordered(self._status)
                view = array("q", [s for s, st in zip(seqs, statuses, strict=True)
                                   if st // 100 in digits])
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

    def _rebuild_terms(self, f: LogFilter) -> array:
        """The view of a filter with field terms: positions (into the ordered columns) are
        narrowed by the class, then each field term over its column, then the plain words."""
        positions: list[int] | None = None
        if f._digits:
            digits = f._digits
            positions = [j for j, st in enumerate(self._ordered(self._status))
                         if st // 100 in digits]
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
