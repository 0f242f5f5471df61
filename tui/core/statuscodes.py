"""`--codes`: status classes and exact status codes, for every command that reads logs.

The vendor's page first took a list of exact codes (`codes=200,403`), then one class per
call (`2XX`..`5XX`, `ALL`; docs/api.md). So a selection such as `5XX,404` or `404,503` asks
the API for the narrowest class that covers it (ALL when it spans classes) and is filtered
here: it works whatever the server supports. Pure: `logs`, `top`, `explain` and `record`
share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui.core.models import LOG_CODES, LogEntry

#: The classes the API takes besides ALL, by their first digit.
_API_CLASSES = {int(c[0]): c for c in LOG_CODES if c != "ALL"}
HELP = ("status classes and/or exact codes, comma-separated, e.g. 5XX, 404,503 or 5XX,404 "
        f"(classes: {', '.join(LOG_CODES)}; default ALL)")


class CodesError(ValueError):
    """A `--codes` value that is neither a class nor a status code (one line, says why)."""


@dataclass(frozen=True, slots=True)
class CodeSelection:
    """Which statuses to keep: whole classes (first digits) and exact codes."""

    classes: frozenset[int] = frozenset()
    exact: frozenset[int] = frozenset()
    everything: bool = True

    @property
    def request_class(self) -> str:
        """The narrowest `codes` value the API takes that holds every selected status."""
        if self.everything:
            return "ALL"
        digits = set(self.classes) | {c // 100 for c in self.exact}
        if len(digits) == 1:
            return _API_CLASSES.get(next(iter(digits)), "ALL")
        return "ALL"

    def matches(self, status: int) -> bool:
        """Whether an entry with this status is kept. A status the parser could not read (0)
        is kept for a selection of whole classes: the server chose it, the only evidence."""
        if self.everything or status in self.exact or status // 100 in self.classes:
            return True
        return status == 0 and not self.exact

    def keep(self, entries: Iterable[LogEntry]) -> list[LogEntry]:
        """The selected entries, in order: the local filter, applied even where the server
        filtered by class already (a server may ignore `codes`)."""
        if self.everything:
            return list(entries)
        return [e for e in entries if self.matches(e.status)]

    def label(self) -> str:
        """The selection as the user would type it, classes first: `5XX,404`."""
        if self.everything:
            return "ALL"
        parts = [f"{d}XX" for d in sorted(self.classes)]
        parts += [str(c) for c in sorted(self.exact) if c // 100 not in self.classes]
        return ",".join(parts)


ALL = CodeSelection()


def parse_codes(text: str) -> CodeSelection:
    """`5XX`, `5xx,404`, `404, 503`, `ALL` (case-insensitive) as a CodeSelection.

    Raises CodesError naming the bad part and what is accepted.
    """
    parts = [p.strip().upper() for p in str(text).split(",")]
    if not any(parts):
        raise CodesError(f"--codes is empty: expected {_ACCEPTED}")
    classes: set[int] = set()
    exact: set[int] = set()
    for part in parts:
        if not part:
            continue
        if part == "ALL":
            return ALL
        if len(part) == 3 and part.endswith("XX") and part[0].isdigit():
            digit = int(part[0])
            if digit not in _API_CLASSES:
                raise CodesError(_bad(part))
            classes.add(digit)
        elif part.isascii() and part.isdigit() and len(part) == 3 and 100 <= int(part) <= 599:
            exact.add(int(part))
        else:
            raise CodesError(_bad(part))
    exact = {c for c in exact if c // 100 not in classes}
    if classes == set(_API_CLASSES) and not exact:
        return ALL
    return CodeSelection(frozenset(classes), frozenset(exact), everything=False)


_ACCEPTED = (f"a class ({', '.join(LOG_CODES)}) or a status code 100-599, comma-separated "
             "(e.g. 5XX,404)")


def _bad(part: str) -> str:
    shown = part[:12] if part.isprintable() else part[:12].encode("unicode_escape").decode()
    return f"invalid --codes value {shown!r}: expected {_ACCEPTED}"
