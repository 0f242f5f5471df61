"""The pending refresh batch as the user edits it: one text, one entry per line.

A line may start with `url ` or `dir ` to set its own type (entries tagged from the log pane
are written that way, so they keep their type); other lines take the batch's default type.
The same text is the draft saved on every change, so typing and tagging share one record.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from tui.refresh.plan import RefreshKind, RefreshPlan, plan_refresh

PREFIXES = {
    "url": RefreshKind.URL,
    "dir": RefreshKind.DIRECTORY,
    "directory": RefreshKind.DIRECTORY,
}
LARGE_BATCH = 100  # more entries than this asks the user to confirm the scope explicitly


def split_prefix(line: str, default: RefreshKind) -> tuple[str, RefreshKind]:
    """'dir https://x/y/' -> ('https://x/y/', DIRECTORY); no prefix -> the default type."""
    stripped = line.strip()
    head, _, rest = stripped.partition(" ")
    kind = PREFIXES.get(head.lower().rstrip(":"))
    if kind is not None and rest.strip():
        return rest.strip(), kind
    return line, default


def entry_lines(text: str, default: RefreshKind) -> list[tuple[str, RefreshKind]]:
    """Every line (blank ones too, so line numbers match what the user sees)."""
    return [split_prefix(line, default) for line in text.split("\n")]


def plan_lines(lines: Iterable[str], default: RefreshKind, domain: str | None) -> RefreshPlan:
    """The one reading of batch lines, `url `/`dir ` prefixes included: the refresh modal
    and `s4top refresh` (arguments, `-f FILE`, stdin) both plan through here."""
    return plan_refresh([split_prefix(line, default) for line in lines], default, domain)


def plan_text(text: str, default: RefreshKind, domain: str | None) -> RefreshPlan:
    return plan_lines(text.split("\n"), default, domain)


def directory_of(url: str) -> str:
    """The directory holding a URL's object: scheme://host/a/b/c.png?x -> scheme://host/a/b/."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path or "/"
    directory = path[: path.rfind("/") + 1] or "/"
    return f"{parts.scheme}://{parts.netloc}{directory}"


def tagged_entries(text: str, default: RefreshKind) -> dict[str, RefreshKind]:
    """Entries in the batch, raw as written, with their types (for marking rows)."""
    out: dict[str, RefreshKind] = {}
    for value, kind in entry_lines(text, default):
        value = value.strip()
        if value and not value.startswith("#"):
            out[value] = kind
    return out


def toggle_entry(text: str, value: str, kind: RefreshKind) -> tuple[str, bool]:
    """Add `kind value` as a line, or remove it if present. Returns (new text, added)."""
    prefix = "dir" if kind is RefreshKind.DIRECTORY else "url"
    lines = text.split("\n") if text else []
    kept = [
        ln for ln in lines
        if split_prefix(ln, RefreshKind.URL) != (value, kind) and ln.strip() != value
    ]
    if len(kept) != len(lines):
        return "\n".join(kept).strip("\n"), False
    kept = [ln for ln in lines if ln.strip()]
    kept.append(f"{prefix} {value}")
    return "\n".join(kept), True


def count_entries(text: str) -> int:
    return sum(1 for ln in text.split("\n") if ln.strip() and not ln.strip().startswith("#"))


def scope_warnings(plan: RefreshPlan) -> list[str]:
    """What the user must confirm explicitly: directory refreshes and large batches."""
    warnings = []
    dirs = [v for k, v in plan.entries if k is RefreshKind.DIRECTORY]
    if dirs:
        shown = ", ".join(dirs[:5]) + (f" and {len(dirs) - 5} more" if len(dirs) > 5 else "")
        warnings.append(
            f"directory refresh: EVERYTHING under {shown} will be fetched from origin again"
        )
    if len(plan.entries) > LARGE_BATCH:
        warnings.append(
            f"large batch: {len(plan.entries)} entries in {len(plan.requests)} requests"
        )
    return warnings


def join_lines(pairs: Iterable[tuple[str, str]]) -> str:
    """History entries back into batch text: [(type, url)] -> 'url …' / 'dir …' lines."""
    return "\n".join(f"{'dir' if k == 'directory' else 'url'} {u}" for k, u in pairs)


def _merge_key(line: str, kind: RefreshKind) -> tuple[str, str]:
    stripped = line.strip()
    if stripped.startswith("#"):
        return ("#", stripped)
    value, k = split_prefix(line, kind)
    return (str(k), value.strip())


def merge_batches(
    base: tuple[str, RefreshKind], others: Iterable[tuple[str, RefreshKind]]
) -> tuple[str, RefreshKind]:
    """The union of several batches' lines: the base's lines first, as they are, then every
    other line not already there, in order, each entry once. A line without a prefix keeps
    its own batch's type (it gains a `url `/`dir ` prefix where the types differ). An empty
    base takes the type of the first non-empty batch merged into it."""
    text, kind = base
    lines = text.split("\n") if text.strip() else []
    others = [(t, k) for t, k in others if t.strip()]
    if not lines and others:
        kind = others[0][1]
    seen = {_merge_key(ln, kind) for ln in lines if ln.strip()}
    for other_text, other_kind in others:
        for line in other_text.split("\n"):
            if not line.strip():
                continue
            key = _merge_key(line, other_kind)
            if key in seen:
                continue
            seen.add(key)
            value, k = split_prefix(line, other_kind)
            if value == line and k is not kind and key[0] != "#":
                line = f"{'dir' if k is RefreshKind.DIRECTORY else 'url'} {line.strip()}"
            lines.append(line)
    return "\n".join(lines).strip("\n"), kind
