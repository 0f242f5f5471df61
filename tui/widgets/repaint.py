"""Which cells of a widget changed between two renders, so only those are repainted.

Textual repaints a whole widget when it is refreshed without regions; given regions, its
compositor writes only the segments that overlap them. The status line changes once a second
when idle (the "updated 1s ago" age): refreshing just the changed cells sends one segment to
the terminal instead of both full-width rows (benchmarks/bytes_ssh.py, the idle figure).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

Cell = tuple[str | None, Style | None]


def cells(strip: Strip) -> list[Cell]:
    """One (character, style) per terminal cell; a wide character's second cell is ""."""
    out: list[Cell] = []
    for seg in strip:
        if seg.control:
            continue
        style = seg.style
        for ch in seg.text:
            out.append((ch, style))
            if cell_len(ch) == 2:
                out.append(("", style))
    return out


def changed_regions(old: Sequence[Strip], new: Sequence[Strip]) -> list[Region]:
    """Per line, the span from the first to the last cell that differs (none if equal), by
    screen column: cells past the end of the shorter line count as changed."""
    regions: list[Region] = []
    blank: Cell = (None, None)  # past the end of the shorter line: differs from any cell
    for y in range(max(len(old), len(new))):
        a = cells(old[y]) if y < len(old) else []
        b = cells(new[y]) if y < len(new) else []
        if a == b:
            continue
        width = max(len(a), len(b))
        a += [blank] * (width - len(a))
        b += [blank] * (width - len(b))
        start = 0
        while a[start] == b[start]:
            start += 1
        end = width
        while a[end - 1] == b[end - 1]:
            end -= 1
        regions.append(Region(start, y, end - start, 1))
    return regions
