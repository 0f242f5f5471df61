"""Shared pieces of the reliability suites: fast back-off settings, the identity of an
entry, and the exactly-once comparison with the simulator's truth."""

from __future__ import annotations

from typing import Any

from tests.conftest import DOMAIN
from tui.core.models import LogEntry

#: Settings that make every back-off short, so a fault test runs in seconds.
FAST: dict[str, Any] = {
    "poll_interval": 0.2,
    "read_timeout": 0.5,
    "connect_timeout": 0.5,
    "backoff_base": 0.1,
    "backoff_cap": 0.4,
    "auth_backoff": 0.3,
    "backlog": 5.0,
}


def key_of_entry(e: LogEntry) -> tuple[Any, ...]:
    """The identity of a parsed entry, comparable with `key_of_wire` of the truth."""
    return (e.time_ns, e.status, e.method, e.client_ip, e.size, e.url, e.extra.get("referer"), e.extra.get("ua"))


def key_of_wire(e: dict[str, Any]) -> tuple[Any, ...]:
    """The identity of a default-shape wire entry (what the simulator's truth returns)."""
    return (e["access_time"], e["code"], e["method"], e["ip"], e["size"], e["path"], e.get("referer"), e.get("ua"))


def assert_exactly_once(got: list[tuple[Any, ...]], truth: list[dict[str, Any]]) -> int:
    """`got` must be the truth from the start of the followed window on, in order, each once.

    Entries that share the last delivered timestamp may still be on their way: only those
    may be missing at the end. Returns the number of entries checked."""
    want = [key_of_wire(e) for e in truth]
    assert got, "nothing was delivered"
    assert len(got) <= len(want), f"{len(got) - len(want)} more entries than the simulator produced"
    if got != want[: len(got)]:
        first = next(i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b)
        raise AssertionError(f"lost, doubled or reordered entries from index {first}: got {got[first]!r}, want {want[first]!r}")
    last = got[-1][0]
    missing = [k for k in want[len(got):] if k[0] <= last]
    assert all(k[0] == last for k in missing), f"{len(missing)} entries up to the last delivered time are missing"
    return len(got)


def truth(sim: Any, start_ns: int, end_ns: int) -> list[dict[str, Any]]:
    return sim.truth(DOMAIN, start_ns, end_ns)
