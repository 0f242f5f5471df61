"""The Refresher with a real S4Client against the simulator on a loopback port: pacing waits
are events, every submission is one history line, unknown outcomes are never success."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.api.client import S4Client
from tui.api.errors import AuthError
from tui.api.retry import RetryPolicy
from tui.core.files import HistoryStore
from tui.core.models import RefreshKind, RefreshRequest
from tui.refresh.pacing import Pacer
from tui.refresh.sender import Refresher, RefreshEvent, recent_sends
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

NS = 1_000_000_000
D = "cdn.example.com"


class FakeTime:
    """A clock that only moves when slept on: pacing tests take no real time."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def server() -> Iterator[SimServer]:
    with SimServer(SimConfig(start_ns=1_800_000_000 * NS, frozen=True, rate=1.0)) as srv:
        yield srv


def client(server: SimServer, token: str = DEMO_TOKEN, **kw: object) -> S4Client:
    kw.setdefault("refresh_retry", RetryPolicy(attempts=2, base_s=0.01, jitter=0.0))
    return S4Client(server.base_url, token, **kw)  # type: ignore[arg-type]


def specs(*groups: list[str]) -> list[RefreshRequest]:
    return [RefreshRequest(RefreshKind.URL, urls) for urls in groups]


async def test_pacing_waits_are_reported_as_events(server: SimServer, tmp_path: Path) -> None:
    clock = FakeTime()
    history = HistoryStore(tmp_path / "history.jsonl")
    events: list[RefreshEvent] = []
    async with client(server) as c:
        r = Refresher(c, history, Pacer(limit=1, window_s=30.0), clock=clock.time, sleep=clock.sleep)
        sub = await r.submit(D, specs(["https://cdn.example.com/1"], ["https://cdn.example.com/2"],
                                      ["https://cdn.example.com/3"]), events.append)
    assert sub.ok and [o.ok for o in sub.outcomes if o] == [True, True, True]
    waits = [e for e in events if e.phase == "waiting"]
    assert [(e.index, e.wait_s) for e in waits] == [(1, 30.0), (2, 30.0)]
    assert "pacing under 1 requests per 30s" in waits[0].detail
    assert clock.slept == [30.0, 30.0]
    assert [e.phase for e in events if e.index == 1] == ["waiting", "sending", "done"]
    assert [x["url_list"] for x in server.sim.refreshes] == [["https://cdn.example.com/1"], ["https://cdn.example.com/2"],
                                                            ["https://cdn.example.com/3"]]
    (rec,) = history.read()
    assert [q["sent_s"] - clock.now for q in rec["requests"]] == [-60.0, -30.0, 0.0]
    assert recent_sends([rec]) == [clock.now - 60, clock.now - 30, clock.now]


async def test_failures_and_unknown_outcomes(server: SimServer, tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "history.jsonl")
    server.sim.faults.set({"status": 503, "path": "refresh", "count": 2})
    async with client(server) as c:
        sub = await Refresher(c, history).submit(D, specs(["https://cdn.example.com/a"]))
    assert not sub.ok and sub.failed_indices() == [0] and sub.unknown_indices() == []
    o = sub.outcomes[0]
    assert o is not None and o.status == 503 and o.attempts == 2
    server.sim.faults.set({"hang": True, "path": "refresh"})
    try:
        async with client(server, read_timeout=0.3) as c:
            sub = await Refresher(c, history).submit(D, specs(["https://cdn.example.com/b"]))
    finally:
        server.sim.faults.clear()
    assert not sub.ok and sub.unknown_indices() == [0]
    recs = history.read()
    assert len(recs) == 2
    assert recs[1]["requests"][0]["unknown"] is True and recs[1]["requests"][0]["ok"] is False


async def test_retry_only_what_failed(server: SimServer, tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "history.jsonl")
    server.sim.faults.set({"status": 500, "path": "/cdn/cache/refresh", "count": 2})
    async with client(server) as c:
        r = Refresher(c, history)
        sub = await r.submit(D, specs(["https://cdn.example.com/1"], ["https://cdn.example.com/2"]))
        assert sub.failed_indices() == [0] and sub.outcomes[1] is not None and sub.outcomes[1].ok
        again = await r.submit(D, sub.requests, only=sub.failed_indices(), previous=sub)
    assert again is sub and sub.ok
    assert len(history.read()) == 2 and all(q["ok"] for q in history.read()[-1]["requests"])


async def test_auth_error_is_raised_and_recorded(server: SimServer, tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "history.jsonl")
    async with client(server, token="wrong-token-xyz") as c:
        with pytest.raises(AuthError):
            await Refresher(c, history).submit(D, specs(["https://cdn.example.com/1"], ["https://cdn.example.com/2"]))
    (rec,) = history.read()
    assert [q["status"] for q in rec["requests"]] == [401, None]
    assert rec["requests"][1]["message"] == "not sent"
    assert "wrong-token-xyz" not in history.path.read_text()


async def test_cancelled_while_waiting_for_the_answer_is_unknown(server: SimServer, tmp_path: Path) -> None:
    history = HistoryStore(tmp_path / "history.jsonl")
    server.sim.faults.set({"hang": True, "path": "refresh"})
    try:
        async with client(server) as c:
            task = asyncio.create_task(
                Refresher(c, history).submit(D, specs(["https://cdn.example.com/1"], ["https://cdn.example.com/2"])))
            for _ in range(200):
                if server.sim.refreshes:
                    break
                await asyncio.sleep(0.01)
            assert server.sim.refreshes, "the request should have reached the server"
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        server.sim.faults.clear()
    (rec,) = history.read()
    first, second = rec["requests"]
    assert first["unknown"] is True and first["ok"] is False and "interrupted" in first["message"]
    assert second["message"] == "not sent" and second["sent_s"] is None


async def test_client_retries_come_as_retrying_events(server: SimServer, tmp_path: Path) -> None:
    """One progress channel: a retry of the POST is an event of the send, worded by
    `describe`, and the client's own retry hook is not called as well."""
    server.sim.faults.set({"status": 429, "retry_after": 0, "path": "refresh", "count": 1})
    told: list[object] = []
    events: list[RefreshEvent] = []
    async with client(server, on_retry=lambda *a: told.append(a)) as c:
        r = Refresher(c, HistoryStore(tmp_path / "h.jsonl"), describe=lambda e: f"said {type(e).__name__}")
        sub = await r.submit(D, specs(["https://cdn.example.com/a"]), events.append)
    assert sub.ok and sub.outcomes[0] is not None and sub.outcomes[0].attempts == 2
    assert [(e.index, e.phase) for e in events] == [(0, "sending"), (0, "retrying"), (0, "done")]
    assert (events[1].detail, events[1].wait_s) == ("said RateLimited", 0.0)
    assert told == []


def test_a_request_the_vendor_would_refuse_cannot_be_made() -> None:
    """The request type holds the vendor's rules, so the client needs no second check."""
    for kind, urls in [("file", ["https://x.example/"]), ("url", []), ("url", ["https://x.example/"] * 21),
                       ("url", [""])]:
        with pytest.raises(ValueError):
            RefreshRequest(kind, urls)  # type: ignore[arg-type]
    req = RefreshRequest("directory", ("https://x.example/d/",))  # type: ignore[arg-type]
    assert req.kind is RefreshKind.DIRECTORY and req.to_body() == {
        "type": "directory", "url_list": ["https://x.example/d/"]}
