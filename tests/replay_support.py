"""Recordings for the replay tests, built with plain parameterised inserts from what the
simulator holds (its truth), parsed by the real parser so `shapes` holds the wire keys.
The writer (`s4top record`) is a separate feature; these files follow tui/recording/schema.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tui.api.parse import parse_logs
from tui.recording.schema import connect

NS = 1_000_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: Any) -> Any:
    """SQLite TEXT holds UTF-8: a lone surrogate (valid in JSON) is stored as U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def write_recording(path: Path, entries: dict[str, list[dict[str, Any]]], *,
                    series: Iterable[tuple[str, str, str, int, float]] = (),
                    meta: dict[str, str] | None = None) -> Path:
    """A recording of raw wire entries per domain (in read order) and optional series rows
    (domain, metric, period, time_s, value)."""
    conn = connect(path, create=True)
    shapes: dict[str, int] = {}
    lo: int | None = None
    hi: int | None = None
    for domain, raws in entries.items():
        rows = []
        for e in parse_logs({"data": raws}, "logs"):
            keys = json.dumps(e.source_keys, sort_keys=True)
            if keys not in shapes:
                cur = conn.execute("INSERT INTO shapes (source_keys) VALUES (?)", (keys,))
                shapes[keys] = int(cur.lastrowid or 0)
            rows.append((domain, e.time_ns, e.status, _text(e.method), _text(e.client_ip),
                         e.size, _text(e.url),
                         _text(e.country) if "country" in e.source_keys else None,
                         _text(e.cache) if "cache" in e.source_keys else None,
                         json.dumps(e.extra) if e.extra else None, shapes[keys]))
            lo = e.time_ns if lo is None else min(lo, e.time_ns)
            hi = e.time_ns if hi is None else max(hi, e.time_ns)
        conn.executemany(
            "INSERT INTO logs (domain, time_ns, status, method, client_ip, size, url, country, "
            "cache, extra, shape) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO series (domain, metric, period, time_s, value) "
                     "VALUES (?, ?, ?, ?, ?)", list(series))
    base = {"domains": json.dumps(list(entries))}
    if lo is not None and hi is not None:
        base.update(range_start_ns=str(lo), range_end_ns=str(hi))
    base.update(meta or {})
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(base.items()))
    conn.commit()
    conn.close()
    return path


def record_sim(path: Path, sim: Any, start_ns: int, end_ns: int,
               domains: Iterable[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Record the simulator's truth of [start_ns, end_ns] (every domain); returns it."""
    truth = {d: sim.truth(d, start_ns, end_ns) for d in (domains or sim.domains)}
    write_recording(path, truth, meta={"range_start_ns": str(start_ns),
                                       "range_end_ns": str(end_ns)})
    return truth


OTHER = "img.example.com"
#: the recording: 10:00-10:30 UTC of 2026-11-20, two domains
REC_START, REC_END = FIXED_NS, FIXED_NS + 1800 * NS


@pytest.fixture(scope="session")
def recording(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    from tui.sim import SimConfig, Simulator

    sim = Simulator(SimConfig(seed=9, rate=15.0, start_ns=REC_END, frozen=True,
                              domains=(DOMAIN, OTHER)))
    path = tmp_path_factory.mktemp("rec") / "incident.db"
    truth = record_sim(path, sim, REC_START, REC_END)
    return path, truth


@pytest.fixture
def make_replay(recording: Any) -> Iterator[Callable[..., Any]]:
    from tui.app import S4TopApp
    from tui.config import load_settings
    from tui.context import ReplayOptions, build_context

    made: list[Any] = []

    def make(at: str | None = "10:20", speed: str = "0", until: str | None = None,
             **flags: Any) -> Any:
        settings = load_settings(flags={"poll_interval": 0.2, "utc": True, **flags})
        ctx = build_context(settings, replay=ReplayOptions(str(recording[0]), at=at,
                                                           until=until, speed=speed))
        made.append(ctx)
        return S4TopApp(ctx)

    yield make
    for ctx in made:
        ctx.close()


def window(truth: list[dict], lo: int, hi: int) -> list[str]:
    return [r["path"] for r in truth if lo <= r["access_time"] <= hi]
