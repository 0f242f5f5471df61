"""The house's rules, held against the code's own imports: data flows one way
(api -> core <- insight <- live/refresh <- widgets <- screens <- app <- commands <- cli), the
pure layers stay free of Textual and httpx, and nothing in the package imports the tests or
the benchmarks. Every import counts, those inside functions (lazy ones) too."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "tui"

# What each part may import from the package (besides itself) and which third-party
# frameworks it may not import. A part is a folder of tui/ or a module at its root.
ALLOWED: dict[str, set[str]] = {
    "tui.core": set(),
    "tui.api": {"tui", "tui.core"},
    "tui.insight": {"tui.core"},
    "tui.recording": {"tui.core"},
    "tui.sim": {"tui.core", "tui.recording"},
    "tui.config": {"tui.core"},
    "tui.context": {"tui.core", "tui.api", "tui.config", "tui.sim", "tui.recording"},
    "tui.live": {"tui.core", "tui.api", "tui.insight"},
    "tui.refresh": {"tui.core", "tui.api"},
    "tui.exporter": {"tui.core", "tui.api", "tui.config", "tui.insight", "tui.live"},
    "tui.widgets": {"tui.core", "tui.insight", "tui.live"},
    "tui.screens": {"tui.core", "tui.insight", "tui.live", "tui.refresh", "tui.widgets"},
    "tui.app": {"tui.core", "tui.api", "tui.context", "tui.config", "tui.insight", "tui.live",
                "tui.recording", "tui.refresh", "tui.screens", "tui.widgets"},
    # "tui": the version string, stored in a recording's metadata (tui/commands/record.py)
    "tui.commands": {"tui", "tui.core", "tui.api", "tui.app", "tui.config", "tui.context",
                     "tui.exporter", "tui.insight", "tui.live", "tui.recording", "tui.refresh",
                     "tui.screens", "tui.sim"},
    "tui.cli": {"tui", "tui.core", "tui.api", "tui.app", "tui.commands", "tui.config",
                "tui.context", "tui.sim"},
}
SCREEN_FREE = {"tui.core", "tui.api", "tui.insight", "tui.sim", "tui.config", "tui.context",
               "tui.live", "tui.refresh", "tui.exporter", "tui.recording"}
FRAMEWORKS = {"textual", "rich", "textual_plotext", "plotext"}
HTTP_FREE = {"tui.core", "tui.insight", "tui.live", "tui.refresh", "tui.recording"}  # through tui.api only


def part_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "tui" and len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def violations() -> list[str]:
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        mod = module_name(path)
        part = part_of(mod)
        for line, name in imports_of(path):
            target = part_of(name)
            where = f"{path.relative_to(ROOT)}:{line} imports {name}"
            if target in ("tests", "benchmarks", "screenshots"):
                bad.append(f"{where}: the package never imports {target}")
            elif target.startswith("tui") and target != part and target not in ALLOWED[part]:
                bad.append(f"{where}: {part} may not import {target}")
            elif part in SCREEN_FREE and target in FRAMEWORKS:
                bad.append(f"{where}: {part} has no screen code")
            elif part in HTTP_FREE and target in ("httpx", "httpcore"):
                bad.append(f"{where}: {part} speaks HTTP only through tui.api")
    return bad


def test_imports_only_point_down() -> None:
    assert violations() == []


def test_every_part_has_a_rule() -> None:
    """A new folder or root module must be placed in the layers on purpose."""
    parts = {part_of(module_name(p)) for p in PKG.rglob("*.py")} - {"tui"}
    assert parts - set(ALLOWED) == set()


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch) -> None:
    """The rule itself can fail: a core module importing the API layer is reported."""
    fake = tmp_path / "tui" / "core"
    fake.mkdir(parents=True)
    (fake / "leak.py").write_text("from tui.api.errors import ApiError\nimport textual\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PKG", tmp_path / "tui")
    found = violations()
    assert any("tui.core may not import tui.api" in v for v in found)
    assert any("no screen code" in v for v in found)


LAZY_SCREENS = ("refresh", "history", "top", "detail", "alerts", "overview", "help",
                "explain", "replay")
#: loaded after the first frame: the HTTP client when polling starts (and with it the
#: response parsers), plotext at the first chart drawn (the charts say "loading…" until their
#: data is in), the explain code at the first alert's hint; the TOML reader only with a
#: config file, IDNA only for a non-ASCII domain; the features built right after the first
#: frame (tui/app.py `_after_first_frame`): the refresh desk, the purge watch, the alert
#: watch and the pollers, with the slices
LAZY_MODULES = ("httpx", "tui.api.client", "tui.api.parse", "tui.api.wire", "plotext",
                "textual_plotext", "tui.insight.explain", "tomllib", "idna",
                "tui.refresh.desk", "tui.refresh.watch", "tui.refresh.verify",
                "tui.refresh.sender", "tui.live.alerting", "tui.insight.alert_log",
                "tui.live.pollers", "tui.core.slices")


def _loaded_by_the_first_frame(names: tuple[str, ...]) -> list[str]:
    """Which of `names` are imported when the dashboard's first frame is up (the app's
    `_after_first_frame` is called, before it builds anything), and that it was called."""
    code = (
        "import asyncio, sys\n"
        "from tui.config import load_settings\n"
        "from tui.context import build_context\n"
        "from tui.app import S4TopApp\n"
        "seen = []\n"
        "class Probe(S4TopApp):\n"
        "    def _after_first_frame(self):\n"
        f"        seen.append(sorted(m for m in {names!r} if m in sys.modules))\n"
        "        super()._after_first_frame()\n"
        "async def main():\n"
        "    s = load_settings(flags={'domain': 'cdn.example.com'})\n"
        "    app = Probe(build_context(s), start_pollers=False)\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.pause()\n"
        "        assert 'desk' in vars(app)  # built right after the first frame\n"
        "asyncio.run(main())\n"
        "print(seen[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def test_starting_the_dashboard_loads_no_other_screen_nor_plotext() -> None:
    """The first frame waits for no other screen's module, nor for the HTTP client or
    plotext (benchmarks/start.py measures it)."""
    screens = tuple(f"tui.screens.{m}" for m in LAZY_SCREENS)
    assert _loaded_by_the_first_frame(screens + LAZY_MODULES) == []


def test_a_missing_chart_library_is_one_line_before_the_screen_opens() -> None:
    """plotext loads after the first frame, yet a missing one still fails `s4top` at once, in
    one line, as when it was imported with the app (tui/widgets/charts.py)."""
    code = (
        "import sys\n"
        "sys.modules['textual_plotext'] = None  # as if not installed\n"
        "from tui.cli import main\n"
        "sys.exit(main(['--domain', 'cdn.example.com', '--api-base', 'http://127.0.0.1:9']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, stdin=subprocess.DEVNULL,
                         env={**os.environ, "BITIFUL_API_TOKEN": "x" * 32})
    assert out.returncode == 1, out.stdout[-500:] + out.stderr[-500:]
    assert out.stderr.strip().splitlines() == [out.stderr.strip()]
    assert "No module named 'textual_plotext'" in out.stderr and "Traceback" not in out.stderr
