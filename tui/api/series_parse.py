"""Time-series bodies (traffic, request counts) into a Series.

No public source shows these responses, so every plausible layout is read (see
`parse_series`), and anything else fails loudly with an excerpt.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from tui.api.tolerant import (
    as_number,
    find_key,
    norm,
    open_envelope,
    reported_error,
    to_seconds,
    unexpected,
)
from tui.core.models import Metric, Series
from tui.core.timezones import DEFAULT_ZONE

_TIME_KEYS = (
    "time", "timestamp", "ts", "t", "date", "datetime", "x", "starttime", "start", "timepoint",
    "key",
)  # fmt: skip
_VALUE_KEYS = (
    "value", "val", "v", "bytes", "count", "requests", "request", "traffic", "flow", "y", "sum",
    "total", "num", "amount", "doccount",
)  # fmt: skip
_TIME_ARRAY_KEYS = (
    "timestamps", "times", "time", "ts", "t", "x", "dates", "date", "labels", "timeline",
    "timelist", "keys", "xaxis",
)  # fmt: skip
_VALUE_ARRAY_KEYS = (
    "values", "value", "vals", "v", "y", "data", "counts", "count", "bytes", "traffic",
    "requests", "request", "flow", "yaxis",
)  # fmt: skip
_CONTAINER_KEYS = (
    "list", "items", "points", "series", "records", "datapoints", "values", "stats", "buckets",
)  # fmt: skip
_MAX_DEPTH = 3
#: Map keys below this (in seconds, early 1973) are indices, not timestamps.
_MIN_MAP_TS = 10**8

_Points = list[tuple[int, float]]


class _Shape(Exception):
    """A body that looked like a series layout but broke it; carries the reason."""

    def __init__(self, reason: str, part: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.part = part


def _list_key(obj: dict[str, Any], names: Iterable[str], exclude: str | None = None) -> str | None:
    by_norm: dict[str, str] = {}
    for k, v in obj.items():
        if isinstance(v, list) and k != exclude:
            by_norm.setdefault(norm(k), k)
    for name in names:
        if name in by_norm:
            return by_norm[name]
    return None


def _value(raw: Any, where: str, part: Any) -> float | None:
    """A point's value; None for null (a gap); anything else non-numeric breaks the shape."""
    if raw is None:
        return None
    v = as_number(raw)
    if v is None:
        raise _Shape(f"{where}: the value is not a number", part)
    return v


def _from_objects(items: list[dict[str, Any]], tz: tzinfo) -> _Points | None:
    points: _Points = []
    for i, obj in enumerate(items):
        tk = find_key(obj, _TIME_KEYS)
        if tk is None and i == 0:
            return None  # not a list of points at all
        t = to_seconds(obj[tk], tz) if tk is not None else None
        if t is None:
            raise _Shape(
                f"point {i} has no usable time (looked for time, timestamp, ts, t, date)", obj)
        vk = find_key(obj, _VALUE_KEYS)
        if vk is None:
            numeric = [k for k in obj if k != tk and as_number(obj[k]) is not None]
            if len(numeric) != 1:
                raise _Shape(f"point {i} has no value field "
                             "(looked for value, val, v, bytes, count, ...)", obj)
            vk = numeric[0]
        v = _value(obj[vk], f"point {i}", obj)
        if v is not None:
            points.append((t, v))
    return points


def _from_pairs(items: list[Any], tz: tzinfo) -> _Points:
    points: _Points = []
    for i, pair in enumerate(items):
        t = to_seconds(pair[0], tz)
        if t is None:
            raise _Shape(f"pair {i} does not start with a timestamp", pair)
        v = _value(pair[1], f"pair {i}", pair)
        if v is not None:
            points.append((t, v))
    return points


def _from_list(items: list[Any], tz: tzinfo) -> _Points | None:
    if not items:
        return []
    if all(isinstance(x, dict) for x in items):
        return _from_objects(items, tz)
    if all(isinstance(x, (list, tuple)) and len(x) == 2 for x in items):
        return _from_pairs(items, tz)
    return None


def _from_parallel(obj: dict[str, Any], tz: tzinfo) -> _Points | None:
    tk = _list_key(obj, _TIME_ARRAY_KEYS)
    vk = _list_key(obj, _VALUE_ARRAY_KEYS, exclude=tk) if tk is not None else None
    if tk is None or vk is None:
        return None
    times, values = obj[tk], obj[vk]
    if len(times) != len(values):
        raise _Shape(f"'{tk}' has {len(times)} items but '{vk}' has {len(values)}", obj)
    points: _Points = []
    for i, (raw_t, raw_v) in enumerate(zip(times, values, strict=True)):
        t = to_seconds(raw_t, tz)
        if t is None:
            raise _Shape(f"'{tk}' item {i} is not a timestamp", obj)
        v = _value(raw_v, f"'{vk}' item {i}", obj)
        if v is not None:
            points.append((t, v))
    return points


def _from_map(obj: dict[str, Any], tz: tzinfo) -> _Points | None:
    if not obj:
        return None
    points: _Points = []
    for k, raw in obj.items():
        t = to_seconds(k, tz)
        if t is None or t < _MIN_MAP_TS:
            return None
        if raw is None:
            continue
        v = as_number(raw)
        if v is None:
            return None
        points.append((t, v))
    return points


def _points(obj: Any, metric: Metric, endpoint: str, secrets: list[str], tz: tzinfo,
            depth: int = 0) -> _Points | None:
    if isinstance(obj, list):
        return _from_list(obj, tz)
    if not isinstance(obj, dict) or depth > _MAX_DEPTH:
        return None
    for reader in (_from_parallel, _from_map):
        found = reader(obj, tz)
        if found is not None:
            return found
    env = open_envelope(obj)
    if env.payload_key is not None:
        payload = env.payload
        if payload is None or payload == {} or payload == []:
            if env.verdict is False:
                raise reported_error(env, endpoint, obj, secrets)
            return []
        found = _points(payload, metric, endpoint, secrets, tz, depth + 1)
        if found is not None:
            return found
    named = (*_CONTAINER_KEYS, norm(metric.value), metric.unit)
    key = find_key(obj, named)
    if key is not None:
        if obj[key] is None:
            return []
        found = _points(obj[key], metric, endpoint, secrets, tz, depth + 1)
        if found is not None:
            return found
    if env.verdict is False:
        raise reported_error(env, endpoint, obj, secrets)
    if env.only_meta and env.verdict is True:
        return []
    return None


def parse_series(
    obj: Any, metric: Metric, period: str, endpoint: str, *, secrets: Iterable[str] = (),
    tz: tzinfo = DEFAULT_ZONE,
) -> Series:
    """A Series (Unix seconds, ascending, one value per time) from any plausible layout.

    Accepted, bare or under an envelope (`data`/`result`, with or without code/message) or a
    container key (`list`, `points`, `series`, the metric name...):
    a list of `{time|timestamp|ts|t|date: ..., value|val|v|bytes|count|requests|traffic: ...}`
    objects; a `{timestamp: value}` map; parallel arrays (`{"timestamps": [...],
    "values": [...]}` and variants); a list of `[t, v]` pairs. Timestamps may be s, ms, us or
    ns (judged by size) or ISO text. Null values are gaps (no point). `"data": null`/`[]` is
    an empty series. Time text without a zone is read in `tz` (the `api_timezone` setting).
    """
    secret_list = list(secrets)
    broken: _Shape | None = None
    try:
        points = _points(obj, metric, endpoint, secret_list, tz)
    except _Shape as e:
        broken = e
    if broken is not None:  # raised outside the handler: _Shape holds raw (unredacted) data
        raise unexpected(broken.reason, endpoint, broken.part, secret_list)
    if points is None:
        raise unexpected(
            "no time series in the response (expected a list of {time, value} objects, a "
            "{timestamp: value} map, parallel arrays or [t, v] pairs)",
            endpoint,
            obj,
            secret_list,
        )
    merged = dict(points)  # a repeated timestamp: the later value wins
    return Series(metric=metric, period=period, points=sorted(merged.items()))
