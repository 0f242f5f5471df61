"""`s4top refresh ... --watch 2m`: after the refresh was accepted, tail the log for that long
and print the purge verdict of each entry (tui/refresh/verify.py): a table, or JSON Lines
(one object per entry) with `--json`. "Not requested yet" is a verdict, not a failure: the
exit code is the refresh's own.

The "before" figures come from the log just before the refresh (the shorter of the watch
and verify.BEFORE_S), read by the same tail, which then follows on without a gap.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from tui.api.client import RetryPolicy
from tui.context import Context, describe_error, format_wait
from tui.core.cursor import LogCursor
from tui.core.models import LogEntry
from tui.core.sanitize import inert
from tui.core.tail import LogTail, TailState
from tui.refresh.sender import Submission
from tui.refresh.verify import BEFORE_S, NS, PurgeTracker, Track, match_key
from tui.refresh.watch import submission_id


def targets_of(sub: Submission) -> list[tuple[str, str]]:
    return [(r.kind.value, u) for r, o in zip(sub.requests, sub.outcomes, strict=False)
            if o is not None and o.ok for u in r.urls]


class _Before:
    """Keeps only the entries before the refresh that match a target (few), and the oldest
    time seen, for the before figures: never the whole window."""

    def __init__(self, domain: str, targets: list[tuple[str, str]], start_ns: int) -> None:
        self.domain = domain
        self.start_ns = start_ns
        self.keys = [(k, match_key(u, domain)) for k, u in targets]
        self.matched: list[LogEntry] = []
        self.oldest: int | None = None

    def take(self, e: LogEntry) -> None:
        self.oldest = e.time_ns if self.oldest is None else min(self.oldest, e.time_ns)
        key = match_key(e.url, self.domain)
        if any(key.startswith(k) if kind == "directory" else key == k for kind, k in self.keys):
            self.matched.append(e)


async def watch(ctx: Context, domain: str, sub: Submission, watch_s: float) -> PurgeTracker:
    """Follow the log for `watch_s` after the refresh; the tracker holds the verdicts."""
    s = ctx.settings
    targets = targets_of(sub)
    sent = [t for t in sub.sent_s if t is not None]
    start_ns = int((min(sent) if sent else time.time()) * NS)
    tracker = PurgeTracker(window_s=watch_s, needed=s.verify_requests)
    before = _Before(domain, targets, start_ns)
    track: list[Track] = []

    def emit(entries: list[LogEntry]) -> None:
        after = []
        for e in entries:
            if e.time_ns < start_ns and not track:
                before.take(e)
            else:
                after.append(e)
        if after and not track:
            track.append(_start(tracker, domain, sub, targets, start_ns, before))
        if after:
            tracker.feed(domain, after)

    on_state = _reporter(ctx)
    print(f"s4top: watching the log of {domain} for {format_wait(watch_s)} "
          f"({len(targets)} refreshed entries)", file=sys.stderr, flush=True)
    async with ctx.cli_client(retry=RetryPolicy(attempts=1)) as client:

        async def fetch(start: int, limit: int) -> list[LogEntry]:
            return await client.logs_page(domain, start, "ALL", limit)

        lookback = int(min(BEFORE_S, watch_s) * NS)
        tail = LogTail(fetch, LogCursor(start_ns - lookback, limit=1000),
                       poll_interval_s=min(s.poll_interval, max(0.2, watch_s / 4)),
                       delay_ns=int(s.tail_delay * NS), backoff_base_s=s.backoff_base,
                       backoff_cap_s=s.backoff_cap, slow_backoff_base_s=s.auth_backoff)
        task = asyncio.ensure_future(tail.run(emit, on_state))
        until = start_ns / NS + watch_s
        try:
            await asyncio.wait_for(asyncio.shield(task), max(0.0, until - time.time()))
        except TimeoutError:
            pass
        finally:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - ended on purpose
                pass
    if not track:
        _start(tracker, domain, sub, targets, start_ns, before)
    tracker.tick(int(until * NS))
    return tracker


def _reporter(ctx: Context) -> Callable[[TailState], None]:
    """The tail's errors and recovery, said on stderr (as `logs --follow` does)."""
    failing = [False]

    def on_state(state: TailState) -> None:
        if not state.ok and state.error is not None:
            wait = (f"; retrying in {format_wait(state.retry_in_s)}"
                    if state.retry_in_s is not None else "")
            print(f"s4top: {describe_error(state.error, ctx)}{wait}", file=sys.stderr,
                  flush=True)
            failing[0] = True
        elif failing[0]:
            print("s4top: connection recovered", file=sys.stderr, flush=True)
            failing[0] = False

    return on_state


def _start(tracker: PurgeTracker, domain: str, sub: Submission, targets: list[tuple[str, str]],
           start_ns: int, before: _Before) -> Track:
    tr = tracker.track(domain, targets, start_ns, submission_id(domain, round(sub.started_s, 3)),
                       before=before.matched)
    span = (start_ns - before.oldest) / NS if before.oldest is not None else 0.0
    for f in (tr.before, *(t.before for t in tr.targets)):
        f.span_s = span
    return tr


def _pct(share: Any) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def print_verdicts(tracker: PurgeTracker, as_json: bool, out: TextIO | None = None) -> None:
    """The verdict table (stdout), or one JSON object per entry."""
    out = out or sys.stdout
    for tr in tracker.tracks:
        rows = tracker.rows(tr)
        if as_json:
            for row in rows:
                print(json.dumps(row, ensure_ascii=False, separators=(",", ":")), file=out,
                      flush=True)
            continue
        width = max(len(r["words"]) for r in rows)
        print(f"{'verdict':<{width}}  requests  4XX before->after  5XX before->after  entry",
              file=out)
        for r in rows:
            b, a = r["before"], r["after"]
            err4 = f"{_pct(b['share_4xx'])}->{_pct(a['share_4xx'])}"
            err5 = f"{_pct(b['share_5xx'])}->{_pct(a['share_5xx'])}"
            extra = (f"  ({r['urls_missed']}/{r['urls_seen']} URLs missed)"
                     if "urls_seen" in r else "")
            print(f"{r['words']:<{width}}  {r['requests']:>8}  {err4:>17}  {err5:>17}  "
                  f"{inert(r['url'], 2100)}{extra}", file=out, flush=True)
        if any(r["verdict"] == "cannot_tell" for r in rows):
            reason = next(r["reason"] for r in rows if "reason" in r)
            print(f"note: cannot tell: {reason}", file=out, flush=True)
