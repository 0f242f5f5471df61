"""`s4top config`: the effective settings, where each came from, and the paths in use."""

from __future__ import annotations

import argparse
import sys

from tui.config import SCHEMA, is_duration
from tui.context import Context
from tui.core.sanitize import inert
from tui.core.units import format_setting_duration


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
        if value is None or value == [] or value == {}:
            shown = "(unset)"
        elif is_duration(name) and isinstance(value, (int, float)):
            shown = format_setting_duration(value)  # '5m' as the README and the file say
        else:
            shown = str(value)
        # values come from files and the environment: shown, never interpreted by the terminal
        print(f"{name.ljust(width)} = {inert(shown, 300)}  [{inert(s.origins[name], 300)}]")
    if s.keymap:  # the dashboard toasts these at start; here they go to stderr
        from tui.app import S4TopApp
        from tui.screens.keymap import keymap_warnings, screen_bindings

        for warning in keymap_warnings(s.keymap, S4TopApp.BINDINGS, screen_bindings()):
            print(f"s4top: {inert(warning, 300)}", file=sys.stderr)
    return 0
