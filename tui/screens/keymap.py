"""Checks of the config's `[keymap]` before it is applied: a remap onto a key another binding
of the same screen already uses (the screen's binding silently wins, so `q` might no longer
quit), ids no binding has (a typo remaps nothing) and key names no terminal sends (`ctrl+qq`,
`f99`: the action would be out of reach). One line per problem, at start."""

from __future__ import annotations

import importlib
import pkgutil
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from textual.binding import Binding, BindingType
from textual.keys import Keys, _character_to_key
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


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
#: key names Textual gives keys: its named keys (f1..f24, pageup, ...) and printable ASCII's
KEY_NAMES = frozenset(
    {k.value.rsplit("+", 1)[-1] for k in Keys}
    | {_character_to_key(c) for c in string.printable if not c.isspace()}
    | {"space", "tab", "enter", "escape", "backspace", "delete"})


def key_name_ok(key: str) -> bool:
    """True for a key a terminal can send: one character, or Textual's name of a key, after
    any of the modifiers (`ctrl+r`, `f5`, `[`, `left_square_bracket`, `shift+tab`)."""
    if len(key) == 1:
        return key.isprintable()
    if key.endswith("++"):  # "ctrl++": the key itself is "+"
        mods, base = key[:-2].split("+"), "+"
    else:
        *mods, base = key.split("+")
    ok_base = (len(base) == 1 and base.isprintable()) or base in KEY_NAMES
    return ok_base and all(m in MODIFIERS for m in mods)


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
    for bid, value in keymap.items():
        for key in (k.strip() for k in value.split(",")):
            if not key_name_ok(key):
                out.append(f'keymap: "{key}" for {bid} is not a key name (f1..f24, ctrl+r, '
                           '[, pageup, ...): that binding is out of reach')
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
