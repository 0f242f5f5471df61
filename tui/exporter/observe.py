"""What the exporter learns from each vendor call: requests, errors by kind, whether the last
call of an endpoint worked, and the last complete hourly bucket of each series.

`ObservedClient` stands between the live pollers (tui/live/pollers.py) and the real client:
the same calls, the same parsers, counted on the way through. It never retries on its own
(the pollers back off), so one call is one vendor request. A log page is asked for and parsed
in two steps, as the dashboard's tail does (the parse in pieces, tui/core/pieces.py): the
request is counted when its page has been read, or when either step failed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tui.api.client import S4Client
from tui.api.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    NetworkError,
    RateLimited,
    ServerError,
)
from tui.api.wire import RawResponse
from tui.core.models import LogEntry, Metric, Series

ENDPOINTS = ("logs", *(m.value for m in Metric))
ERROR_KINDS = ("auth", "rate_limited", "timeout", "network", "server", "bad_request",
               "unexpected_shape")
PERIOD_S = {"hourly": 3600, "daily": 86400}


def error_kind(exc: ApiError) -> str:
    """The `kind` label of an error (tui/api/errors.py). A body of no known shape, and any
    error type added later, count as `unexpected_shape`: the answer was not understood."""
    for cls, kind in ((AuthError, "auth"), (RateLimited, "rate_limited"),
                      (ApiTimeout, "timeout"), (NetworkError, "network"),
                      (ServerError, "server"), (BadRequest, "bad_request")):
        if isinstance(exc, cls):
            return kind
    return "unexpected_shape"


def last_complete(series: Series, end_s: int) -> tuple[int, float] | None:
    """(start, value) of the newest bucket that had ended when it was asked for (`end_s`):
    the bucket still filling up is never reported, so it never looks like a drop."""
    width = PERIOD_S.get(series.period, 3600)
    done = [(t, v) for t, v in series.points if t + width <= end_s]
    return max(done) if done else None


@dataclass
class EndpointBook:
    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    up: bool | None = None  # None until the first call ends
    last_success_s: float | None = None


@dataclass
class DomainBook:
    """One domain's endpoints and series gauges (written by the pollers, read by scrapes)."""

    endpoints: dict[str, EndpointBook] = field(
        default_factory=lambda: {e: EndpointBook() for e in ENDPOINTS})
    #: metric -> (bucket start, value) of its last complete bucket
    buckets: dict[str, tuple[int, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, endpoint: str, error: ApiError | None, now_s: float) -> None:
        with self.lock:
            book = self.endpoints[endpoint]
            book.requests += 1
            book.up = error is None
            if error is None:
                book.last_success_s = now_s
            else:
                book.errors[error_kind(error)] += 1

    def snapshot(self) -> tuple[dict[str, EndpointBook], dict[str, tuple[int, float]]]:
        with self.lock:
            # most endpoints never fail: an empty Counter is cheaper than a copy of one
            eps = {k: EndpointBook(v.requests, Counter(v.errors) if v.errors else Counter(),
                                   v.up, v.last_success_s)
                   for k, v in self.endpoints.items()}
            return eps, dict(self.buckets)


class ObservedClient:
    """The pollers' client: S4Client's read calls, each one counted in the domain's book."""

    def __init__(self, client: S4Client, books: dict[str, DomainBook],
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.books = books
        self.clock = clock

    async def logs_reply(self, domain: str, start_ns: int, codes: str = "ALL",
                         limit: int = 1000) -> RawResponse:
        """A log page's request alone; its reply goes to `logs_reply_pieces` or
        `parse_logs_reply`, which count it."""
        try:
            return await self.client.logs_reply(domain, start_ns, codes, limit)
        except ApiError as exc:
            self.books[domain].record("logs", exc, self.clock())
            raise

    def parse_logs_reply(self, domain: str, raw: RawResponse) -> list[LogEntry]:
        book = self.books[domain]
        try:
            page = self.client.parse_logs_reply(domain, raw)
        except ApiError as exc:  # a page of no known shape: unexpected_shape
            book.record("logs", exc, self.clock())
            raise
        book.record("logs", None, self.clock())
        return page

    def logs_reply_pieces(self, domain: str, raw: RawResponse,
                          size: int) -> Iterator[list[LogEntry]]:
        """S4Client.logs_reply_pieces, the request counted once the last piece is read."""
        book = self.books[domain]
        try:
            yield from self.client.logs_reply_pieces(domain, raw, size)
        except ApiError as exc:
            book.record("logs", exc, self.clock())
            raise
        book.record("logs", None, self.clock())

    async def series(self, domain: str, metric: Metric, start_s: int, end_s: int,
                     period: str) -> Series:
        book = self.books[domain]
        name = Metric(metric).value
        try:
            got = await self.client.series(domain, metric, start_s, end_s, period)
        except ApiError as exc:
            book.record(name, exc, self.clock())
            raise
        bucket = last_complete(got, end_s)
        if bucket is not None:
            with book.lock:
                book.buckets[name] = bucket
        book.record(name, None, self.clock())
        return got

    async def aclose(self) -> None:
        await self.client.aclose()
