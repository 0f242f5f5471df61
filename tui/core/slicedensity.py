"""How wide the slices of a read are (tui/core/slices.py): the density of the entries seen so
far (nanoseconds per entry), the width of a slice of `pages_per_slice` pages at that density,
and the page size for a slice's last request.

The density is learnt from full pages (their span over their count), and from a finished
slice (its width over what it held). It falls at once (a busy peak must be cut narrow at
once) and rises at most fourfold a step: the night before a busy peak must not make one
slice of the whole peak (read by one cursor). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.models import LogEntry

#: the narrowest slice cut by density (a dense instant cannot make slices of a few ns)
MIN_SLICE_NS = 1_000_000
#: a slice's last page asks for what is left times this plus this many (`trimmed_limit`),
#: and never for less than a tenth of the limit
TRIM_MARGIN, TRIM_EXTRA = 1.25, 50


@dataclass
class Density:
    """The density seen so far and the widths and page sizes it gives."""

    limit: int
    pages_per_slice: int = 4
    min_slice_ns: int = MIN_SLICE_NS
    ns_per_entry: float | None = None  # None: nothing seen yet

    @property
    def known(self) -> bool:
        return self.ns_per_entry is not None

    def width(self) -> int:
        """Nanoseconds of a slice of `pages_per_slice` pages at the density seen."""
        per = self.ns_per_entry or 1.0
        return max(self.min_slice_ns, int(per * self.limit * self.pages_per_slice))

    def learn(self, page: Sequence[LogEntry], full: bool, *, region_ns: int,
              finished_ns: int | None = None, finished_entries: int = 0) -> None:
        """Learn from a page: `full` (it held all it was asked), else from a finished slice of
        `finished_ns` that held `finished_entries`; with nothing known yet, from `page`
        alone as what `region_ns` holds."""
        old = self.ns_per_entry
        if full and page:
            seen = max(1.0, page[-1].time_ns - page[0].time_ns) / len(page)
        elif finished_ns is not None:
            seen = finished_ns / max(1, finished_entries)
        elif old is None:
            seen = max(1.0, region_ns) / max(1, len(page))
        else:
            return
        self.ns_per_entry = seen if old is None else min(seen, 4.0 * old)

    def trimmed_limit(self, left_ns: int) -> int:
        """The page size for a request `left_ns` before its slice's end: the whole `limit`,
        except near the end, where about what is left (by the density seen, with a margin)
        is asked. A whole last page would mostly read past the end, entries the next slice
        reads again: ~12 % of a long read's parsing at 4 pages a slice."""
        per = self.ns_per_entry
        if per is None:
            return self.limit
        want = int(left_ns / per * TRIM_MARGIN) + TRIM_EXTRA
        return self.limit if want >= self.limit else max(self.limit // 10, want, 1)


def one_instant_at_a_trim(page: Sequence[LogEntry], asked: int, limit: int) -> bool:
    """A trimmed page (`asked` < `limit`) came back full of one instant: the cursor would step
    past that instant (the server shows no more than a page of it) where a whole page might
    hold it all; such a page is asked again at the whole `limit` instead."""
    return (asked < limit and len(page) >= asked and bool(page)
            and page[0].time_ns == page[-1].time_ns)
