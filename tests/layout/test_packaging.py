"""The wheel follows the layout by itself: every module of the checkout's tui/ is importable
from the installed package, run outside the checkout (so the checkout is not on sys.path)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_package_imports_every_module(tmp_path: Path) -> None:
    expected = set()
    for p in (ROOT / "tui").rglob("*.py"):
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        expected.add(".".join(parts))
    code = (
        "import importlib, json, pkgutil, tui\n"
        "names = ['tui'] + [m.name for m in pkgutil.walk_packages(tui.__path__, 'tui.')]\n"
        "for n in names: importlib.import_module(n)\n"
        "from tui.screens.stylesheet import stylesheet\n"
        "print(json.dumps({'names': names, 'css': str(stylesheet())}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert expected - set(got["names"]) == set()
    assert Path(got["css"]).is_file()
