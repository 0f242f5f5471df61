"""One refresh submission in flight, observable by whatever screen is open (or none).

The app owns jobs and runs them in a worker, so closing the modal never stops a send; the
modal (re)attaches as a listener to show progress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tui.core.models import RefreshOutcome, RefreshRequest
from tui.refresh.sender import RefreshEvent, Submission


@dataclass
class RequestState:
    """The progress of one request of the job (the request itself is the plan's)."""

    request: RefreshRequest
    phase: str = "queued"  # queued | waiting | sending | retrying | ok | failed | unknown
    detail: str = ""
    outcome: RefreshOutcome | None = None

    @property
    def progress(self) -> float:
        return {"queued": 0.0, "waiting": 0.1, "sending": 0.5, "retrying": 0.5}.get(self.phase, 1.0)


@dataclass
class SendJob:
    domain: str
    requests: list[RequestState]
    submission: Submission | None = None
    running: bool = True
    error: str = ""
    listeners: list[Callable[[SendJob], None]] = field(default_factory=list)

    @classmethod
    def of(cls, domain: str, requests: list[RefreshRequest]) -> SendJob:
        return cls(domain=domain, requests=[RequestState(r) for r in requests])

    @property
    def refresh_requests(self) -> list[RefreshRequest]:
        return [r.request for r in self.requests]

    def failed(self) -> list[int]:
        return [i for i, r in enumerate(self.requests) if r.phase in ("failed", "unknown")]

    @property
    def ok(self) -> bool:
        return not self.running and all(r.phase == "ok" for r in self.requests)

    def summary(self) -> str:
        n = len(self.requests)
        good = sum(1 for r in self.requests if r.phase == "ok")
        unknown = sum(1 for r in self.requests if r.phase == "unknown")
        if self.running:
            return f"sending: {good}/{n} requests done"
        if good == n:
            return f"refresh accepted: {n}/{n} request{'s' if n != 1 else ''} ok"
        parts = [f"{good}/{n} ok"]
        if unknown:
            parts.append(f"{unknown} unknown (sent, no answer)")
        if n - good - unknown:
            parts.append(f"{n - good - unknown} failed")
        return "refresh: " + ", ".join(parts) + "; R retries"

    def on_event(self, ev: RefreshEvent) -> None:
        st = self.requests[ev.index]
        if ev.phase == "waiting":
            st.phase, st.detail = "waiting", f"waiting {ev.wait_s:.0f}s: {ev.detail}"
        elif ev.phase == "sending":
            st.phase, st.detail, st.outcome = "sending", "sending…", None
        elif ev.phase == "retrying":
            st.phase, st.detail = "retrying", f"retrying in {ev.wait_s:.0f}s: {ev.detail}"
        elif ev.phase == "done" and ev.outcome is not None:
            o = ev.outcome
            st.outcome = o
            st.phase = "ok" if o.ok else ("unknown" if o.unknown else "failed")
            status = f"HTTP {o.status}" if o.status is not None else "no answer"
            st.detail = f"{status}  {o.message}"  # latency goes to the history file
        self.notify()

    def notify(self) -> None:
        for fn in list(self.listeners):
            fn(self)
