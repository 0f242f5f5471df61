"""`s4top refresh`: validate everything first, show the plan, confirm, send, report each request.

Nothing is sent unless every entry is valid and the user said yes (`--yes`, or `y` typed on
the terminal: the question goes to /dev/tty, so a URL list can come on stdin). Every
submission is one line in the history file, failures and unknown outcomes included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import select
import sys
import time
from typing import Any, BinaryIO, TextIO

from tui.context import Context, UsageError, describe_error, format_wait, print_retrying
from tui.core.files import HistoryStore
from tui.core.sanitize import inert
from tui.refresh.lines import plan_lines, scope_warnings
from tui.refresh.pacing import Pacer
from tui.refresh.plan import RefreshKind, RefreshRequest
from tui.refresh.sender import Refresher, RefreshEvent, Submission, recent_sends

EXIT_OK, EXIT_API, EXIT_USAGE = 0, 1, 2


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("urls", nargs="*", metavar="URL",
                   help="URLs or directories; '-' reads stdin; 'url '/'dir ' prefixes set the type")
    p.add_argument("-f", "--file", metavar="FILE",
                   help="entries from FILE ('-': stdin), one a line ('#' comments, 'url '/'dir ' "
                        "prefixes)")
    p.add_argument("--directory", action="store_true",
                   help="entries without a prefix are directories (they end with '/')")
    p.add_argument("--dry-run", action="store_true",
                   help="validate and show the plan; send nothing")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--watch", metavar="DURATION", type=_duration, default=None,
                   help="after the refresh is accepted, follow the log this long (2m) and "
                        "print whether each entry was purged")
    p.add_argument("--json", action="store_true",
                   help="with --watch: the verdicts as JSON Lines, one object per entry")


def _duration(text: str) -> float:
    from tui.core.units import parse_duration

    try:
        seconds = float(parse_duration(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text[:40]!r} (e.g. 90s, 2m)") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("the watch must last longer than 0s")
    return seconds


def history_store(ctx: Context) -> HistoryStore:
    return HistoryStore(ctx.data_dir / "history.jsonl")  # the dashboard's too (tui/app.py)


def _lines(data: bytes) -> list[str]:
    """Split on newlines only (not on U+2028 or U+001C, which must be reported, not split on);
    invalid UTF-8 survives as surrogates and is then refused with its position."""
    text = data.decode("utf-8", errors="surrogateescape")
    return [line.removesuffix("\r") for line in text.split("\n")]


def _read_entries(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Every entry line and, in step, where it came from (for the error list)."""
    lines: list[str] = []
    where: list[str] = []
    urls = list(args.urls)
    if args.file == "-":  # `-f -` is the usual spelling of stdin: the same as the `-` argument
        args.file = None
        urls.append("-")
    if "-" in urls:
        urls = [u for u in urls if u != "-"]
        got = _lines(sys.stdin.buffer.read())
        lines.extend(got)
        where.extend(f"stdin line {i}" for i in range(1, len(got) + 1))
    if args.file:
        try:
            with open(args.file, "rb") as f:
                got = _lines(f.read())
        except OSError as exc:
            raise UsageError(f"cannot read {inert(args.file, 200)}: {exc.strerror}") from None
        lines.extend(got)
        where.extend(f"{inert(args.file, 100)} line {i}" for i in range(1, len(got) + 1))
    lines.extend(urls)
    where.extend(f"argument {i}" for i in range(1, len(urls) + 1))
    return lines, where


def _confirm(question: str) -> bool:
    """Ask on the terminal, even when stdin carries the URL list.

    Unbuffered bytes: a buffered read-write text file would need a seekable file, which a
    terminal is not (the question could then never be asked)."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        raise UsageError(
            "cannot ask for confirmation without a terminal: pass --yes to send"
        ) from None
    with open(fd, "r+b", buffering=0) as tty:
        tty.write(question.encode("utf-8", errors="replace"))
        answer = _read_line(tty).decode("utf-8", errors="replace")
    return answer.strip().lower() in ("y", "yes")


def _read_line(tty: BinaryIO, limit: int = 100) -> bytes:
    """A line typed on the terminal. Waits in short selects, not one blocking read: a Ctrl-C
    that lands between the question's write and the read would otherwise set Python's signal
    flag without interrupting the read, and the prompt would hang instead of cancelling."""
    line = b""
    while len(line) < limit and not line.endswith(b"\n"):
        ready, _, _ = select.select([tty], [], [], 0.25)  # Python checks signals in between
        if ready:
            byte = tty.read(1)
            if not byte:  # the terminal closed
                break
            line += byte
    return line


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def run(ctx: Context, args: argparse.Namespace) -> int:
    """Synchronous up to the question (so Ctrl-C at the prompt cancels at once), then sends.
    With `--watch --json` stdout carries the verdicts alone: the rest goes to stderr."""
    out = sys.stdout
    if getattr(args, "json", False) and getattr(args, "watch", None) is not None:
        with contextlib.redirect_stdout(sys.stderr):
            return _run(ctx, args, out)
    return _run(ctx, args, out)


def _run(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    watch_s = _checked_options(ctx, args)
    lines, where = _read_entries(args)
    kind = RefreshKind.DIRECTORY if args.directory else RefreshKind.URL
    domain = ctx.domain
    plan = plan_lines(lines, kind, domain)
    if plan.problems:
        print(
            f"s4top: {_plural(len(plan.problems), 'invalid entry', 'invalid entries')}; "
            "nothing was sent:",
            file=sys.stderr,
        )
        for p in plan.problems:
            print(f"  {where[p.line_no - 1]}: {inert(p.text, 200)}: {p.reason}", file=sys.stderr)
        return EXIT_USAGE
    if not plan.requests:
        raise UsageError("no entries to refresh (give URLs, -f FILE or '-')")
    _print_plan(plan, where)
    # the refresh modal's confirmation words: what a directory or a large batch reaches
    scope = [inert(w, 600) for w in scope_warnings(plan)]
    asking = not args.dry_run and not args.yes
    if not (asking and sys.stderr.isatty()):  # on a terminal the question itself names them
        for w in scope:
            print(f"s4top: warning: {w}", file=sys.stderr)
    if args.dry_run:
        return EXIT_OK
    ctx.token.read()  # no token: say so before asking anything
    if not args.yes and not _confirmed(scope, len(plan.requests), domain):
        print("s4top: cancelled; nothing was sent", file=sys.stderr)
        return EXIT_USAGE
    store = history_store(ctx)
    try:
        sub = asyncio.run(_send(ctx, domain, plan.requests, store))
    except KeyboardInterrupt:
        print(
            f"s4top: interrupted; what was sent is recorded in {store.path}", file=sys.stderr
        )
        return EXIT_API
    code = _report(sub, len(plan.entries), len(plan.requests), store.path)
    return _watch(ctx, domain, sub, watch_s, args, code, out)


def _checked_options(ctx: Context, args: argparse.Namespace) -> float | None:
    """The options that refuse each other (or read-only mode); the --watch span."""
    if ctx.settings.readonly:
        raise UsageError(
            "refresh is disabled: read-only mode is on "
            f"(from {ctx.settings.origins['readonly']})"
        )
    watch_s = getattr(args, "watch", None)
    if getattr(args, "json", False) and watch_s is None:
        raise UsageError("--json needs --watch (the verdicts are what it prints)")
    if watch_s is not None and args.dry_run:
        raise UsageError("--watch needs a refresh to send: not with --dry-run")
    return watch_s


def _print_plan(plan: Any, where: list[str]) -> None:
    """The notes (on stderr, naming the input), then the requests as they will be sent."""
    for note in plan.notes:
        # plan notes count lines over all inputs together; name the input instead
        text = note
        if note.startswith("line "):
            num, _, rest = note[5:].partition(":")
            if num.isdigit() and 0 < int(num) <= len(where):
                text = f"{where[int(num) - 1]}:{rest}"
        print(f"s4top: note: {inert(text, 300)}", file=sys.stderr)
    n = len(plan.entries)
    dup = (
        f" ({_plural(plan.duplicates, 'duplicate', 'duplicates')} folded)"
        if plan.duplicates else ""
    )
    print(
        f"plan: {_plural(n, 'entry', 'entries')} -> "
        f"{_plural(len(plan.requests), 'request', 'requests')} of at most 20{dup}"
    )
    for i, r in enumerate(plan.requests, 1):
        print(f"  request {i}: {r.kind.value} x{len(r.urls)}")
        for u in r.urls:
            print(f"    {inert(u, 2100)}")


def _confirmed(scope: list[str], requests: int, domain: str) -> bool:
    ask = "".join(f"warning: {w}\n" for w in scope)
    n_req = _plural(requests, "refresh request", "refresh requests")
    try:
        return _confirm(f"{ask}send {n_req} to {domain}? [y/N] ")
    except KeyboardInterrupt:
        return False


def _report(sub: Submission, entries: int, requests: int, history: Any) -> int:
    """What the CDN answered, one line; the exit code of the refresh."""
    unknown = sub.unknown_indices()
    failed = [i for i in sub.failed_indices() if i not in unknown]
    if failed or unknown:
        parts = []
        if failed:
            parts.append(f"{len(failed)} failed")
        if unknown:
            parts.append(
                f"{len(unknown)} with unknown outcome (sent, no answer: check, then retry)"
            )
        print(
            f"s4top: of {_plural(requests, 'request', 'requests')}, "
            f"{' and '.join(parts)}; recorded in {history}",
            file=sys.stderr,
        )
        return EXIT_API
    print(
        f"done: {_plural(entries, 'entry', 'entries')} accepted by the CDN "
        "(accepted, not yet purged everywhere)", flush=True
    )
    return EXIT_OK


def _watch(ctx: Context, domain: str, sub: Submission, watch_s: float | None,
           args: argparse.Namespace, code: int, out: TextIO) -> int:
    """--watch: the verdicts of what was accepted; the exit code stays the refresh's."""
    from tui.commands.refresh_watch import print_verdicts, targets_of, watch

    if watch_s is None or not targets_of(sub):
        return code
    try:
        tracker = asyncio.run(watch(ctx, domain, sub, watch_s))
    except KeyboardInterrupt:
        print("s4top: watch interrupted; the refresh itself was sent", file=sys.stderr)
        return code
    print_verdicts(tracker, bool(getattr(args, "json", False)), out)
    return code


async def _send(
    ctx: Context, domain: str, requests: list[RefreshRequest], store: HistoryStore
) -> Submission:
    total = len(requests)

    def on_event(ev: RefreshEvent) -> None:
        if ev.phase == "waiting":
            print(
                f"s4top: waiting {format_wait(ev.wait_s)} before request {ev.index + 1}: "
                f"{ev.detail}",
                file=sys.stderr,
                flush=True,
            )
        elif ev.phase == "retrying":  # retries are never silent
            print_retrying(ev.detail, ev.wait_s)
        elif ev.phase == "done" and ev.outcome is not None:
            o = ev.outcome
            state = "ok" if o.ok else (
                "UNKNOWN (sent, no answer; check and retry)" if o.unknown else "FAILED"
            )
            status = o.status if o.status is not None else "-"
            print(
                f"request {ev.index + 1}/{total}: {state}  HTTP {status}  "
                f"{o.latency_s * 1000:.0f} ms  {inert(o.message, 200)}",
                flush=True,
            )

    s = ctx.settings
    pacer = Pacer(s.refresh_limit, s.refresh_window)
    # the vendor's window spans processes: count what earlier runs sent
    pacer.seed(recent_sends(store.read(limit=2000)), time.time())
    async with ctx.cli_client() as client:
        refresher = Refresher(client, store, pacer, describe=describe_error)
        sub = await refresher.submit(domain, requests, on_event)
    if refresher.unwritten:  # the refresh was sent and is reported; only its record is missing
        print(f"s4top: warning: the history line could not be written to {store.path} "
              f"({refresher.history_error}); the result above is not recorded",
              file=sys.stderr, flush=True)
    return sub
