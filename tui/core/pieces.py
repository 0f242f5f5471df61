"""Long work on the event loop in pieces, so a key waits for one piece, not for the whole.

The dashboard's tail parses a page of 1000 entries on the event loop: 5-20 ms on an idle
machine, 20-90 ms (and more) on a loaded one, and a key that landed meanwhile waited for all
of it (the filter key's p95 while ingesting, benchmarks/responsiveness.py). Taken in pieces of
about a hundred entries, with a turn of the loop whenever `budget_s` has passed, the key waits
for at most one piece. The pieces are joined in their order; nothing is used before the last
one is in, so a page that fails half-way is still taken whole or not at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

#: entries parsed between two looks at the clock (~0.5-2 ms of work)
PIECE = 100
#: the longest stretch of pieces before the loop gets a turn (keys, frames)
PIECE_BUDGET_S = 0.004


async def joined(pieces: Iterable[list[T]], budget_s: float = PIECE_BUDGET_S, *,
                 clock: Callable[[], float] = time.perf_counter,
                 pause: Callable[[], Awaitable[object]] = lambda: asyncio.sleep(0)) -> list[T]:
    """Every piece of `pieces`, in order, as one list; between two pieces the event loop gets
    a turn once `budget_s` has passed since its last (0: after every piece)."""
    out: list[T] = []
    began = clock()
    for piece in pieces:
        out += piece
        if clock() - began >= budget_s:
            await pause()
            began = clock()
    return out
