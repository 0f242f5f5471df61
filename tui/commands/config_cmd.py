"""`s4top config`: the effective settings, where each came from, and the paths in use."""

from __future__ import annotations

import argparse

from tui.config import SCHEMA
from tui.context import Context
from tui.core.sanitize import inert


def add_args(p: argparse.ArgumentParser) -> None:
    del p  # no options of its own


def run(ctx: Context, args: argparse.Namespace) -> int:
    s = ctx.settings
    found = "found" if s.config_found else "not present (defaults apply)"
    print(f"config file: {inert(str(s.config_path))} ({found})")
    what = "the demo's own refresh drafts, history and ui state" if ctx.demo else \
        "refresh drafts, history and ui state"
    print(f"data dir:    {inert(str(ctx.data_dir))} ({what})")
    print(f"token:       {inert(ctx.token.description)} (value hidden)")
    print(f"api base:    {inert(ctx.api_base)}")
    print(f"domains:     {', '.join(ctx.domains) or '(none)'}")
    print()
    width = max(len(k) for k in SCHEMA)
    for name in SCHEMA:
        value = s.values[name]
        shown = "(unset)" if value is None or value == [] or value == {} else str(value)
        # values come from files and the environment: shown, never interpreted by the terminal
        print(f"{name.ljust(width)} = {inert(shown, 300)}  [{inert(s.origins[name], 300)}]")
    return 0
