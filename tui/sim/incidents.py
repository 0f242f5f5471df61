"""Incidents whose cause is known (opt-in), so that tests can check that the explanation
(tui/insight/explain.py) names it. Each differs in kind from the scheduled 5xx burst on one
path (model.py):

- `4xx_flood`: a scraper on one client network (`target`, a /24) is rate-limited: a `share`
  of the domain's requests come from it and get a 429 (URLs as usual);
- `5xx_wave`: the edge serving one country (`target`) fails: a `share` of that country's
  requests get a 502/503/504;
- `miss_storm`: everything under one directory (`target`) was dropped from the caches: its
  2xx/3xx answers all MISS (origin requests and traffic spike).

An incident changes entries after they are drawn, with its own random stream per
(seed, domain, second): the entries it does not touch are the ones drawn without it, and
with none configured the logs are exactly as without this module. Configured with
`SimConfig(known_incidents=(Incident(...),))`, `s4top simulate --incident KIND,OFFSET,LENGTH`
or `POST /_sim/incident`; listed in `GET /_sim/info` with the dimension and value that
explain them.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from .catalog import ERR_5XX

#: kind -> (the focus that shows it, the explaining dimension, the default target)
KINDS: dict[str, tuple[str, str, str]] = {
    "4xx_flood": ("4XX", "net", "198.51.100.0/24"),
    "5xx_wave": ("5XX", "country", "US"),
    "miss_storm": ("MISS", "dir", "/video/intro/"),
}
_SHARE = {"4xx_flood": 0.3, "5xx_wave": 0.5, "miss_storm": 1.0}
FLOOD_STATUS, FLOOD_SIZE, FLOOD_COUNTRY = 429, 162, "CN"
# Fields of a generated entry tuple (logs.py)
_T, _CODE, _METHOD, _URL, _SIZE, _CACHE, _IP, _COUNTRY = range(8)

Row = tuple
Effect = Callable[[Row], Row]


@dataclass(frozen=True, slots=True)
class Incident:
    kind: str
    start_s: int  # Unix seconds
    length_s: int = 600
    domain: str | None = None  # None: every domain
    share: float | None = None  # None: the kind's default
    target: str | None = None  # None: the kind's default

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown incident kind {str(self.kind)[:40]!r}: expected one of "
                             f"{', '.join(KINDS)}")
        for name in ("start_s", "length_s"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be a whole number of seconds >= 0")
        s = self.share
        if s is not None and (isinstance(s, bool) or not isinstance(s, (int, float))
                              or not math.isfinite(s) or not 0 < s <= 1):
            raise ValueError("share must be a number in (0, 1]")
        t = self.target
        if t is not None and (not isinstance(t, str) or not t or len(t) > 200):
            raise ValueError("target must be a non-empty string")
        if self.kind == "4xx_flood" and not _net_prefix(self.target_value):
            raise ValueError("a 4xx_flood target must be an IPv4 /24 such as 198.51.100.0/24")
        if self.kind == "miss_storm" and not self.target_value.startswith("/"):
            raise ValueError("a miss_storm target must be a directory such as /video/")
        if self.domain is not None and not isinstance(self.domain, str):
            raise ValueError("domain must be a string or null")

    @property
    def target_value(self) -> str:
        return self.target if self.target is not None else KINDS[self.kind][2]

    @property
    def share_value(self) -> float:
        return float(self.share) if self.share is not None else _SHARE[self.kind]

    @classmethod
    def from_json(cls, obj: Any, now_s: int) -> Incident:
        """{"kind", "start_s" or "in_s" (from now, may be negative), "length_s", "domain",
        "share", "target"}."""
        if not isinstance(obj, dict):
            raise ValueError("an incident must be a JSON object")
        known = ("kind", "start_s", "in_s", "length_s", "domain", "share", "target")
        unknown = [k for k in obj if k not in known]
        if unknown:
            raise ValueError(f"unknown incident key {sorted(unknown)[0][:40]!r}")
        start = obj.get("start_s")
        if start is None:
            rel = obj.get("in_s", 0)
            if isinstance(rel, bool) or not isinstance(rel, int):
                raise ValueError("in_s must be a whole number of seconds")
            start = now_s + rel
        domain = obj.get("domain")
        return cls(kind=obj.get("kind"), start_s=start, length_s=obj.get("length_s", 600),
                   domain=domain.strip().lower().rstrip(".") if isinstance(domain, str) else domain,
                   share=obj.get("share"), target=obj.get("target"))

    def covers(self, domain: str, s: int) -> bool:
        return self.start_s <= s < self.start_s + self.length_s and (
            self.domain is None or self.domain == domain)

    def to_json(self) -> dict[str, Any]:
        """What /_sim/info lists: when, and the focus, dimension and value that explain it
        (a directory as a path: the explanation shows it under the domain's URL)."""
        focus, dimension, _ = KINDS[self.kind]
        return {**asdict(self), "share": self.share_value, "target": self.target_value,
                "end_s": self.start_s + self.length_s, "focus": focus,
                "dimension": dimension, "value": self.target_value}


def _net_prefix(net: str) -> str | None:
    """'198.51.100.0/24' -> '198.51.100.' (None when it is no IPv4 /24)."""
    addr, sep, bits = net.partition("/")
    parts = addr.split(".")
    if sep and bits == "24" and len(parts) == 4 and parts[3] == "0" and all(
            p.isdigit() and int(p) < 256 for p in parts):
        return ".".join(parts[:3]) + "."
    return None


def effect(incidents: tuple[Incident, ...], seed: int | str, domain: str,
           s: int) -> Effect | None:
    """What the incidents under way in second `s` do to each entry (None: nothing)."""
    active = [i for i in incidents if i.covers(domain, s)]
    if not active:
        return None
    rng = random.Random(f"{seed}:{domain}:{s}:incidents")
    steps = [_step(i, domain, rng) for i in active]

    def apply(row: Row) -> Row:
        for step in steps:
            row = step(row)
        return row

    return apply


def _step(inc: Incident, domain: str, rng: random.Random) -> Effect:
    rr, share, target = rng.random, inc.share_value, inc.target_value
    if inc.kind == "4xx_flood":
        prefix = _net_prefix(target) or "198.51.100."

        def flood(row: Row) -> Row:
            if rr() >= share:
                return row
            ip = f"{prefix}{rng.randrange(1, 255)}"
            size = 0 if row[_METHOD] == "HEAD" else FLOOD_SIZE
            return (row[_T], FLOOD_STATUS, row[_METHOD], row[_URL], size, row[_CACHE], ip,
                    FLOOD_COUNTRY, *row[8:])

        return flood
    if inc.kind == "5xx_wave":

        def wave(row: Row) -> Row:
            if row[_COUNTRY] != target or rr() >= share:
                return row
            acc, u = 0.0, rr()
            code, size = ERR_5XX[-1][0], ERR_5XX[-1][2]
            for c, p, sz in ERR_5XX:
                acc += p
                if u < acc:
                    code, size = c, sz
                    break
            size = 0 if row[_METHOD] == "HEAD" else size
            return (*row[:_CODE], code, row[_METHOD], row[_URL], size, "MISS", *row[_IP:])

        return wave
    under = f"https://{domain}{target}"

    def storm(row: Row) -> Row:
        if row[_CACHE] != "HIT" or not 200 <= row[_CODE] < 400 \
                or not row[_URL].startswith(under) or (share < 1 and rr() >= share):
            return row
        return (*row[:_CACHE], "MISS", *row[_CACHE + 1:])

    return storm


def parse_spec(spec: str, now_s: int) -> Incident:
    """`s4top simulate --incident=4xx_flood,-5m,30m`: the kind, then when it begins relative
    to the clock start and how long it lasts (default: now, 10 minutes)."""
    from ..core.units import parse_duration

    kind, _, rest = str(spec).partition(",")
    at, _, length = rest.partition(",")
    at = at.strip()
    sign = -1 if at.startswith("-") else 1
    offset = parse_duration(at.lstrip("+-")) if at.lstrip("+-") not in ("", "0") else 0
    return Incident(kind=kind.strip(), start_s=now_s + sign * offset,
                    length_s=parse_duration(length) if length.strip() else 600)
