"""Plain-text and JSON Lines forms of a log entry (CLI output and exports)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tui.core.models import LogEntry
from tui.core.sanitize import inert
from tui.core.units import format_bytes


def format_time(ns: int, utc: bool) -> str:
    dt = datetime.fromtimestamp(ns / 1e9, tz=UTC if utc else None)
    return dt.strftime("%Y-%m-%d %H:%M:%S.") + f"{(ns // 1_000_000) % 1000:03d}"


def format_line(e: LogEntry, utc: bool) -> str:
    """One plain line; every field from the server goes through `inert`."""
    fields = [
        format_time(e.time_ns, utc),
        str(e.status) if e.status else "---",
        inert(e.method or "-", 16),
        format_bytes(e.size),
        inert(e.client_ip or "-", 64),
        inert(e.country or "-", 16),
    ]
    if e.cache:
        fields.append(inert(e.cache, 16))
    fields.append(inert(e.url or "-", 4096))
    return " ".join(fields)


#: The general encoder (`json.dumps` with options builds a new one per call).
JSON_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=str)
_escape = json.encoder.encode_basestring_ascii  # the C escaper the encoder itself uses

#: Escaped text of the short strings seen (methods, countries, cache statuses, IPs, URLs,
#: user agents repeat across entries): a dict hit costs less than escaping again. Bounded:
#: emptied when full; long strings are escaped each time.
ESCAPED: dict[str, str] = {}
ESCAPED_LIMIT = 20_000
_ESCAPED_MAX_LEN = 256


def json_str(s: str) -> str:
    """`s` as a JSON string, exactly as `_escape` writes it (remembered when short)."""
    out = ESCAPED.get(s)
    if out is None:
        out = _escape(s)
        if len(s) <= _ESCAPED_MAX_LEN:
            if len(ESCAPED) >= ESCAPED_LIMIT:
                ESCAPED.clear()
            ESCAPED[s] = out
    return out


def format_json(e: LogEntry) -> str:
    """ensure_ascii escapes every control, C1, bidi and non-ASCII character: inert by construction.

    The usual entry (int numbers, str text, flat str/None extras) is written field by field
    with the encoder's own C string escaper: the same text as `JSON_ENCODER.encode(e.to_json_obj())`
    (tested) at a third of the cost, which is most of `s4top logs --json`'s own time; the
    escaped text of repeated strings is remembered (a fifth less again over 100k entries)."""
    t, status, size = e.time_ns, e.status, e.size
    method, ip, url, country, cache = e.method, e.client_ip, e.url, e.country, e.cache
    if not (type(t) is int and type(status) is int and type(size) is int
            and type(method) is str and type(ip) is str and type(url) is str
            and type(country) is str and type(cache) is str):
        return JSON_ENCODER.encode(e.to_json_obj())
    g = ESCAPED.get  # inline: a hit costs no call (an escaped text is never empty)
    parts = [f'{{"time_ns":{t},"status":{status},"method":{g(method) or json_str(method)},'
             f'"client_ip":{g(ip) or json_str(ip)},"size":{size},"url":{g(url) or json_str(url)}']
    keys = e.source_keys
    if country or "country" in keys:
        parts.append(f',"country":{g(country) or json_str(country)}')
    if cache or "cache" in keys:
        parts.append(f',"cache":{g(cache) or json_str(cache)}')
    extra = e.extra
    if not extra:
        parts.append(',"extra":{}}')
        return "".join(parts)
    sep = ',"extra":{'
    for k, v in extra.items():
        if type(k) is not str:
            return JSON_ENCODER.encode(e.to_json_obj())
        if type(v) is str:
            parts.append(f"{sep}{g(k) or json_str(k)}:{g(v) or json_str(v)}")
        elif v is None:
            parts.append(f"{sep}{g(k) or json_str(k)}:null")
        else:
            parts.append(f"{sep}{g(k) or json_str(k)}:{JSON_ENCODER.encode(v)}")
        sep = ","
    parts.append("}}")
    return "".join(parts)
