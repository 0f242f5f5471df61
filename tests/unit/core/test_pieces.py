"""`joined`: the pieces of a long job in order, with a turn of the event loop whenever the
budget has passed (the clock is the test's own: no timing here)."""

from __future__ import annotations

import asyncio

from tui.core.pieces import joined


class Clock:
    """Moves `step` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.t, self.step = 0.0, step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


def run(pieces: list[list[int]], budget_s: float, step: float) -> tuple[list[int], list[str]]:
    log: list[str] = []

    def gen():
        for i, p in enumerate(pieces):
            log.append(f"piece {i}")
            yield p

    async def pause() -> None:
        log.append("turn")

    out = asyncio.run(joined(gen(), budget_s, clock=Clock(step), pause=pause))
    return out, log


def test_every_piece_in_order() -> None:
    pieces = [[1, 2, 3], [], [4], [5, 6]]
    out, _log = run(pieces, 0.0, 0.001)
    assert out == [1, 2, 3, 4, 5, 6]


def test_a_zero_budget_gives_the_loop_a_turn_after_every_piece() -> None:
    _out, log = run([[1], [2], [3]], 0.0, 0.001)
    assert log == ["piece 0", "turn", "piece 1", "turn", "piece 2", "turn"]


def test_a_turn_once_the_budget_has_passed() -> None:
    # each piece costs one clock read (1 ms): a turn after every fourth with a 4 ms budget
    _out, log = run([[i] for i in range(8)], 0.004, 0.001)
    assert log.count("turn") == 2
    assert log.index("turn") == 4


def test_no_turn_within_the_budget() -> None:
    _out, log = run([[1], [2]], 10.0, 0.001)
    assert "turn" not in log


def test_a_turn_lets_another_task_run_between_pieces() -> None:
    seen: list[str] = []

    def gen():
        for i in range(3):
            seen.append(f"piece {i}")
            yield [i]

    async def other() -> None:
        for _ in range(3):
            seen.append("other")
            await asyncio.sleep(0)

    async def main() -> list[int]:
        task = asyncio.ensure_future(other())
        out = await joined(gen(), 0.0)
        await task
        return out

    assert asyncio.run(main()) == [0, 1, 2]
    assert seen.index("other") < seen.index("piece 2")
