"""The text of a recording's fields: the `extra` JSON of a log entry, the API base without
credentials, a refresh row (tui/recording/writer.py writes them)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["extra_json", "public_api_base", "refresh_row", "storable"]

#: what json.dumps(extra, ensure_ascii=False, default=str) writes, without a new encoder for
#: every entry
_EXTRA_JSON = json.JSONEncoder(ensure_ascii=False, default=str)

#: JSON text of the flat string maps seen (a referer and a user agent repeat across entries;
#: the parser shares equal strings, so the key hashes cheaply). Only all-string maps are kept,
#: so a hit is always the same text; bounded: emptied when full, long texts never kept.
_EXTRAS: dict[tuple[tuple[str, Any], ...], str] = {}
_EXTRAS_LIMIT = 4096
_EXTRAS_MAX_LEN = 1024


def extra_json(extra: Mapping[str, Any]) -> str:
    """`extra` as JSON, the same text as `_EXTRA_JSON`; the usual flat map of strings (a
    referer, a user agent) is joined directly, twice as fast as the encoder's general path,
    and remembered."""
    key = tuple(extra.items())
    try:
        text = _EXTRAS.get(key)
    except TypeError:  # an unhashable value (a list, a map): the general path
        return _EXTRA_JSON.encode(extra)
    if text is not None:
        return text
    parts = []
    for k, v in key:
        if type(k) is not str or type(v) is not str:
            return _EXTRA_JSON.encode(extra)
        parts.append(f"{encode_basestring(k)}: {encode_basestring(v)}")
    text = "{" + ", ".join(parts) + "}"
    if len(text) <= _EXTRAS_MAX_LEN:
        if len(_EXTRAS) >= _EXTRAS_LIMIT:
            _EXTRAS.clear()
        _EXTRAS[key] = text
    return text


def public_api_base(url: str) -> str:
    """The API base without credentials (user:password@) or query: safe to store."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def refresh_row(rec: Mapping[str, Any], req: Mapping[str, Any]) -> tuple[Any, ...] | None:
    sent = req.get("sent_s")
    if not isinstance(sent, (int, float)) or isinstance(sent, bool):
        return None  # never sent: nothing happened on the CDN
    urls = req.get("urls")
    if not isinstance(urls, list):
        return None
    status = req.get("status")
    return (int(round(sent * 1e9)), str(rec.get("domain")), str(req.get("type", "")),
            json.dumps(urls, ensure_ascii=False), 1 if req.get("ok") else 0,
            status if isinstance(status, int) else None, str(req.get("message") or ""))


_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def storable(row: tuple[Any, ...], json_columns: frozenset[int] = frozenset()) -> tuple[Any, ...]:
    """`row` as SQLite can bind it. JSON allows a lone surrogate (`\\ud800`), UTF-8 does not:
    in a JSON text column (`json_columns`) it is written back as that escape, which reads the
    same; in a plain text column it becomes U+FFFD. An integer beyond 64 bits (a size no
    response has) is clamped to the nearest one SQLite holds. Used only when a batch failed
    to bind, so the usual row costs nothing."""
    out = []
    for i, v in enumerate(row):
        if type(v) is str and _SURROGATE.search(v):
            v = _SURROGATE.sub((lambda m: f"\\u{ord(m.group()):04x}") if i in json_columns
                               else "\ufffd", v)
        elif type(v) is int and not _INT64_MIN <= v <= _INT64_MAX:
            v = _INT64_MIN if v < 0 else _INT64_MAX
        out.append(v)
    return tuple(out)
