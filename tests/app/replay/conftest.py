"""Replay fixtures: a recording of the simulator's truth, and the real app over it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tests.replay_support import NS, record_sim
from tui.config import load_settings
from tui.context import ReplayOptions, build_context
from tui.sim import SimConfig, Simulator

OTHER = "img.example.com"
#: the recording: 10:00-10:30 UTC of 2026-11-20, two domains
REC_START, REC_END = FIXED_NS, FIXED_NS + 1800 * NS


@pytest.fixture(scope="session")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict]]]:
    sim = Simulator(SimConfig(seed=9, rate=15.0, start_ns=REC_END, frozen=True,
                              domains=(DOMAIN, OTHER)))
    path = tmp_path_factory.mktemp("rec") / "incident.db"
    truth = record_sim(path, sim, REC_START, REC_END)
    return path, truth


@pytest.fixture
def make_replay(recording) -> Callable[..., Any]:
    from tui.app import S4TopApp

    made: list[Any] = []

    def make(at: str | None = "10:20", speed: str = "0", **flags: Any) -> Any:
        settings = load_settings(flags={"poll_interval": 0.2, "utc": True, **flags})
        ctx = build_context(settings, replay=ReplayOptions(str(recording[0]), at=at,
                                                           speed=speed))
        made.append(ctx)
        return S4TopApp(ctx)

    yield make
    for ctx in made:
        ctx.close()


def window(truth: list[dict], lo: int, hi: int) -> list[str]:
    return [r["path"] for r in truth if lo <= r["access_time"] <= hi]
