"""Code comments and docs point at files in the repository (docs/api.md, docs/ux.md,
tui/sim/README.md, README.md), never at notes outside it that a reader of the repo cannot
open."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"\b(?:UX|API|STYLE)\.md\b|\bshared/")


def test_no_pointer_leaves_the_repository() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    here = Path(__file__).resolve().relative_to(ROOT).as_posix()
    found = []
    for name in files:
        path = ROOT / name
        if name == here or path.suffix not in (".py", ".md", ".toml", ".txt", ".tcss", ".cfg"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{name}:{n}: {line.strip()[:80]}")
    assert not found, "\n".join(found)


def test_the_files_the_docs_name_exist() -> None:
    named = set()
    for doc in (ROOT / "docs").glob("*.md"):
        named |= set(re.findall(r"`((?:tui|tests|docs)/[\w/.]+)`", doc.read_text(encoding="utf-8")))
    assert named and not sorted(p for p in named if not (ROOT / p).exists())
