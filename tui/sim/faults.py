"""Faults the simulator can inject, switched on at start or while running.

A rule (JSON object; every key optional):
  latency_s: float     delay before answering (0-600)
  hang: bool           hold the connection without answering until the faults change
                       (any POST/DELETE /_sim/faults), the server stops, or hang_s passes;
                       after a change the request is answered normally, otherwise the
                       connection is closed without a response
  hang_s: float        longest hang (default 300)
  status: int          answer with this status (400-599) and a JSON error body; the
                       request is not processed (a refresh is recorded as not applied)
  retry_after: int     Retry-After header (seconds); a 429 without it gets 1
  reset: bool          process, then close with SO_LINGER 0 (TCP RST), no response
  truncate: bool|str   true or "length": send Content-Length of the full body but only
                       half of it, then close (the client sees an incomplete body);
                       "json": send half the body with a matching Content-Length (valid
                       HTTP carrying broken JSON)
  shape: str           wire shape of successful answers (see shapes.py)
  count: int|null      apply to the next N matching requests, null = until cleared
  path: str|null       "logs", "traffic", "traffic_origin", "request", "request_origin",
                       "refresh", "series" (the four series), a URL path prefix starting
                       with "/", or null = every vendor endpoint. Admin paths never fault.

POST /_sim/faults with one object (or a list) replaces all rules; {"add": true, ...}
appends one. When several rules match a request their effects combine (latencies add,
the first status/shape/truncate wins) and each consumes one of its count.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, fields
from typing import Any

from .variants import SHAPES

SERIES = ("traffic", "traffic_origin", "request", "request_origin")
ENDPOINTS = (*SERIES, "logs", "refresh")
_KEYS = ("latency_s", "hang", "hang_s", "status", "retry_after", "reset", "truncate", "shape",
         "count", "path")


@dataclass(slots=True)
class FaultRule:
    latency_s: float = 0.0
    hang: bool = False
    hang_s: float = 300.0
    status: int | None = None
    retry_after: int | None = None
    reset: bool = False
    truncate: str | None = None
    shape: str = "default"
    count: int | None = None
    path: str | None = None
    id: int = 0

    @classmethod
    def from_json(cls, obj: Any) -> FaultRule:
        if isinstance(obj, FaultRule):
            return FaultRule(**{f.name: getattr(obj, f.name) for f in fields(FaultRule)})
        if not isinstance(obj, dict):
            raise ValueError("a fault rule must be a JSON object")
        unknown = [k for k in obj if k not in _KEYS and k != "add"]
        if unknown:
            raise ValueError(f"unknown fault key {sorted(unknown)[0][:40]!r}")
        r = cls()
        r.latency_s = _num(obj.get("latency_s", 0.0), "latency_s", 0.0, 600.0)
        r.hang = _bool(obj.get("hang", False), "hang")
        r.hang_s = _num(obj.get("hang_s", 300.0), "hang_s", 0.0, 3600.0)
        status = obj.get("status")
        if status is not None:
            if not _is_int(status) or not 400 <= status <= 599:
                raise ValueError("status must be an integer 400-599")
            r.status = status
        ra = obj.get("retry_after")
        if ra is not None:
            if not _is_int(ra) or ra < 0:
                raise ValueError("retry_after must be an integer >= 0")
            r.retry_after = ra
        r.reset = _bool(obj.get("reset", False), "reset")
        tr = obj.get("truncate")
        if tr is True or tr == "length":
            r.truncate = "length"
        elif tr == "json":
            r.truncate = "json"
        elif tr not in (None, False):
            raise ValueError('truncate must be true, false, "length" or "json"')
        shape = obj.get("shape") or "default"
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
        r.shape = shape
        count = obj.get("count")
        if count is not None and (not _is_int(count) or count < 1):
            raise ValueError("count must be an integer >= 1 or null")
        r.count = count
        path = obj.get("path")
        if path is not None and path not in (*ENDPOINTS, "series") and not (
            isinstance(path, str) and path.startswith("/")
        ):
            raise ValueError("path must be an endpoint name, 'series', a '/' prefix or null")
        r.path = path
        return r

    def matches(self, endpoint: str | None, url_path: str) -> bool:
        if self.path is None:
            return endpoint is not None
        if self.path.startswith("/"):
            return url_path.startswith(self.path)
        if self.path == "series":
            return endpoint in SERIES
        return endpoint == self.path

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(FaultRule)}


@dataclass(slots=True)
class Effects:
    """What to do to one request (all matching rules combined)."""

    latency_s: float = 0.0
    hang: bool = False
    hang_s: float = 0.0
    status: int | None = None
    retry_after: int | None = None
    reset: bool = False
    truncate: str | None = None
    shape: str = "default"
    generation: int = 0

    def describe(self) -> str:
        parts = []
        if self.latency_s:
            parts.append("latency")
        for name in ("hang", "reset"):
            if getattr(self, name):
                parts.append(name)
        if self.status:
            parts.append(f"status {self.status}")
        if self.truncate:
            parts.append(f"truncate {self.truncate}")
        if self.shape != "default":
            parts.append(f"shape {self.shape}")
        return ", ".join(parts)


class FaultSet:
    """Thread-safe rule list; hung requests wait here for a change."""

    def __init__(self, rules: Any = ()):
        self._cond = threading.Condition()
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self.generation = 0
        if rules:
            self.set(list(rules))

    def _install(self, rule: FaultRule) -> None:
        rule.id = self._next_id
        self._next_id += 1
        self._rules.append(rule)

    def set(self, obj: Any) -> list[dict[str, Any]]:
        """Replace all rules (a list or one object), or append one with {"add": true}."""
        items = obj if isinstance(obj, list) else [obj]
        rules = [FaultRule.from_json(x) for x in items]
        add = isinstance(obj, dict) and obj.get("add") is True
        with self._cond:
            if not add:
                self._rules.clear()
            for r in rules:
                self._install(r)
            self._changed()
        return self.snapshot()

    def add(self, obj: Any) -> list[dict[str, Any]]:
        rule = FaultRule.from_json(obj)
        with self._cond:
            self._install(rule)
            self._changed()
        return self.snapshot()

    def clear(self) -> None:
        with self._cond:
            self._rules.clear()
            self._changed()

    def _changed(self) -> None:
        self.generation += 1
        self._cond.notify_all()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._cond:
            return [r.to_json() for r in self._rules]

    def take(self, endpoint: str | None, url_path: str) -> Effects | None:
        """Effects for one request, consuming counts; None when nothing matches."""
        with self._cond:
            hit = [r for r in self._rules if r.matches(endpoint, url_path)]
            if not hit:
                return None
            fx = Effects(generation=self.generation)
            for r in hit:
                fx.latency_s += r.latency_s
                if r.hang:
                    fx.hang = True
                    fx.hang_s = max(fx.hang_s, r.hang_s)
                if fx.status is None and r.status is not None:
                    fx.status = r.status
                if fx.retry_after is None and r.retry_after is not None:
                    fx.retry_after = r.retry_after
                fx.reset = fx.reset or r.reset
                fx.truncate = fx.truncate or r.truncate
                if fx.shape == "default":
                    fx.shape = r.shape
                if r.count is not None:
                    r.count -= 1
            spent = [r for r in hit if r.count is not None and r.count <= 0]
            if spent:
                # Used-up rules leave quietly: no generation change, so hangs stay hung.
                gone = {r.id for r in spent}
                self._rules = [r for r in self._rules if r.id not in gone]
            return fx

    def wait_heal(self, generation: int, timeout: float, stopping: threading.Event) -> bool:
        """Block until the rules change (True), or stop/timeout (False)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.generation == generation and not stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.1))
            return self.generation != generation and not stopping.is_set()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _bool(v: Any, name: str) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"{name} must be true or false")
    return v


def _num(v: Any, name: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValueError(f"{name} must be a number")
    if not lo <= v <= hi:
        raise ValueError(f"{name} must be between {lo:g} and {hi:g}")
    return float(v)
