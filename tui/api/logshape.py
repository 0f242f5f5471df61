"""The shape of a log entry on the wire: which keys feed which `LogEntry` field, and the
keys the compiled fast paths take each field from.

The entry readers of tui/api/parse.py (the general path and the compiled fast one) take
their keys from here. One plan per set of keys (a "shape"), cached and bounded: a hostile
server could vary the keys per entry.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tui.api.tolerant import as_int, as_number, norm, to_ns

Coerce = Callable[[Any], Any]


def _intern(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return sys.intern(value) if len(value) <= 32 else value


def _plain_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def status_of(value: Any) -> int | None:
    n = as_int(value)
    return n if n is not None and 0 <= n <= 999 else None


def size_of(value: Any) -> int | None:
    """Bytes from an int, a float (rounded: 1234.0 or 1.2e3 from some encoders) or number text."""
    n = as_int(value) if type(value) is not float else None
    if n is None and (f := as_number(value)) is not None and 0 <= f < 2**63:
        n = int(f + 0.5)
    return n if n is not None and n >= 0 else None


def _cache(value: Any) -> str | None:
    if isinstance(value, bool):
        return "HIT" if value else "MISS"
    return _intern(value)


#: (LogEntry attribute, coercion, accepted key names normalised, in order of preference).
LOG_FIELDS: tuple[tuple[str, Coerce, tuple[str, ...]], ...] = (
    ("time_ns", to_ns, ("accesstime", "time", "timestamp", "ts", "timens", "datetime",
                        "logtime", "@timestamp")),
    ("status", status_of, ("code", "status", "httpcode", "statuscode", "httpstatus",
                         "httpstatuscode", "responsecode")),
    ("client_ip", _plain_str, ("ip", "clientip", "remoteaddr", "remoteip", "clientaddr", "srcip",
                               "userip")),
    ("url", _plain_str, ("path", "url", "uri", "requesturi", "requesturl", "fullurl")),
    ("size", size_of, ("size", "bytes", "bodybytessent", "bytessent", "responsesize",
                     "contentlength")),
    ("method", _intern, ("method", "httpmethod", "requestmethod", "verb")),
    ("country", _intern, ("country", "countrycode", "ipcountry", "geo", "region", "location",
                          "area", "countryname")),
    ("cache", _cache, ("cache", "cachestatus", "hit", "cachehit", "upstreamcachestatus")),
    # Not a LogEntry field: a separate host is joined with a bare path into the URL (joinable).
    ("host", _plain_str, ("host", "hostname", "domain", "httphost", "servername")),
)  # fmt: skip

# One plan per set of keys (a "shape"): which original keys may feed which field.
Plan = tuple[tuple[str, Coerce, tuple[str, ...]], ...]
_PLANS: dict[tuple[str, ...], Plan] = {}
# One source_keys dict and extra-key tuple per (shape, keys actually used): shared by entries.
Mapping = tuple[dict[str, str], tuple[str, ...]]
_MAPPINGS: dict[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], Mapping] = {}
CACHE_LIMIT = 512  # a hostile server could vary keys per entry; keep the caches bounded


_Built = TypeVar("_Built")


def built_for(cache: dict[tuple[str, ...], _Built], keys: tuple[str, ...],
              build: Callable[[tuple[str, ...]], _Built]) -> _Built:
    """`build(keys)`, made once per shape and kept in `cache` (bounded as the plans are): the
    compiled fast paths (tui/api/parse.py's reader, tui/api/loglines.py's writer)."""
    found = cache.get(keys, cache)  # the cache itself marks "not built yet" (None is a value)
    if found is cache:
        found = build(keys)
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[keys] = found
    return found  # type: ignore[return-value]


def plan_for(keys: tuple[str, ...]) -> Plan:
    plan = _PLANS.get(keys)
    if plan is None:
        by_norm: dict[str, list[str]] = {}
        for k in keys:
            by_norm.setdefault(norm(k), []).append(k)
        plan = tuple(
            (attr, coerce, tuple(k for name in names for k in by_norm.get(name, ())))
            for attr, coerce, names in LOG_FIELDS
        )
        if len(_PLANS) >= CACHE_LIMIT:
            _PLANS.clear()
        _PLANS[keys] = plan
    return plan


def mapping_for(keys: tuple[str, ...], used: tuple[tuple[str, str], ...]) -> Mapping:
    cache_key = (keys, used)
    found = _MAPPINGS.get(cache_key)
    if found is None:
        used_keys = {k for _, k in used}
        found = (dict(used), tuple(k for k in keys if k not in used_keys))
        if len(_MAPPINGS) >= CACHE_LIMIT:
            _MAPPINGS.clear()
        _MAPPINGS[cache_key] = found
    return found


#: Strings repeat across entries (URLs, client IPs, user agents, referers): one copy each is
#: kept while they are in use. Bounded: the table is emptied when it grows past this.
SHARED_LIMIT = 50_000
SHARED_MAX_LEN = 256
SHARED: dict[str, str] = {}
NS_MIN = 10**17  # an int at or above this is already nanoseconds (tolerant.py _scale_int_ns)
NS_MAX = 10**20


def share(value: str) -> str:
    """One shared copy of a short string (equal value, fewer copies in memory)."""
    if len(value) > SHARED_MAX_LEN:
        return value
    return SHARED.setdefault(value, value)


def share_value(value: Any) -> Any:
    return share(value) if type(value) is str else value


@dataclass(frozen=True, slots=True)
class FastKeys:
    """The key each field of a shape is taken from by the compiled fast paths: the first
    candidate of each (None: the shape has none), and the entries' mappings."""

    time: str
    status: str | None
    client_ip: str | None
    url: str | None
    size: str | None
    method: str | None
    country: str | None
    cache: str | None
    host: str | None
    mapping: Mapping  # (source_keys, extra keys) of an entry
    joined: Mapping  # the same when a bare path was joined with the host (the path in extra)


def fast_keys(keys: tuple[str, ...]) -> FastKeys | None:
    """The fast paths' keys for entries with exactly `keys`; None without a time candidate
    (the general path raises the error that says why)."""
    first = {attr: cands[0] for attr, _coerce, cands in plan_for(keys) if cands}
    if "time_ns" not in first:
        return None
    used = tuple((attr, first[attr]) for attr, _c, _n in LOG_FIELDS
                 if attr in first and attr != "host")
    get = first.get
    return FastKeys(
        first["time_ns"], get("status"), get("client_ip"), get("url"), get("size"),
        get("method"), get("country"), get("cache"), get("host"),
        mapping_for(keys, used), mapping_for(keys, tuple(u for u in used if u[0] != "url")),
    )
