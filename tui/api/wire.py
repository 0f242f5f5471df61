"""From what came over the wire to typed errors and JSON.

Each function takes the secrets to mask, so every text that leaves here is token-free,
printable and short. Errors are built as values (never raised inside an `except` of an httpx
or json exception), so no exception that holds the request headers or the whole body is
chained to them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.api.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.api.parse import server_message
from tui.api.redact import decode_body, excerpt, printable, redact
from tui.api.reported import RETRY_STATUSES, kind_of, server_text
from tui.api.retry import parse_retry_after

if TYPE_CHECKING:
    import httpx


@dataclass(slots=True, frozen=True)
class RawResponse:
    """A response as it came, for `doctor`: status, time taken, body bytes, headers."""

    status: int
    latency_s: float
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def reason_of(exc: BaseException, secrets: Sequence[str]) -> str:
    """An exception's text, redacted, one line, short."""
    text = str(exc) or type(exc).__name__
    return printable(redact(text, secrets), limit=200)


def transport_error(
    e: httpx.HTTPError, endpoint: str, secrets: Sequence[str], host: str, read_timeout: float
) -> ApiError:
    """The typed error for a failure below HTTP (connect, TLS, timeout, broken transfer)."""
    import httpx  # loaded by the client already; not at import time (start-up)

    reason = reason_of(e, secrets)
    if isinstance(e, httpx.ConnectTimeout | httpx.PoolTimeout):
        return ApiTimeout(f"connecting to {host} timed out", endpoint=endpoint, sent=False)
    if isinstance(e, httpx.TimeoutException):
        return ApiTimeout(f"no answer within {read_timeout:g}s", endpoint=endpoint, sent=True)
    if isinstance(e, httpx.DecodingError):
        return UnexpectedResponse(f"the body could not be decoded ({reason})", endpoint=endpoint)
    if isinstance(e, httpx.ConnectError | httpx.ProxyError):
        err = NetworkError(f"could not connect to {host}: {reason}", endpoint=endpoint)
        if "CERTIFICATE" in reason.upper() or "SSL" in reason.upper():
            err.retryable = False  # retrying will not fix a certificate
        return err
    if isinstance(e, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.InvalidURL):
        err = NetworkError(f"the request could not be made: {reason}", endpoint=endpoint)
        err.retryable = False
        return err
    return NetworkError(f"the connection broke: {reason}", endpoint=endpoint, sent=True)


def retry_after_of(raw: RawResponse) -> float | None:
    """Retry-After (seconds or HTTP date) of a 429 or 503, in seconds."""
    if raw.status in (429, 503):
        return parse_retry_after(raw.headers.get("retry-after"))
    return None


def status_error(raw: RawResponse, endpoint: str, secrets: Sequence[str]) -> ApiError:
    """The typed error for a non-2xx answer, carrying the server's (redacted) message."""
    status = raw.status
    obj = try_json(raw.body)
    message = server_message(obj) if obj is not None else None
    if not raw.body.strip():  # the vendor's sample servers answer errors this way
        detail = "the body is empty (the server sent no error text)"
        if status == 404:
            detail += "; check --api-base and the domain"
    else:
        detail = excerpt(message if message else raw.body, secrets, limit=200)
    err = _status_error(raw, obj, detail, endpoint, secrets)
    if raw.body.strip():
        err.server_text = server_text(message if message else decode_body(raw.body), secrets)
    return err


def _status_error(raw: RawResponse, obj: Any, detail: str, endpoint: str,
                  secrets: Sequence[str]) -> ApiError:
    status = raw.status
    word_code = obj.get("code") if isinstance(obj, dict) else None
    if isinstance(word_code, str) and kind_of(word_code, None) == "rate":
        # S3-style data-plane codes: `403 ReachTheMaxRequests` is a rate limit, not auth
        shown = excerpt(word_code, secrets, limit=40)
        return RateLimited(f"rate limited (HTTP {status}, code {shown}): {detail}",
                           endpoint=endpoint, retry_after=parse_retry_after(
                               raw.headers.get("retry-after")))
    if status in (401, 403):
        return AuthError(
            f"the server refused the token (HTTP {status}): {detail}",
            endpoint=endpoint,
            status=status,
        )
    if status == 429:
        return RateLimited(
            f"rate limited (HTTP 429): {detail}", endpoint=endpoint, retry_after=retry_after_of(raw)
        )
    if status >= 500:
        err: ApiError = ServerError(
            f"server error (HTTP {status}): {detail}", endpoint=endpoint, status=status
        )
        err.retryable = status in RETRY_STATUSES
        return err
    if status == 408:
        return ApiTimeout(f"the server timed out (HTTP 408): {detail}", endpoint=endpoint,
                          sent=True)
    if 400 <= status < 500:
        return BadRequest(f"HTTP {status}: {detail}", endpoint=endpoint, status=status)
    if 300 <= status < 400:
        location = excerpt(raw.headers.get("location", "?"), secrets, limit=120)
        return UnexpectedResponse(
            f"HTTP {status} redirect to {location} (not followed; check the base URL)",
            endpoint=endpoint,
        )
    return UnexpectedResponse(f"unexpected HTTP status {status}", endpoint=endpoint, excerpt=detail)


def decode_json(body: bytes, endpoint: str, secrets: Sequence[str]) -> Any:
    """JSON from a body that may hold invalid UTF-8 (replaced, never fatal).

    Anything that is not JSON raises UnexpectedResponse with the endpoint and an excerpt.
    """
    text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
    problem: str
    if not text.strip():
        problem = "the body is empty (expected JSON)"
    else:
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            problem = f"the body is not valid JSON ({e.msg} at character {e.pos})"
        except ValueError:  # e.g. an integer longer than Python's int-to-str limit
            problem = "the body is JSON that cannot be read (a number too long?)"
        except RecursionError:
            problem = "the body nests too deeply to read"
    # Raised here, outside the handler: a JSONDecodeError holds the whole body (`doc`).
    raise UnexpectedResponse(problem, endpoint=endpoint, excerpt=excerpt(body, secrets, limit=300))


def try_json(body: bytes) -> Any:
    """JSON if the body is JSON, else None (for reading error bodies)."""
    try:
        return json.loads(body.decode("utf-8", errors="replace").lstrip("\ufeff"))
    except (ValueError, RecursionError):
        return None
