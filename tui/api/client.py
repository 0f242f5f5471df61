"""The HTTP client of the S4 static CDN API: the only code that talks to the vendor.

One `httpx.AsyncClient` per S4Client (keep-alive across polls). Every failure becomes a typed
ApiError (errors.py) whose text has been redacted and made printable; the token travels only
in the Authorization header and is re-read for every request (a rotated token file is picked
up without a restart).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

from tui import __version__
from tui.api.domain import validate_domain
from tui.api.errors import ApiError, ApiTimeout, AuthError, NetworkError, UnexpectedResponse
from tui.api.parse import iter_logs, parse_logs, parse_refresh_answer, parse_series
from tui.api.redact import excerpt
from tui.api.reported import reported
from tui.api.retry import RetryPolicy
from tui.api.wire import RawResponse, decode_json, retry_after_of, status_error, transport_error
from tui.core.models import (
    LOG_CODES,
    PERIODS,
    LogEntry,
    Metric,
    RefreshOutcome,
    RefreshRequest,
    Series,
)
from tui.core.timezones import DEFAULT_ZONE

if TYPE_CHECKING:
    import httpx

__all__ = ["RawResponse", "RetryPolicy", "S4Client", "DEFAULT_REFRESH_RETRY"]

#: Refresh is not idempotent for the quota: fewer, slower retries than reads.
DEFAULT_REFRESH_RETRY = RetryPolicy(attempts=3, base_s=1.0, cap_s=30.0, jitter=0.2)
REFRESH_PATH = "/cdn/cache/refresh"
MAX_LOG_LIMIT = 1000
_MAX_SECRETS = 8

OnRetry = Callable[[str, ApiError, float], None]


def _http_error() -> type[Exception]:
    import httpx

    return httpx.HTTPError


_Page = TypeVar("_Page")  # what a page is read as


class S4Client:
    """Typed calls to the vendor API with retries, timeouts and token hygiene."""

    def __init__(
        self,
        base_url: str,
        token: str | Callable[[], str],
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        refresh_retry: RetryPolicy | None = None,
        verify: bool = True,
        on_retry: OnRetry | None = None,
        user_agent: str = f"s4top/{__version__}",
        total_timeout: float | None = None,
        max_body_bytes: int = 64 * 1024 * 1024,
        naive_tz: tzinfo = DEFAULT_ZONE,
    ) -> None:
        import httpx  # here, not at import time: the dashboard paints before it connects

        url = httpx.URL(base_url.rstrip("/"))
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("the API base URL must be an http:// or https:// URL with a host")
        self.base_url = str(url)
        self._host = url.host
        self._token_source = token
        self._secrets: list[str] = []
        self.retry = retry or RetryPolicy()
        self.refresh_retry = refresh_retry or DEFAULT_REFRESH_RETRY
        self.on_retry = on_retry
        self._read_timeout = read_timeout
        # Slow-drip bodies pass the per-read timeout; this bounds the whole request.
        self._total_timeout = total_timeout or (connect_timeout + 4 * read_timeout)
        self._max_body = max_body_bytes
        self.naive_tz = naive_tz  # the zone of time text without one (`api_timezone`)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            verify=verify,
            trust_env=True,
            follow_redirects=False,  # never carry the token to wherever a redirect points
            headers={"User-Agent": user_agent, "Accept": "application/json"},
        )

    async def __aenter__(self) -> S4Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"S4Client(base_url={self.base_url!r})"

    # ------------------------------------------------------------------------- public calls

    async def series(
        self, domain: str, metric: Metric, start_s: int, end_s: int, period: str
    ) -> Series:
        """One time series (traffic or requests) for [start_s, end_s] at `period`."""
        metric = Metric(metric)
        if period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}")
        # refused before anything is sent: what the real API does with these is unknown
        if int(start_s) < 0:
            raise ValueError(
                f"start_s must be a Unix time in seconds (zero or more), got {int(start_s)}"
            )
        if int(end_s) < int(start_s):
            raise ValueError(
                f"the time range is inverted: end {int(end_s)} is before start {int(start_s)}"
            )
        path = f"/cdn/data/{validate_domain(domain)}/{metric.value}"
        params = {"start_time": int(start_s), "end_time": int(end_s), "period": period}
        endpoint = f"GET {path}"
        raw = await self._call("GET", path, endpoint, self.retry, params=params)
        return parse_series(decode_json(raw.body, endpoint, self._secrets), metric, period,
                            endpoint, secrets=self._secrets, tz=self.naive_tz)

    async def logs_page(self, domain: str, start_ns: int, codes: str = "ALL",
                        limit: int = MAX_LOG_LIMIT) -> list[LogEntry]:
        """One page of log entries with access_time >= start_ns (server order, oldest first)."""
        return self.parse_logs_reply(domain, await self.logs_reply(domain, start_ns, codes, limit))

    async def logs_reply(self, domain: str, start_ns: int, codes: str = "ALL",
                         limit: int = MAX_LOG_LIMIT) -> RawResponse:
        """`logs_page`'s request alone (tui/core/slices.py parses it outside the slot)."""
        if codes not in LOG_CODES:
            raise ValueError(f"codes must be one of {', '.join(LOG_CODES)}")
        if not 1 <= limit <= MAX_LOG_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LOG_LIMIT}")
        if (start := int(start_ns)) < 0:
            raise ValueError(f"start_ns must be a Unix time in ns (zero or more), got {start}")
        path = f"/cdn/data/{validate_domain(domain)}/logs"
        params = {"start_time": int(start_ns), "codes": codes, "limit": int(limit)}
        return await self._call("GET", path, f"GET {path}", self.retry, params=params)

    def parse_logs_reply(self, domain: str, raw: RawResponse,
                         read: Callable[..., list[_Page]] = parse_logs) -> list[_Page]:
        """The page in a `logs_reply` for `domain` (raises as `logs_page` does), read by
        `read`: `parse_logs`'s signature (the entries; `s4top logs --json` reads their lines,
        tui/api/loglines.py)."""
        return read(*self._logs_body(domain, raw), secrets=self._secrets, tz=self.naive_tz)

    def logs_reply_pieces(self, domain: str, raw: RawResponse,
                          size: int) -> Iterator[list[LogEntry]]:
        """`parse_logs_reply` in pieces of `size` entries, decoded at the first (for a tail)."""
        yield from iter_logs(*self._logs_body(domain, raw), size, secrets=self._secrets,
                             tz=self.naive_tz)

    def _logs_body(self, domain: str, raw: RawResponse) -> tuple[Any, str]:
        """(the decoded body, the endpoint's name in errors) of a `logs_reply`."""
        endpoint = f"GET /cdn/data/{validate_domain(domain)}/logs"
        return decode_json(raw.body, endpoint, self._secrets), endpoint

    async def refresh(
        self, request: RefreshRequest, on_retry: OnRetry | None = None
    ) -> RefreshOutcome:
        """POST one refresh request (already checked and encoded: tui/refresh/plan.py).

        Never raises for HTTP or network failures: they come back as ok=False, and as
        unknown=True when the request may have reached the server but no answer was read
        (such a request is never sent again blindly). Raises AuthError (401/403, unreadable
        token). Each retry is announced to `on_retry` if given (the sender turns it into a
        "retrying" event), else to the client's own `on_retry`.
        """
        endpoint = f"POST {REFRESH_PATH}"
        tries = await self._with_retries(
            "POST", REFRESH_PATH, endpoint, self.refresh_retry,
            json_body=request.to_body(), resend_sent=False, on_retry=on_retry,
        )  # fmt: skip
        if not isinstance(tries, _Failed):
            raw, attempts = tries
            return self._refresh_outcome(raw, endpoint, attempts)
        err = tries.error
        if isinstance(err, AuthError):
            raise err
        message, unknown = err.message, False
        if tries.status is None and _sent_unanswered(err):
            message, unknown = f"outcome unknown: the request was sent but {err.message}", True
        elif tries.status is None and isinstance(err, UnexpectedResponse):
            # answered, but the body could not be read
            message, unknown = f"outcome unknown: {err.message}", True
        return RefreshOutcome(
            ok=False, status=tries.status, message=message,
            latency_s=time.monotonic() - tries.started, attempts=tries.attempts, unknown=unknown,
        )  # fmt: skip

    async def raw_get(self, path: str, params: dict[str, Any]) -> RawResponse:
        """One GET, no retries, any status returned as is (for `doctor`)."""
        if not path.startswith("/") or path.startswith("//") or "://" in path:
            raise ValueError("raw_get takes a path on the API host, like /cdn/data/<domain>/logs")
        return await self._send("GET", path, f"GET {path}", params=params)

    # ------------------------------------------------------------------------- internals

    def _token(self, endpoint: str) -> str:
        """Read the token now; refuse values that cannot go in a header (without showing them)."""
        source = self._token_source
        problem: str | None = None
        token: Any = None
        try:
            token = source() if callable(source) else source
        except OSError as e:
            problem = f"could not read the token: {e.strerror or type(e).__name__}" + (
                f" ({e.filename})" if e.filename else ""
            )
        except Exception as e:  # its message might hold the token: keep the type name only
            problem = f"could not read the token ({type(e).__name__})"
        if problem is None:
            if not isinstance(token, str):
                problem = "the token is not text"
            else:
                token = token.strip()
                if not token:
                    problem = "no token: it is empty"
                elif any(not 0x20 <= ord(c) <= 0x7E for c in token):
                    problem = (
                        "the token holds characters that cannot be sent in an HTTP header "
                        "(control or non-ASCII characters)"
                    )
        if problem is not None:
            raise AuthError(problem, endpoint=endpoint, status=0)
        if token not in self._secrets:
            self._secrets.append(token)
            del self._secrets[:-_MAX_SECRETS]
        return token

    async def _send(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> RawResponse:
        """One request; transport failures become typed errors (raised outside any handler,
        so no httpx exception, which holds the request and its headers, rides along)."""
        headers = {"Authorization": self._token(endpoint)}
        started = time.monotonic()
        err: ApiError
        try:
            async with asyncio.timeout(self._total_timeout):
                async with self._http.stream(
                    method, path, params=params, json=json_body, headers=headers
                ) as resp:
                    body = await self._read_body(resp, endpoint)
                    return RawResponse(
                        status=resp.status_code,
                        latency_s=time.monotonic() - started,
                        body=body,
                        headers=dict(resp.headers.items()),
                    )
        except _http_error() as e:
            err = transport_error(e, endpoint, self._secrets, self._host, self._read_timeout)
        except TimeoutError:
            err = ApiTimeout(
                f"the whole request took longer than {self._total_timeout:g}s",
                endpoint=endpoint,
                sent=True,
            )
        raise err

    async def _read_body(self, resp: httpx.Response, endpoint: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.aiter_bytes():
            size += len(chunk)
            if size > self._max_body:
                raise UnexpectedResponse(
                    f"the body is larger than {self._max_body} bytes", endpoint=endpoint
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _refresh_outcome(self, raw: RawResponse, endpoint: str, attempt: int) -> RefreshOutcome:
        problem: str | None = None
        try:
            obj = decode_json(raw.body, endpoint, self._secrets)
            answer = parse_refresh_answer(obj, endpoint, secrets=self._secrets)
        except UnexpectedResponse as e:
            problem = e.message
        if problem is not None:
            return RefreshOutcome(
                ok=False,
                status=raw.status,
                message=f"HTTP {raw.status} (the refresh may have been accepted), but {problem}",
                latency_s=raw.latency_s,
                attempts=attempt,
            )
        if not answer.accepted:  # {"code": 401, "message": "invalid token"} under HTTP 200
            refused = reported(answer.code, answer.message, endpoint, self._secrets,
                               status=raw.status)
            if isinstance(refused, AuthError):
                raise refused
        return RefreshOutcome(
            ok=answer.accepted,
            status=raw.status,
            message=excerpt(answer.message, self._secrets, limit=300),
            latency_s=raw.latency_s,
            attempts=attempt,
        )

    async def _call(self, method: str, path: str, endpoint: str, policy: RetryPolicy, *,
                    params: dict[str, Any] | None = None) -> RawResponse:
        """Send with retries; return a 2xx response or raise the last error."""
        tries = await self._with_retries(method, path, endpoint, policy, params=params)
        if isinstance(tries, _Failed):
            raise tries.error
        return tries[0]

    async def _with_retries(
        self,
        method: str,
        path: str,
        endpoint: str,
        policy: RetryPolicy,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        resend_sent: bool = True,
        on_retry: OnRetry | None = None,
    ) -> tuple[RawResponse, int] | _Failed:
        """The one retry loop: try until a 2xx (returned with the number of tries), an error a
        retry will not fix, or the policy's last attempt. `resend_sent=False` stops at a request
        that may have reached the server unanswered (a refresh is not idempotent for the quota)."""
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            retry_after: float | None = None
            status: int | None = None
            try:
                raw = await self._send(method, path, endpoint, params=params, json_body=json_body)
            except ApiError as e:
                err = e
            else:
                if 200 <= raw.status < 300:
                    return raw, attempt
                status = raw.status
                err = status_error(raw, endpoint, self._secrets)
                retry_after = retry_after_of(raw)
            blind = not resend_sent and status is None and _sent_unanswered(err)
            if blind or not self._retryable(err) or attempt >= policy.attempts:
                return _Failed(err, status, attempt, started)
            await self._pause(endpoint, err, policy.delay(attempt, retry_after), on_retry)

    @staticmethod
    def _retryable(err: ApiError) -> bool:
        return bool(getattr(err, "retryable", False))

    async def _pause(
        self, endpoint: str, err: ApiError, delay: float, on_retry: OnRetry | None
    ) -> None:
        """Tell the caller (never retry silently), then wait."""
        hook = on_retry or self.on_retry
        if hook is not None:
            hook(endpoint, err, delay)
        await asyncio.sleep(delay)


@dataclass(slots=True)
class _Failed:
    """The retry loop ended without a 2xx: the last error, with the HTTP status when there
    was an answer; `started` is when the last try began (monotonic)."""

    error: ApiError
    status: int | None
    attempts: int
    started: float


def _sent_unanswered(err: ApiError) -> bool:
    """The request may have reached the server, but no answer was read."""
    return isinstance(err, (ApiTimeout, NetworkError)) and err.sent
