"""`s4top refresh`: validate everything first, show the plan, confirm, send, report each request."""

from __future__ import annotations

import argparse
import sys

from tui.config import data_dir
from tui.context import Context, UsageError
from tui.core.pacing import Pacer
from tui.core.refresh import RefreshKind, plan_refresh
from tui.core.sanitize import inert
from tui.refresher import Refresher, RefreshEvent, RequestSpec
from tui.store import HistoryStore

EXIT_OK, EXIT_API, EXIT_USAGE = 0, 1, 2


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("urls", nargs="*", metavar="URL", help="URLs (or directories); '-' reads them from stdin")
    p.add_argument("-f", "--file", metavar="FILE", help="read entries from FILE, one per line ('#' comments)")
    p.add_argument("--directory", action="store_true", help="refresh directories (entries end with '/')")
    p.add_argument("--dry-run", action="store_true", help="validate and show the plan; send nothing")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")


def history_store() -> HistoryStore:
    return HistoryStore(data_dir() / "history.jsonl")


def _read_entries(args: argparse.Namespace) -> list[str]:
    lines: list[str] = []
    urls = list(args.urls)
    if "-" in urls:
        urls.remove("-")
        lines.extend(sys.stdin.read().splitlines())
    if args.file:
        try:
            with open(args.file, encoding="utf-8", errors="surrogateescape") as f:
                lines.extend(f.read().splitlines())
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    lines.extend(urls)
    return lines


def _confirm(question: str) -> bool:
    """Ask on the terminal, even when stdin carries the URL list."""
    try:
        with open("/dev/tty", "r+", encoding="utf-8") as tty:
            tty.write(question)
            tty.flush()
            answer = tty.readline()
    except OSError:
        raise UsageError("cannot ask for confirmation without a terminal: pass --yes") from None
    return answer.strip().lower() in ("y", "yes")


async def run(ctx: Context, args: argparse.Namespace) -> int:
    if ctx.settings.readonly:
        raise UsageError(f"refresh is disabled: read-only mode is on ({ctx.settings.origins['readonly']})")
    lines = _read_entries(args)
    kind = RefreshKind.DIRECTORY if args.directory else RefreshKind.URL
    domain = ctx.domain
    plan = plan_refresh(lines, kind, domain)
    if plan.problems:
        print(f"s4top: {len(plan.problems)} invalid entr{'y' if len(plan.problems) == 1 else 'ies'}; nothing was sent:", file=sys.stderr)
        for p in plan.problems:
            print(f"  line {p.line_no}: {inert(p.text, 200)}: {p.reason}", file=sys.stderr)
        return EXIT_USAGE
    if not plan.requests:
        raise UsageError("no entries to refresh (give URLs, -f FILE or '-')")
    for note in plan.notes:
        print(f"s4top: note: {inert(note, 300)}", file=sys.stderr)
    n = len(plan.entries)
    dup = f" ({plan.duplicates} duplicate{'s' if plan.duplicates != 1 else ''} folded)" if plan.duplicates else ""
    print(f"plan: {n} entr{'y' if n == 1 else 'ies'} -> {len(plan.requests)} request{'s' if len(plan.requests) != 1 else ''} of at most 20{dup}")
    for i, r in enumerate(plan.requests, 1):
        print(f"  request {i}: {r.kind.value if hasattr(r.kind, 'value') else r.kind} x{len(r.urls)}")
        for u in r.urls:
            print(f"    {u}")
    if args.dry_run:
        return EXIT_OK
    if not args.yes and not _confirm(f"send {len(plan.requests)} refresh request(s) to {domain}? [y/N] "):
        print("s4top: cancelled; nothing was sent", file=sys.stderr)
        return EXIT_USAGE
    specs = [RequestSpec(kind=str(getattr(r.kind, "value", r.kind)), urls=list(r.urls)) for r in plan.requests]

    def on_event(ev: RefreshEvent) -> None:
        if ev.phase == "waiting":
            print(f"s4top: waiting {ev.wait_s:.0f}s before request {ev.index + 1}: {ev.detail}", file=sys.stderr)
        elif ev.phase == "done" and ev.outcome is not None:
            o = ev.outcome
            state = "ok" if o.ok else ("UNKNOWN (sent, no answer; check and retry)" if o.unknown else "FAILED")
            status = o.status if o.status is not None else "-"
            print(f"request {ev.index + 1}/{len(specs)}: {state}  HTTP {status}  {o.latency_s * 1000:.0f} ms  {inert(o.message, 200)}")

    def on_retry(endpoint: str, error: object, delay: float) -> None:
        print(f"s4top: retrying {endpoint} in {delay:.1f}s: {error}", file=sys.stderr)

    pacer = Pacer(ctx.settings.refresh_limit, ctx.settings.refresh_window)
    async with ctx.client(on_retry=on_retry) as client:
        sub = await Refresher(client, history_store(), pacer).submit(domain, specs, on_event)
    if not sub.ok:
        print(f"s4top: {len(sub.failed_indices())} of {len(specs)} request(s) did not succeed; see 's4top refresh' history", file=sys.stderr)
        return EXIT_API
    print(f"done: {n} entr{'y' if n == 1 else 'ies'} accepted by the CDN (accepted, not yet purged everywhere)")
    return EXIT_OK
