"""Sustained outages (opt-in): from `start_s`, for `length_s`, a share of a domain's requests
(25 % by default) get a 503 on one path (OUTAGE_PATH unless `path` names another; a path of the
catalog keeps its own good requests too, so a refresh of it can be seen to purge). Unlike the
scheduled incidents they last as long as asked and can begin before the dashboard opens (a
fresh start during an outage), which is what the alert rules must catch when the trailing
baseline has absorbed the incident.

Configured with `SimConfig(outages=(Outage(...),))` or while running with
`POST /_sim/outage`; with none configured the logs are exactly as without this module.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

OUTAGE_PATH = "/api/session.json"  # the path an outage answers 503 on
OUTAGE_STATUS, OUTAGE_SIZE = 503, 190


@dataclass(frozen=True, slots=True)
class Outage:
    start_s: int  # Unix seconds
    length_s: int
    domain: str | None = None  # None: every domain
    share: float = 0.25  # of the domain's requests
    path: str = OUTAGE_PATH  # the path that answers 503

    def __post_init__(self) -> None:
        for name in ("start_s", "length_s"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be a whole number of seconds >= 0")
        s = self.share
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not math.isfinite(s) \
                or not 0 < s <= 1:
            raise ValueError("share must be a number in (0, 1]")
        if self.domain is not None and not isinstance(self.domain, str):
            raise ValueError("domain must be a string or null")
        p = self.path
        if not isinstance(p, str) or not p.startswith("/") or len(p) > 200 \
                or any(c.isspace() or not c.isprintable() for c in p):
            raise ValueError("path must be a path such as /data/catalog.json")

    @classmethod
    def from_json(cls, obj: Any, now_s: int) -> Outage:
        """{"start_s": ..., or "in_s": seconds from now (may be negative), "length_s": ...,
        "domain": ..., "share": ..., "path": ...}."""
        if not isinstance(obj, dict):
            raise ValueError("an outage must be a JSON object")
        unknown = [k for k in obj if k not in ("start_s", "in_s", "length_s", "domain", "share",
                                            "path")]
        if unknown:
            raise ValueError(f"unknown outage key {sorted(unknown)[0][:40]!r}")
        start = obj.get("start_s")
        if start is None:
            rel = obj.get("in_s", 0)
            if isinstance(rel, bool) or not isinstance(rel, int):
                raise ValueError("in_s must be a whole number of seconds")
            start = now_s + rel
        domain = obj.get("domain")
        return cls(start_s=start, length_s=obj.get("length_s", 600),
                   domain=domain.strip().lower().rstrip(".") if isinstance(domain, str) else domain,
                   share=obj.get("share", 0.25), path=obj.get("path", OUTAGE_PATH))

    def covers(self, domain: str, s: int) -> bool:
        return self.start_s <= s < self.start_s + self.length_s and (
            self.domain is None or self.domain == domain)

    def to_json(self) -> dict[str, Any]:
        return {"kind": "outage", **asdict(self), "end_s": self.start_s + self.length_s,
                "status": OUTAGE_STATUS}


def share_at(outages: tuple[Outage, ...], domain: str, s: int) -> float:
    """The share of requests an outage turns into 503s in second `s` (0.0: none)."""
    o = outage_at(outages, domain, s)
    return o.share if o is not None else 0.0


def outage_at(outages: tuple[Outage, ...], domain: str, s: int) -> Outage | None:
    """The outage under way in second `s` (the first one listed), or None."""
    for o in outages:
        if o.covers(domain, s):
            return o
    return None


def parse_spec(spec: str, now_s: int) -> Outage:
    """`s4top simulate --outage=-5m,30m`: begins 5 minutes before the clock start (a
    dashboard opened now meets it under way) and lasts 30 minutes; `2m,9m` begins later;
    `-5m,30m,/data/catalog.json` fails that path instead of OUTAGE_PATH."""
    from ..core.units import parse_duration

    at, sep, length = str(spec).partition(",")
    if not sep:
        raise ValueError(f"--outage {spec!r}: expected OFFSET,LENGTH[,PATH] such as -5m,30m")
    length, _, path = length.partition(",")
    at = at.strip()
    sign = -1 if at.startswith("-") else 1
    offset = parse_duration(at.lstrip("+-")) if at.lstrip("+-") not in ("", "0") else 0
    return Outage(start_s=now_s + sign * offset, length_s=parse_duration(length),
                  path=path.strip() or OUTAGE_PATH)
