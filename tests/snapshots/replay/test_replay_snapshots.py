"""SVG snapshot of the dashboard over a recording, paused (its clock does not move): the
REPLAY header in its own colour with the recorded time, the backlog before it, the charts.

Regenerate on purpose with `pytest tests/snapshots/replay --snapshot-update`, then look."""

from __future__ import annotations

from tests.snapshots.conftest import loaded, settle


def test_paused_replay(snap_compare, make_replay) -> None:
    app = make_replay(at="10:20", speed="0")

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
