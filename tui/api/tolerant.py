"""Building blocks of the tolerant parser: key matching, envelopes, numbers and timestamps.

Nothing public documents the vendor's response shapes (see docs/api.md), so the parser
accepts the plausible ones. These helpers are the vocabulary it is written in.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from tui.api.errors import ApiError, UnexpectedResponse
from tui.api.redact import excerpt, redact
from tui.api.reported import reported
from tui.core.timezones import DEFAULT_ZONE

#: Keys that hold the payload of an envelope, in order of preference (normalised).
PAYLOAD_KEYS = ("data", "result", "results", "payload", "response")
#: Keys of envelope metadata: an object holding only these (and no payload) is an empty answer.
META_KEYS = frozenset(
    {
        "code", "message", "msg", "status", "success", "ok", "error", "errcode", "errmsg",
        "errno", "errormessage", "requestid", "reqid", "traceid", "total", "count", "page",
        "pagesize", "limit", "hasmore", "more", "next", "cursor", "retcode", "retmsg", "detail",
    }
)  # fmt: skip
_CODE_KEYS = ("code", "errcode", "errno", "retcode", "status")
_MESSAGE_KEYS = ("message", "msg", "errmsg", "errormessage", "retmsg", "detail", "error",
                 "description")
_SUCCESS_KEYS = ("success", "ok")
OK_WORDS = frozenset({"ok", "success", "succeed", "succeeded", "successful", "accepted", "done",
                      "成功"})

_NORM_TABLE = str.maketrans("", "", "_- .")
_INT_RE = re.compile(r"^[+]?\d+$")
_DEC_RE = re.compile(r"^[+]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d*)?[eE][+-]?\d+)$")
_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_YEAR_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
#: The fraction of a second in ISO text, read as digits (datetime keeps only microseconds).
_FRACTION_RE = re.compile(r"(\d{2}:\d{2}:\d{2})[.,](\d+)")
_MAX_NS = 10**20  # year ~5138 in nanoseconds: anything larger is not a timestamp
_MAX_DIGITS = 40  # longer digit strings are not numbers we use (and int() refuses > 4300)


def norm(key: Any) -> str:
    """Compare keys case- and separator-insensitively: `client_ip` == `clientIp` == `ClientIP`."""
    return key.translate(_NORM_TABLE).lower() if isinstance(key, str) else ""


def find_key(obj: dict[str, Any], names: Iterable[str]) -> str | None:
    """The first key of `obj` whose normalised form is one of `names` (in `names` order)."""
    by_norm: dict[str, str] = {}
    for k in obj:
        by_norm.setdefault(norm(k), k)
    for name in names:
        if name in by_norm:
            return by_norm[name]
    return None


# ----------------------------------------------------------------------------- envelopes


@dataclass(slots=True)
class Envelope:
    """What an object says about itself: its payload and whether it reports success."""

    payload_key: str | None
    payload: Any
    verdict: bool | None  # True: success stated; False: error stated; None: not stated
    code: Any
    message: str | None
    only_meta: bool


def code_ok(code: Any) -> bool:
    """Codes that mean success in the conventions seen in the wild: 0, 200, 2xx, "ok"."""
    if isinstance(code, bool):
        return code
    if isinstance(code, int):
        return code == 0 or 200 <= code < 300
    if isinstance(code, str):
        c = code.strip().lower()
        if c.isdigit() and len(c) <= _MAX_DIGITS:
            return code_ok(int(c))
        return c in OK_WORDS
    return code is None


def _text(value: Any, depth: int = 0) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and depth < 3:
        inner = find_key(value, _MESSAGE_KEYS)
        if inner is not None:
            return _text(value[inner], depth + 1)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)[:2000]
    except (TypeError, ValueError, RecursionError):
        return type(value).__name__


def open_envelope(obj: dict[str, Any]) -> Envelope:
    """Read an object as an envelope, whether or not it is one."""
    payload_key = find_key(obj, PAYLOAD_KEYS)
    code_key = find_key(obj, _CODE_KEYS)
    code = obj[code_key] if code_key is not None else None
    if code_key is not None and norm(code_key) == "status" and not isinstance(code, (int, str)):
        code_key, code = None, None
    msg_key = find_key(obj, _MESSAGE_KEYS)
    message = _text(obj[msg_key]) if msg_key is not None else None
    success_key = find_key(obj, _SUCCESS_KEYS)

    verdict: bool | None = None
    if success_key is not None and isinstance(obj[success_key], bool):
        verdict = obj[success_key]
    elif code_key is not None and code is not None:
        verdict = code_ok(code)
    elif (error_key := find_key(obj, ("error",))) is not None and obj[error_key] not in (
        None, "", {}, [], False,
    ):  # fmt: skip
        verdict = False
    elif message is not None and message.strip().lower() in OK_WORDS:
        verdict = True
    only_meta = payload_key is None and all(norm(k) in META_KEYS for k in obj)
    if verdict is None and only_meta and message is not None and message.strip():
        verdict = False  # nothing but a message that is not "ok": {"msg": "invalid token"}
    return Envelope(
        payload_key=payload_key,
        payload=obj[payload_key] if payload_key is not None else None,
        verdict=verdict,
        code=code,
        message=message,
        only_meta=only_meta,
    )


def server_message(obj: Any) -> str | None:
    """The human message of an error or status body, if it has one."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        msg_key = find_key(obj, _MESSAGE_KEYS)
        if msg_key is not None:
            return _text(obj[msg_key])
    return None


def reported_error(env: Envelope, endpoint: str, obj: Any,
                   secrets: Iterable[str]) -> ApiError:
    """The error for an answer whose envelope says it failed (even under HTTP 200): the typed
    error its code says (tui/api/reported.py), else UnexpectedResponse with its message."""
    typed = reported(env.code, env.message, endpoint, secrets, status=200)
    if typed is not None:
        return typed
    parts = []
    if env.code is not None:
        parts.append(f"code {excerpt(repr(env.code), secrets, limit=40)}")
    detail = f" ({', '.join(parts)})" if parts else ""
    msg = excerpt(env.message or "", secrets, limit=200) if env.message else "no message"
    return unexpected(f"the server reported an error{detail}: {msg}", endpoint, obj, secrets)


# ----------------------------------------------------------------------------- numbers


def as_int(value: Any) -> int | None:
    """An integer from an int, an integral float or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        s = value.strip()
        if len(s) > _MAX_DIGITS:
            return None
        if _INT_RE.match(s):
            return int(s)
        value = as_number(s)
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    return None


def as_number(value: Any) -> float | None:
    """A finite float from a number or numeric string; None otherwise (null, NaN, text)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        f = float(value)
    elif isinstance(value, str) and len(value) <= 400 and _NUM_RE.match(value.strip()):
        f = float(value)
    else:
        return None
    return f if math.isfinite(f) else None


def joinable(host: str, url: str | None) -> bool:
    """A URL to build from host + path: a path without scheme and host, and a plain host."""
    return url is not None and url[:1] == "/" and url[:2] != "//" and 0 < len(host) <= 253


def join_url(host: str, path: str) -> str:
    """The full URL of a log entry that gives its host and path apart (`host` + `uri`).

    The scheme is not sent in that shape; https is the CDN's usual one and only labels it.
    """
    return f"https://{host.strip().rstrip('/')}{path}"


# ----------------------------------------------------------------------------- time


def _scale_int_ns(n: int) -> int | None:
    """Unix time in s, ms, us or ns (judged by magnitude) as nanoseconds."""
    if n <= 0 or n >= _MAX_NS:
        return None
    if n < 10**11:
        return n * 10**9
    if n < 10**14:
        return n * 10**6
    if n < 10**17:
        return n * 10**3
    return n


def _scale_decimal_ns(d: Decimal) -> int | None:
    if not d.is_finite() or d <= 0 or d >= _MAX_NS:
        return None
    if d < 10**11:
        return int(d * 10**9)
    if d < 10**14:
        return int(d * 10**6)
    if d < 10**17:
        return int(d * 10**3)
    return int(d)


def _iso_ns(s: str, tz: tzinfo) -> int | None:
    """ISO-8601-ish date/time text as Unix ns, exact to the nanosecond; a time without a zone
    or offset is read in `tz` (the `api_timezone` setting)."""
    if len(s) < 7 or len(s) > 48 or not s[:4].isdigit():
        return None
    text = s.replace("/", "-")
    if _YEAR_MONTH_RE.match(text):
        text += "-01"
    fraction_ns = 0
    m = _FRACTION_RE.search(text)
    if m is not None:
        digits = m.group(2)
        fraction_ns = int(digits[:9].ljust(9, "0"))
        text = text[: m.start()] + m.group(1) + text[m.end():]
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    import calendar  # here: only time given as text needs it (3 ms off every start)

    try:
        seconds = calendar.timegm(dt.utctimetuple())
    except (OverflowError, ValueError):  # year 1 in a zone east of UTC, and the like
        return None
    ns = seconds * 10**9 + fraction_ns
    return ns if 0 < ns < _MAX_NS else None


def to_ns(value: Any, tz: tzinfo = DEFAULT_ZONE) -> int | None:
    """A timestamp in any plausible form (s/ms/us/ns number or numeric text, ISO text) as ns.

    Numeric text is read as an integer or a Decimal, never through a float, so nanoseconds
    stay exact. Naive ISO text is read in `tz` (default: the `api_timezone` default).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _scale_int_ns(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return _scale_decimal_ns(Decimal(repr(value)))
    if isinstance(value, str):
        s = value.strip()
        if len(s) > 48:
            return None
        if len(s) <= _MAX_DIGITS and _INT_RE.match(s):
            return _scale_int_ns(int(s))
        if _DEC_RE.match(s):
            try:
                return _scale_decimal_ns(Decimal(s))
            except InvalidOperation:
                return None
        return _iso_ns(s, tz)
    return None


def to_seconds(value: Any, tz: tzinfo = DEFAULT_ZONE) -> int | None:
    """A timestamp in any plausible form as whole Unix seconds (naive text read in `tz`)."""
    ns = to_ns(value, tz)
    return None if ns is None else ns // 10**9


# ----------------------------------------------------------------------------- failures


def preview(obj: Any, secrets: list[str], depth: int = 0) -> str:
    """A short JSON-like rendering of a parsed body for an error message.

    Strings are redacted before they are shortened, so no cut can leave part of a token.
    """
    if depth > 4:
        return "…"
    if isinstance(obj, str):
        s = redact(obj, secrets)
        return json.dumps(s[:120] + ("…" if len(s) > 120 else ""), ensure_ascii=False)
    if isinstance(obj, dict):
        items = [
            f"{preview(str(k), secrets, depth + 1)}: {preview(v, secrets, depth + 1)}"
            for k, v in list(obj.items())[:12]
        ]
        more = ", …" if len(obj) > 12 else ""
        return "{" + ", ".join(items) + more + "}"
    if isinstance(obj, (list, tuple)):
        items = [preview(v, secrets, depth + 1) for v in obj[:3]]
        more = f", … ({len(obj)} items)" if len(obj) > 3 else ""
        return "[" + ", ".join(items) + more + "]"
    if obj is None or isinstance(obj, (bool, int, float)):
        return json.dumps(obj)
    return type(obj).__name__


def unexpected(message: str, endpoint: str, obj: Any, secrets: Iterable[str]) -> UnexpectedResponse:
    """An UnexpectedResponse naming the endpoint, with a short redacted excerpt of `obj`."""
    secret_list = [s for s in secrets if isinstance(s, str)]
    return UnexpectedResponse(
        redact(message, secret_list),
        endpoint=endpoint,
        excerpt=excerpt(preview(obj, secret_list), secret_list, limit=300),
    )
