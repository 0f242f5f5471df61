"""Turn decoded response bodies into typed records, tolerantly (docs/api.md, "Tolerant parsing").

Pure functions, no HTTP. Every accepted shape is listed in the docstrings; anything else
raises UnexpectedResponse naming the endpoint with a short, redacted excerpt, so a user with a
real token can report the real shape instead of staring at an empty chart.

`secrets` (keyword-only, optional) are masked in any excerpt; the client always passes the
token.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import tzinfo
from typing import Any

from tui.api.logshape import (
    NS_MAX,
    NS_MIN,
    SHARED,
    SHARED_LIMIT,
    SHARED_MAX_LEN,
    built_for,
    fast_keys,
    mapping_for,
    plan_for,
    share,
    share_value,
    size_of,
    status_of,
)
from tui.api.refresh_parse import RefreshAnswer, parse_refresh_answer
from tui.api.series_parse import parse_series
from tui.api.tolerant import (
    find_key,
    join_url,
    joinable,
    open_envelope,
    reported_error,
    server_message,
    to_ns,
    unexpected,
)
from tui.core.models import LogEntry
from tui.core.timezones import DEFAULT_ZONE

__all__ = [
    "iter_logs",
    "parse_logs",
    "parse_series",
    "parse_refresh_answer",
    "RefreshAnswer",
    "server_message",
]

#: Keys that hold the list of entries inside an object (normalised), after the envelope keys.
_LIST_KEYS = ("list", "items", "records", "logs", "entries", "hits", "lines")
_MAX_DEPTH = 3


# ----------------------------------------------------------------------------- logs
# Which keys feed which field, and the sharing of repeated strings: tui/api/logshape.py.


def _entry(raw: dict[str, Any], index: int, endpoint: str, secrets: list[str],
           tz: tzinfo = DEFAULT_ZONE) -> LogEntry:
    keys = tuple(raw)
    values: dict[str, Any] = {}
    used: list[tuple[str, str]] = []
    for attr, coerce, candidates in plan_for(keys):
        for key in candidates:
            value = to_ns(raw[key], tz) if coerce is to_ns else coerce(raw[key])
            if value is not None:
                values[attr] = value
                used.append((attr, key))
                break
    host = values.pop("host", None)
    if host is not None:
        used = [u for u in used if u[0] != "host"]  # the host stays in extra
        if joinable(host, values.get("url")):
            values["url"] = join_url(host, values["url"])
            used = [u for u in used if u[0] != "url"]  # the bare path stays in extra
    if "time_ns" not in values:
        raise unexpected(
            f"log entry {index} has no usable time field "
            "(looked for access_time, time, timestamp, ts)",
            endpoint,
            raw,
            secrets,
        )
    source_keys, extra_keys = mapping_for(keys, tuple(used))
    for attr in ("client_ip", "url"):
        if attr in values:
            values[attr] = share(values[attr])
    return LogEntry(
        extra={k: share_value(raw[k]) for k in extra_keys},
        source_keys=source_keys,
        **values,
    )


# ----------------------------------------------------------------------------- the fast path
#
# Real pages repeat one shape, with values of the expected types: for those, one compiled
# reader per shape takes each field from its first candidate key with a type check, and builds
# the entry directly (several times faster than the general loop above). Anything else (a
# value of another type, out of range, a timestamp in s or ms, a missing time) returns None
# and the entry goes the general way, so both paths give equal entries.

_Reader = Callable[[dict[str, Any]], "LogEntry | None"]
_READERS: dict[tuple[str, ...], _Reader | None] = {}


def _reader_for(keys: tuple[str, ...]) -> _Reader | None:
    return built_for(_READERS, keys, _compile_reader)


def _compile_reader(keys: tuple[str, ...]) -> _Reader | None:
    fk = fast_keys(keys)
    if fk is None:
        return None  # the general path raises the error that says why
    (source_keys, extra_keys), joined_keys = fk.mapping, fk.joined
    # A bare path joined with the host: the path's key stays in extra (see _entry).
    k_host, k_time, k_status, k_ip, k_url = fk.host, fk.time, fk.status, fk.client_ip, fk.url
    k_size, k_method, k_country, k_cache = fk.size, fk.method, fk.country, fk.cache
    shared = SHARED
    setdefault = shared.setdefault
    intern = sys.intern
    long_text = SHARED_MAX_LEN

    def read(raw: dict[str, Any]) -> LogEntry | None:
        # The fields one by one, inline (a helper call per field cost a third of the time).
        t = raw[k_time]
        if type(t) is not int:  # ns as digits ("1723046499123456789"): exact, no float
            if type(t) is not str or len(t) != 19 or not (t.isascii() and t.isdigit()):
                return None
            t = int(t)
        if not NS_MIN <= t < NS_MAX:
            return None
        status = 0
        if k_status is not None:
            status = raw[k_status]
            if type(status) is not int and (status := status_of(status)) is None:
                return None
            if not 0 <= status <= 999:
                return None
        size = 0
        if k_size is not None:
            size = raw[k_size]
            if type(size) is not int and (size := size_of(size)) is None:
                return None
            if size < 0:
                return None
        ip = url = method = country = cache = ""
        if k_ip is not None:
            ip = raw[k_ip]
            if type(ip) is not str:
                return None
            if len(ip) <= long_text:
                ip = setdefault(ip, ip)
        if k_url is not None:
            url = raw[k_url]
            if type(url) is not str:
                return None
            if len(url) <= long_text:
                url = setdefault(url, url)
        if k_method is not None:
            method = raw[k_method]
            if type(method) is not str:
                return None
            if len(method) <= 32:
                method = intern(method)
        if k_country is not None:
            country = raw[k_country]
            if type(country) is not str:
                return None
            if len(country) <= 32:
                country = intern(country)
        if k_cache is not None:
            cache = raw[k_cache]
            if type(cache) is not str:
                return None
            if len(cache) <= 32:
                cache = intern(cache)
        skeys, ekeys = source_keys, extra_keys
        if k_host is not None and type(host := raw[k_host]) is str and joinable(host, url):
            url = share(join_url(host, url))
            skeys, ekeys = joined_keys
        extra = {}
        for k in ekeys:
            v = raw[k]
            if type(v) is str and len(v) <= long_text:
                v = setdefault(v, v)
            extra[k] = v
        return LogEntry(t, status, method, ip, size, url, country, cache, extra, skeys)

    return read


def _find_list(obj: Any, endpoint: str, secrets: list[str], depth: int = 0) -> list[Any] | None:
    """The list of entries in `obj`: bare, in an envelope, or one level further down."""
    if isinstance(obj, list):
        return obj
    if not isinstance(obj, dict) or depth > _MAX_DEPTH:
        return None
    env = open_envelope(obj)
    if env.payload_key is not None:
        payload = env.payload
        if payload is None or payload == {} or payload == []:
            if env.verdict is False:
                raise reported_error(env, endpoint, obj, secrets)
            return []
        if isinstance(payload, list):
            return payload
        found = _find_list(payload, endpoint, secrets, depth + 1)
        if found is not None:
            return found
    key = find_key(obj, _LIST_KEYS)
    if key is not None and (obj[key] is None or isinstance(obj[key], list)):
        return obj[key] or []
    if env.verdict is False:
        raise reported_error(env, endpoint, obj, secrets)
    if env.only_meta and env.verdict is True:
        return []
    return None


def parse_logs(obj: Any, endpoint: str, *, secrets: Iterable[str] = (),
               tz: tzinfo = DEFAULT_ZONE) -> list[LogEntry]:
    """Log entries, in server order.

    Accepted: a bare list of entry objects; `{"data": [...]}` with or without `code`/`message`
    (any case, `result`/`payload` too); `{"data": {"list"|"items"|"records"|"logs"|...: [...]}}`;
    `"data": null` or an ok envelope without data (no entries). Entry keys are matched case-
    and separator-insensitively (`client_ip` = `clientIp`); see `LOG_FIELDS`. A value that
    does not fit its field (a non-numeric status) is kept in `extra` under its own key.
    An envelope that reports an error (non-success `code`, `success: false`, `error`) without
    data raises UnexpectedResponse with the server's message. A time given as text without
    a zone is read in `tz` (the `api_timezone` setting).
    """
    secret_list = list(secrets)
    return read_entries(log_list(obj, endpoint, secret_list), 0, endpoint, secret_list, tz)


def iter_logs(obj: Any, endpoint: str, size: int, *, secrets: Iterable[str] = (),
              tz: tzinfo = DEFAULT_ZONE) -> Iterator[list[LogEntry]]:
    """`parse_logs` in pieces of `size` entries, in order, so a caller can yield between them.
    An entry that cannot be read raises when its piece is reached: take every piece before
    using any (a page is taken whole or not at all)."""
    secret_list = list(secrets)
    entries = log_list(obj, endpoint, secret_list)
    for lo in range(0, len(entries), max(1, size)):
        yield read_entries(entries[lo:lo + size], lo, endpoint, secret_list, tz)


def log_list(obj: Any, endpoint: str, secret_list: list[str]) -> list[Any]:
    entries = _find_list(obj, endpoint, secret_list)
    if entries is None:
        raise unexpected(
            "no list of log entries in the response (expected a list, or an object with 'data')",
            endpoint,
            obj,
            secret_list,
        )
    return entries


def read_entries(entries: list[Any], first: int, endpoint: str, secret_list: list[str],
                  tz: tzinfo) -> list[LogEntry]:
    """The entries of `entries` (`first`: the index of its first one in the page)."""
    if len(SHARED) > SHARED_LIMIT:
        SHARED.clear()
    out: list[LogEntry] = []
    append = out.append
    last_keys: tuple[str, ...] | None = None
    reader: _Reader | None = None
    for i, raw in enumerate(entries, first):
        if type(raw) is not dict:
            if not isinstance(raw, dict):
                raise unexpected(f"log entry {i} is not an object", endpoint, raw, secret_list)
        keys = tuple(raw)
        if keys != last_keys:
            last_keys, reader = keys, _reader_for(keys)
        e = reader(raw) if reader is not None else None
        append(e if e is not None else _entry(raw, i, endpoint, secret_list, tz))
    return out
