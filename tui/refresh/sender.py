"""Sending a refresh plan: one implementation for the CLI and the modal.

Paces under the vendor limit, sends each request (the client retries 429/5xx/connect failures
a bounded number of times and reports every retry), records every submission in the history
file, and reports progress as events. A request whose outcome is unknown (sent, no answer) is
recorded as unknown and never as success.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tui.api.errors import ApiError
from tui.core.files import HistoryStore
from tui.core.models import RefreshOutcome, RefreshRequest
from tui.refresh.pacing import Pacer


@dataclass(slots=True)
class RefreshEvent:
    """index: which request; phase: waiting | sending | retrying | done.

    The one progress channel of a send: the client's retries of a request come here too, as
    "retrying" (detail: the error described, wait_s: the back-off before the next try).
    """

    index: int
    phase: str
    detail: str = ""
    wait_s: float = 0.0
    outcome: RefreshOutcome | None = None


@dataclass(slots=True)
class Submission:
    domain: str
    requests: list[RefreshRequest]
    outcomes: list[RefreshOutcome | None] = field(default_factory=list)
    started_s: float = 0.0
    sent_s: list[float | None] = field(default_factory=list)  # when each request went out

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and all(o is not None and o.ok for o in self.outcomes)

    def failed_indices(self) -> list[int]:
        return [i for i, o in enumerate(self.outcomes) if o is None or not o.ok]

    def unknown_indices(self) -> list[int]:
        """Requests that may have been applied: sent, but no answer was read."""
        return [i for i, o in enumerate(self.outcomes) if o is not None and o.unknown]

    def to_record(self) -> dict[str, Any]:
        kinds = sorted({r.kind.value for r in self.requests})
        return {
            "time": datetime.fromtimestamp(self.started_s, tz=UTC).isoformat(timespec="seconds"),
            "time_s": round(self.started_s, 3),
            "domain": self.domain,
            "type": kinds[0] if len(kinds) == 1 else "mixed",
            "entries": [u for r in self.requests for u in r.urls],
            "requests": [
                {
                    "type": r.kind.value,
                    "urls": list(r.urls),
                    "status": o.status if o else None,
                    "message": o.message if o else "not sent",
                    "latency_s": round(o.latency_s, 3) if o else None,
                    "ok": bool(o and o.ok),
                    "unknown": bool(o and o.unknown),
                    "attempts": o.attempts if o else 0,
                    "sent_s": round(t, 3) if t is not None else None,
                }
                for r, o, t in zip(self.requests, self.outcomes, self._sent_times(), strict=False)
            ],
        }

    def _sent_times(self) -> list[float | None]:
        return self.sent_s + [None] * (len(self.requests) - len(self.sent_s))


def recent_sends(records: Sequence[dict[str, Any]]) -> list[float]:
    """When requests went out, from history records (for pacing across processes)."""
    out: list[float] = []
    for rec in records:
        for req in rec.get("requests") or []:
            t = req.get("sent_s") if isinstance(req, dict) else None
            if isinstance(t, (int, float)) and not isinstance(t, bool):
                out.append(float(t))
    return out


class Refresher:
    """Holds the pacer across submissions (the vendor's window spans them)."""

    def __init__(
        self,
        client: Any,
        history: HistoryStore | None,
        pacer: Pacer | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Any] = asyncio.sleep,
        describe: Callable[[ApiError], str] = lambda e: e.message,
    ) -> None:
        """`describe` words a client error for a "retrying" event (the app and the CLI pass
        their describe_error, tui/context.py)."""
        self.client = client
        self.history = history
        self.pacer = pacer or Pacer()
        self.clock = clock
        self.sleep = sleep
        self.describe = describe
        #: History lines not written yet (disk full, data dir unwritable): kept here and
        #: written before the next one, so a sent refresh is never lost from the record.
        self.unwritten: list[dict[str, Any]] = []
        self.history_error: str = ""  # why the last write failed ("" once one succeeds)

    def write_history(self, record: dict[str, Any] | None = None) -> bool:
        """Append `record` after any lines still unwritten; False (and `history_error`) when
        the disk refuses. Never raises: a refresh that was sent is reported either way."""
        if record is not None:
            self.unwritten.append(record)
        if self.history is None:
            self.unwritten.clear()
            return True
        while self.unwritten:
            try:
                self.history.append(self.unwritten[0])
            except OSError as exc:
                self.history_error = exc.strerror or type(exc).__name__
                return False
            self.unwritten.pop(0)
        self.history_error = ""
        return True

    async def submit(
        self,
        domain: str,
        requests: Sequence[RefreshRequest],
        on_event: Callable[[RefreshEvent], None] | None = None,
        only: Sequence[int] | None = None,
        previous: Submission | None = None,
    ) -> Submission:
        """Send `requests` (or only the indices in `only`, for a retry of `previous`)."""
        emit = on_event or (lambda _e: None)
        sub = previous or Submission(domain=domain, requests=list(requests), started_s=self.clock())
        if len(sub.outcomes) < len(sub.requests):
            sub.outcomes.extend([None] * (len(sub.requests) - len(sub.outcomes)))
        if len(sub.sent_s) < len(sub.requests):
            sub.sent_s.extend([None] * (len(sub.requests) - len(sub.sent_s)))
        indices = list(only) if only is not None else list(range(len(sub.requests)))
        in_flight: list[int] = []  # the request whose answer is being awaited
        try:
            for i in indices:
                await self._pace(i, emit)
                await self._send_one(sub, i, emit, in_flight)
        except (asyncio.CancelledError, KeyboardInterrupt):
            for i in in_flight:  # interrupted while waiting for the answer
                sub.outcomes[i] = RefreshOutcome(
                    ok=False, status=None, message="outcome unknown: interrupted after sending",
                    latency_s=max(0.0, self.clock() - (sub.sent_s[i] or 0.0)), unknown=True,
                )
            raise
        finally:
            self.write_history(sub.to_record())
        return sub

    async def _pace(self, index: int, emit: Callable[[RefreshEvent], None]) -> None:
        """Wait (and say so) when the next POST would go over the vendor's pace."""
        wait = self.pacer.delay(self.clock())
        if wait > 0:
            emit(RefreshEvent(
                index,
                "waiting",
                f"pacing under {self.pacer.limit} requests per {self.pacer.window_s:.0f}s",
                wait,
            ))
            await self.sleep(wait)

    async def _send_one(self, sub: Submission, i: int, emit: Callable[[RefreshEvent], None],
                        in_flight: list[int]) -> None:
        """POST request `i` and record its outcome; an ApiError is recorded, then raised."""
        emit(RefreshEvent(i, "sending"))
        sent = self.clock()
        self.pacer.record(sent)
        sub.sent_s[i] = sent
        in_flight.append(i)
        try:
            outcome = await self.client.refresh(sub.requests[i],
                                                on_retry=self._retrying(i, emit))
        except ApiError as exc:  # auth and other refusals that the client raises
            in_flight.clear()
            outcome = RefreshOutcome(
                ok=False, status=getattr(exc, "status", None), message=exc.message,
                latency_s=0.0,
            )
            sub.outcomes[i] = outcome
            emit(RefreshEvent(i, "done", outcome.message, outcome=outcome))
            raise
        in_flight.clear()
        sub.outcomes[i] = outcome
        emit(RefreshEvent(i, "done", outcome.message, outcome=outcome))

    def _retrying(
        self, index: int, emit: Callable[[RefreshEvent], None]
    ) -> Callable[[str, ApiError, float], None]:
        """The client's retry of request `index`, as an event on the same channel."""

        def on_retry(_endpoint: str, error: ApiError, delay_s: float) -> None:
            emit(RefreshEvent(index, "retrying", self.describe(error), delay_s))

        return on_retry
