"""Locating the stylesheet from an installed wheel (tui/styles) or a source checkout (styles/)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def stylesheet(name: str = "app.tcss") -> Path:
    try:
        p = Path(str(resources.files("tui.styles").joinpath(name)))
        if p.is_file():
            return p
    except (ModuleNotFoundError, TypeError, FileNotFoundError):
        pass
    p = Path(__file__).resolve().parents[2] / "styles" / name  # tui/screens/ -> the checkout
    if p.is_file():
        return p
    raise FileNotFoundError(f"stylesheet {name} not found (installation incomplete?)")
