"""Checks of the config's `[keymap]` before it is applied: a remap onto a key another binding
of the same screen already uses (the screen's binding silently wins, so `q` might no longer
quit), and ids no binding has (a typo remaps nothing). One line per problem, at start."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.screens.help import key_label


def screen_bindings() -> list[tuple[str, list[Binding]]]:
    """(screen name, its own bindings) of every screen in tui/screens, new ones included."""
    import tui.screens

    for mod in pkgutil.iter_modules(tui.screens.__path__):
        importlib.import_module(f"tui.screens.{mod.name}")
    seen: list[tuple[str, list[Binding]]] = []
    todo: list[type] = [Screen]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("tui.screens.") and "BINDINGS" in vars(cls):
            seen.append((cls.__name__, _bindings(vars(cls)["BINDINGS"])))
    return seen


def _bindings(items: Iterable[BindingType]) -> list[Binding]:
    return [b for b in items if isinstance(b, Binding)]


def _keys(value: str) -> list[str]:
    """Keys as typed, so '[' in the config and 'left_square_bracket' in the code match."""
    return [k for k in key_label(value).split(" ") if k]


def keymap_warnings(
    keymap: Mapping[str, str],
    app_bindings: Sequence[BindingType],
    screens: Sequence[tuple[str, Sequence[Binding]]],
) -> list[str]:
    """One warning per unknown id and per remapped key that another binding of the same
    screen (or the app, which every screen inherits) already answers to."""
    app = _bindings(app_bindings)
    known = {b.id for b in app if b.id} | {b.id for _, bs in screens for b in bs if b.id}
    out: list[str] = []
    for bid in keymap:
        if bid not in known:
            out.append(f'keymap: unknown binding id "{bid}" ignored (? lists the ids)')
    scopes = [app] + [[*bs, *app] for _, bs in screens]
    reported: set[tuple[str, str]] = set()
    for bid, value in keymap.items():
        for scope in scopes:
            if not any(b.id == bid for b in scope):
                continue
            for key in _keys(value):
                for other in scope:
                    if other.id == bid or (bid, key) in reported:
                        continue
                    now = keymap.get(other.id, other.key) if other.id else other.key
                    if key in _keys(now):
                        reported.add((bid, key))
                        name = other.id or other.action
                        out.append(f'keymap: "{key}" for {bid} is already {name}\'s key')
    return out


def apply_keymap(app: Any, keymap: Mapping[str, str]) -> list[str]:
    """Apply the config's `[keymap]` and return its warnings (one line per problem). Only
    with a keymap set are the other screens' modules imported, to check their keys."""
    warnings = keymap_warnings(keymap, app.BINDINGS, screen_bindings())
    app.set_keymap(keymap)
    return warnings
