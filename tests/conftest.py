"""Shared fixtures: isolated user dirs, and the built-in simulator on a real loopback port."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# A fixed moment for deterministic simulator output: 2026-11-20 10:00:00 UTC.
FIXED_NS = 1_795_168_800 * 1_000_000_000
DOMAIN = "cdn.example.com"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the real user's config, drafts or history."""
    home = tmp_path / "home"
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    for var in ("BITIFUL_API_TOKEN", "S4TOP_API_BASE", "S4TOP_DOMAIN", "S4TOP_TOKEN_FILE", "S4TOP_CONFIG", "S4TOP_READONLY", "S4TOP_SIM_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    # a terminal's size comes from the terminal each test opens (pty, tmux): LINES/COLUMNS
    # in the environment (pytest-xdist's workers set 24 and 80) would override it in every
    # child, since Textual reads them first
    for var in ("LINES", "COLUMNS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return home


@pytest.fixture
def sim_server() -> Iterator:
    """A frozen-clock simulator on a loopback port (deterministic responses)."""
    from tui.sim import SimConfig, SimServer

    server = SimServer(SimConfig(seed=7, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,)))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live_sim_server() -> Iterator:
    """A simulator whose clock runs in real time (for follow and fault tests)."""
    from tui.sim import SimConfig, SimServer

    server = SimServer(SimConfig(seed=11, rate=50.0, domains=(DOMAIN,)))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def cli_env(base_url: str, **extra: str) -> dict[str, str]:
    """Environment for running the real `s4top` command against a simulator."""
    from tui.sim import DEMO_TOKEN

    env = dict(os.environ)
    env.update({"S4TOP_API_BASE": base_url, "S4TOP_DOMAIN": DOMAIN, "BITIFUL_API_TOKEN": DEMO_TOKEN})
    env.update(extra)
    return env
