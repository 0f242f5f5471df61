"""The demo keeps its own data dir: what is typed or sent against the built-in simulator never
shows in the real batches, history or chart marks (tui/context.py `Context.data_dir`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.integration.cli_support import base_env, run
from tui.config import load_settings
from tui.context import build_context


def _root() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "s4top"


def test_the_context_chooses_the_data_dir() -> None:
    real = build_context(load_settings(flags={"domain": "cdn.example.com"}))
    assert not real.demo and real.data_dir == _root()
    demo = build_context(load_settings(flags={}), demo=True)
    try:
        assert demo.demo and demo.data_dir == _root() / "demo"
    finally:
        demo.close()


def test_config_shows_the_data_dir_in_use_demo_or_not() -> None:
    env = base_env("http://127.0.0.1:9")
    r = run(["config"], env)
    assert r.rc == 0, r.err
    [line] = [ln for ln in r.out.splitlines() if ln.startswith("data dir:")]
    assert f"data dir:    {_root()} (" in line and "demo" not in line
    r = run(["config", "--demo"], env)
    assert r.rc == 0, r.err
    [line] = [ln for ln in r.out.splitlines() if ln.startswith("data dir:")]
    assert f"data dir:    {_root() / 'demo'} (the demo's own" in line, line


def test_a_demo_refresh_is_recorded_in_the_demo_history_only() -> None:
    env = base_env("http://127.0.0.1:9")
    r = run(["--demo", "refresh", "--yes", "https://cdn.example.com/demo-only.png"], env)
    assert r.rc == 0, r.err
    [rec] = [json.loads(x) for x in (_root() / "demo" / "history.jsonl").read_text().splitlines()]
    assert rec["entries"] == ["https://cdn.example.com/demo-only.png"]
    assert not (_root() / "history.jsonl").exists()
