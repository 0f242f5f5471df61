"""The bounded log buffer and its filters: what the log pane is a view of.

The buffer is a ring (a fixed list indexed by `seq % capacity`): appending and eviction are
O(1) and an entry is found by its sequence number without a search. The view is an
`array('q')` of the sequence numbers that match the current filter, extended as entries arrive
and trimmed from the front as they leave, so a filter costs nothing per frame. Changing the
filter rebuilds the view at once; lower-cased search text per entry is made the first time a
text filter is used and kept, so later rebuilds over 100k entries stay in milliseconds.

Filters change what is shown, never what is kept (UX.md).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from tui.core.models import LogEntry, StatusClass

__all__ = ["FilterError", "LogBuffer", "LogFilter", "haystack"]


class FilterError(ValueError):
    """A filter the user typed cannot be used (a bad regex); the message says why."""


def haystack(e: LogEntry) -> str:
    """The lower-cased text a filter searches: status, method, client IP, country, URL.

    Status comes first and the URL last, so `/5\\d\\d .*\\.png$/` reads naturally.
    """
    return f"{e.status} {e.method} {e.client_ip} {e.country} {e.url}".lower()


def _is_regex(text: str) -> bool:
    return len(text) >= 3 and text[0] == "/" and text[-1] == "/"


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Status classes (empty = all) and a text: plain case-insensitive substring or `/regex/`."""

    classes: frozenset[StatusClass] = frozenset()
    text: str = ""
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
        if _is_regex(text):
            try:
                pattern = re.compile(text[1:-1], re.IGNORECASE)
            except re.error as e:
                where = f" at position {e.pos + 1}" if e.pos is not None else ""
                raise FilterError(f"bad regex {text}: {e.msg}{where}") from None
            object.__setattr__(self, "_test", pattern.search)
        else:
            needle = text.lower()
            pattern = re.compile(re.escape(text), re.IGNORECASE)
            object.__setattr__(self, "_test", _contains(needle))
            object.__setattr__(self, "_needle", needle)
        object.__setattr__(self, "_pattern", pattern)

    @property
    def is_regex(self) -> bool:
        return bool(self.text) and _is_regex(self.text)

    @property
    def active(self) -> bool:
        """True when something is hidden (a class or a text filter is set)."""
        return bool(self.classes) or bool(self.text)

    def matches(self, e: LogEntry) -> bool:
        """Does `e` pass? (The buffer uses a faster path with cached search text.)"""
        if self._digits and e.status // 100 not in self._digits:
            return False
        return self._test is None or bool(self._test(haystack(e)))

    def with_class_key(self, c: StatusClass) -> LogFilter:
        """UX.md: from all shown, a key shows only its class; then keys toggle classes, and
        removing the last class shows all again."""
        c = StatusClass(c)
        if not self.classes:
            classes = frozenset({c})
        elif c in self.classes:
            classes = self.classes - {c}
        else:
            classes = self.classes | {c}
        return LogFilter(classes, self.text)

    def all_classes(self) -> LogFilter:
        """Key 0: every class shown (the text filter stays)."""
        return LogFilter(frozenset(), self.text)

    def with_text(self, text: str) -> LogFilter:
        """Same classes, new text; raises FilterError for a bad regex."""
        return LogFilter(self.classes, text)

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


class LogBuffer:
    """A bounded ring of log entries with a filtered view of their sequence numbers."""

    def __init__(self, capacity: int = 100_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._ring: list[LogEntry | None] = [None] * capacity
        self._hay: list[str | None] = [None] * capacity
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

    @property
    def first_seq(self) -> int:
        """Seq of the oldest buffered entry (== appended when empty)."""
        return self._start

    def __iter__(self) -> Iterator[LogEntry]:
        """Every buffered entry, oldest first, whatever the filter."""
        ring, cap = self._ring, self.capacity
        for seq in range(self._start, self.appended):
            e = ring[seq % cap]
            if e is not None:
                yield e

    # -- writing -------------------------------------------------------------------------
    def extend(self, entries: Iterable[LogEntry]) -> int:
        """Append entries (oldest first); return how many new ones match the filter and stay."""
        ring, hays, cap = self._ring, self._hay, self.capacity
        digits = self.filter._digits
        test = self.filter._test
        hay_on = self._hay_on
        view_append = self._view.append
        first_new = seq = self.appended
        for e in entries:
            i = seq % cap
            ring[i] = e
            h = haystack(e) if hay_on else None
            hays[i] = h
            if (not digits or e.status // 100 in digits) and (
                test is None or test(h if h is not None else haystack(e))
            ):
                view_append(seq)
            seq += 1
        self.appended = seq
        oldest = seq - cap
        if oldest > self._start:
            self.evicted += oldest - self._start
            self._start = oldest
            self._trim_view()
        view = self._view
        return len(view) - bisect_left(view, first_new, lo=self._vhead)

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
            i = seq % self.capacity
            self._ring[i] = None
            self._hay[i] = None
        self._start = self.appended
        self._rebuild()

    def set_filter(self, f: LogFilter) -> None:
        """Use `f` from now on; the view is rebuilt at once."""
        self.filter = f
        if f._test is not None:
            self._hay_on = True
        self._rebuild()

    def _ordered(self, items: list) -> list:
        """`items` (a ring-shaped list) in seq order, oldest first."""
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
        if not digits and test is None:
            view = array("q", seqs)
        else:
            ents = self._ordered(self._ring)
            if test is None:
                view = array("q", [s for s, e in zip(seqs, ents, strict=True) if e.status // 100 in digits])
            else:
                hs = self._search_text(ents)
                needle = f._needle
                if not digits and needle is not None:  # the common case, inlined
                    view = array("q", [s for s, h in zip(seqs, hs, strict=True) if needle in h])
                elif not digits:
                    view = array("q", [s for s, h in zip(seqs, hs, strict=True) if test(h)])
                else:
                    view = array(
                        "q",
                        [
                            s
                            for s, e, h in zip(seqs, ents, hs, strict=True)
                            if e.status // 100 in digits and test(h)
                        ],
                    )
        self._view = view
        self._vhead = 0
        self.view_dropped = 0
        self.generation += 1

    def _search_text(self, ents: list) -> list[str]:
        """Cached lower-cased search text for the buffered entries, made where missing."""
        hs = self._ordered(self._hay)
        if None in hs:
            hs = [  # haystack(e), inlined: this runs once over the whole buffer
                h
                if h is not None
                else f"{e.status} {e.method} {e.client_ip} {e.country} {e.url}".lower()
                for h, e in zip(hs, ents, strict=True)
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
        entry = self._ring[self.view_seq(i) % self.capacity]
        assert entry is not None
        return entry

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
            return self._ring[seq % self.capacity]
        return None

    def matching(self) -> Iterator[LogEntry]:
        """The shown entries, oldest first (a snapshot of the view; evicted ones are skipped)."""
        for seq in self._view[self._vhead :]:
            e = self.entry_by_seq(seq)
            if e is not None:
                yield e
