"""Errors a server reports in its body, under any HTTP status (docs/api.md, issue 16).

APIs in the vendor's region often answer HTTP 200 with `{"code": 401, "message": "invalid
token"}`, `{"msg": ...}` or `{"success": false, "message": ...}`. Such an answer is the
error its code says (401 is an auth failure: exit 3, the dashboard's auth state), not a
shape we failed to read. S3-style codes of the data plane (`ReachTheMaxRequests`,
`AccessDenied`) are read too, also under an error status.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tui.api.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    RateLimited,
    ServerError,
)
from tui.api.redact import excerpt
from tui.core.sanitize import inert

#: Statuses worth another try: rate limiting and the transient server/gateway failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: S3-style and other word codes, normalised (lower case, no separators).
_AUTH_CODES = frozenset({
    "accessdenied", "invalidaccesskeyid", "signaturedoesnotmatch", "invalidtoken",
    "unauthorized", "unauthorised", "forbidden", "expiredtoken", "tokenexpired",
    "authfailed", "authenticationfailed", "invalidsignature", "missingtoken",
})  # fmt: skip
_RATE_CODES = frozenset({
    "reachthemaxrequests", "slowdown", "toomanyrequests", "throttling", "throttled",
    "requestlimitexceeded", "ratelimitexceeded", "ratelimited", "quotaexceeded",
})  # fmt: skip
#: Words of a message that says the credentials were refused, when no code says so.
_AUTH_WORDS = (
    "token", "unauthori", "forbidden", "credential", "signature", "access denied",
    "accessdenied", "permission denied", "authenticat", "鉴权", "认证", "令牌", "无权", "权限",
)  # fmt: skip


def _norm(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _numeric(code: Any) -> int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().isdigit() and len(code.strip()) <= 6:
        return int(code.strip())
    return None


def kind_of(code: Any, message: str | None) -> str | None:
    """`auth`, `rate`, `server`, `timeout`, `client` or None (no code we can read)."""
    n = _numeric(code)
    if n is not None:
        if n in (401, 403):
            return "auth"
        if n == 429:
            return "rate"
        if n == 408:
            return "timeout"
        if 500 <= n <= 599:
            return "server"
        if 400 <= n <= 499:
            return "client"
    elif isinstance(code, str):
        word = _norm(code)
        if word in _AUTH_CODES:
            return "auth"
        if word in _RATE_CODES:
            return "rate"
    text = (message or "").lower()
    if any(w in text for w in _AUTH_WORDS):
        return "auth"
    return None


def server_text(message: str | None, secrets: Iterable[str], limit: int = 200) -> str:
    """The server's own words, token-free, one line, inert on a terminal."""
    if not message or not message.strip():
        return ""
    return inert(excerpt(message, list(secrets), limit=limit), limit + 10)


def reported(code: Any, message: str | None, endpoint: str, secrets: Iterable[str], *,
             status: int) -> ApiError | None:
    """The typed error a body's code or message stands for, or None when neither says.

    `status` is the HTTP status it came under (200 for an error inside a success).
    """
    secret_list = [s for s in secrets if isinstance(s, str)]
    kind = kind_of(code, message)
    if kind is None:
        return None
    text = server_text(message, secret_list) or "no message"
    shown = excerpt(repr(code), secret_list, limit=40) if code is not None else None
    where = f"HTTP {status}" + (f", code {shown}" if shown else "")
    n = _numeric(code)
    err: ApiError
    if kind == "auth":
        err = AuthError(f"the server refused the token ({where}): {text}", endpoint=endpoint,
                        status=n if n in (401, 403) else (status if status >= 400 else 401))
    elif kind == "rate":
        err = RateLimited(f"rate limited ({where}): {text}", endpoint=endpoint)
    elif kind == "timeout":
        err = ApiTimeout(f"the server timed out ({where}): {text}", endpoint=endpoint, sent=True)
    elif kind == "server":
        assert n is not None
        err = ServerError(f"server error ({where}): {text}", endpoint=endpoint, status=n)
        err.retryable = n in RETRY_STATUSES
    else:
        assert n is not None
        err = BadRequest(f"the request was refused ({where}): {text}", endpoint=endpoint,
                         status=n)
    err.server_text = text if text != "no message" else ""
    return err
