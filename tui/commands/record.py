"""`s4top record -o FILE.db`: keep an incident in an SQLite file (schema: tui/recording/schema.py).

The log entries of each domain are read through the concurrent slices (tui/core/slices.py)
and stored in batches by `RecordingWriter` (tui/recording/writer.py), each batch committed
with the domain's high-water mark by a process of its own beside the reading
(tui/recording/committer.py); then the series of the recorded range, the refreshes of
the history file made meanwhile and the metadata. Running it again on the same file
continues from the stored marks (a new `--since`/`--start` does not move a domain already
recorded). `--follow` goes on with the live tail until Ctrl-C or SIGTERM; a SIGKILL loses at
most the batches not yet handed to the commit process, which the next run reads again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tui import __version__
from tui.api.domain import InvalidDomain, validate_domain
from tui.api.errors import ApiError
from tui.api.retry import RetryPolicy
from tui.commands.logs import (
    _stop_on_signals,
    add_codes_argument,
    add_long_read_arguments,
    anonymizing,
    cli_state_printer,
    concurrency_of,
    given_start,
    slice_reader,
)
from tui.commands.progress import ProgressLine
from tui.context import Context, UsageError, describe_error
from tui.core.anonymize import anonymize_entries
from tui.core.cursor import LogCursor, clamp_start
from tui.core.files import HistoryStore
from tui.core.longlived import streaming_collection
from tui.core.models import LogEntry, Metric
from tui.core.progress import ProgressFigures
from tui.core.sanitize import inert
from tui.core.slices import SlicedRead
from tui.core.statuscodes import ALL, CodeSelection, CodesError, parse_codes
from tui.core.tail import LogTail
from tui.core.units import parse_duration
from tui.recording.schema import RecordingError
from tui.recording.writer import RecordingWriter

NS = 1_000_000_000
FOLLOW_COMMIT_S = 1.0


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="FILE.db",
                   help="the recording (created 0600, or continued where it stopped)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--since", metavar="DURATION",
                      help="start this long ago, e.g. 15m, 1h, 3d (default 1h)")
    when.add_argument("--start", metavar="NS", type=int,
                      help="start at this Unix time in nanoseconds")
    # --until is a shared option (tui/cli.py): here the end of the range recorded
    p.add_argument("-f", "--follow", action="store_true",
                   help="keep recording new entries until Ctrl-C")
    # repeatable here; the shared --domain (one value) still works before the subcommand
    _drop_shared_option(p, "--domain")
    p.add_argument("--domain", metavar="D", action="append", dest="record_domains",
                   help="a CDN domain to record (repeat for several; default: the configured "
                        "domains, or those of the file being continued)")
    add_long_read_arguments(p)
    add_codes_argument(p)
    p.set_defaults(codes=None)  # not given: ALL, or the selection of the file continued


def _drop_shared_option(p: argparse.ArgumentParser, option: str) -> None:
    """Take a shared option out of this subparser only (the action object is shared with
    the other subcommands, so it is unlinked here rather than changed)."""
    action = p._option_string_actions.pop(option, None)
    if action is None:
        return
    if action in p._actions:
        p._actions.remove(action)
    for group in p._action_groups:
        if action in group._group_actions:
            group._group_actions.remove(action)


def parse_until(text: str, now_ns: int) -> int:
    """Unix nanoseconds, an ISO time, or a duration ago (`30m`, `-30m`)."""
    raw = text.strip()
    if raw.isdigit():
        return int(raw)
    try:
        return now_ns - parse_duration(raw.removeprefix("-")) * NS
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"--until: cannot read {inert(text, 40)!r}; give Unix nanoseconds, "
                         "an ISO time (2026-12-01T13:00) or a duration ago (30m)") from None
    return int(when.timestamp() * NS)


def _range(args: argparse.Namespace, now: int) -> tuple[int, int]:
    start = given_start(args, now, "1h")
    given_until = getattr(args, "until", None)
    until = now if given_until is None else parse_until(given_until, now)
    if args.follow and given_until is not None:
        raise UsageError("--until and --follow do not go together (follow ends with Ctrl-C)")
    if until > now:
        until = now
    if start > until:
        raise UsageError("the start time is after the end (--until)")
    start, warning = clamp_start(start, now)
    if warning:
        print(f"s4top: warning: {warning}", file=sys.stderr)
    return start, until


def _domains(ctx: Context, args: argparse.Namespace, writer: RecordingWriter) -> list[str]:
    if args.record_domains:
        out = []
        for d in args.record_domains:
            try:
                out.append(validate_domain(d))
            except InvalidDomain as exc:
                raise UsageError(f"invalid domain {inert(d, 100)!r}: {exc}") from None
        return list(dict.fromkeys(out))
    import json

    known = writer.meta().get("domains")
    if known:
        return list(json.loads(known))
    if ctx.settings.origins.get("domain") == "command line":
        return [ctx.domain]  # `s4top --domain D record`
    return [ctx.domain, *[d for d in ctx.domains if d != ctx.domain]]


async def run(ctx: Context, args: argparse.Namespace) -> int:
    concurrency = concurrency_of(ctx, args)
    now = time.time_ns()
    start, until = _range(args, now)
    path = Path(args.output)
    try:
        writer = RecordingWriter.open(path, apart=True)  # batches committed beside the reading
    except RecordingError as exc:
        raise UsageError(str(exc)) from None
    try:
        domains = _domains(ctx, args, writer)
        session = _Session(ctx, args, writer, domains, concurrency, _cut_ips(ctx, args, writer),
                           _codes(args, writer))
        code = await session.record(start, until)
        writer.close()  # the last batches in: one that failed raises here, not in silence
        return code
    except (sqlite3.Error, OSError) as exc:
        print(f"s4top: cannot write {inert(str(path), 200)}: {exc}", file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(sqlite3.Error, OSError):
            writer.close()


def _cut_ips(ctx: Context, args: argparse.Namespace, writer: RecordingWriter) -> bool:
    """Anonymize when asked, and always when continuing a file recorded so; never mix."""
    stored = writer.meta().get("client_ip")
    asked = anonymizing(ctx, args)
    if stored == "full" and asked:
        raise UsageError(f"{inert(str(writer.path), 200)} holds full client IPs; "
                         "--anonymize-ip would mix them with cut ones (record to a new file)")
    return asked or stored == "anonymized"


def _codes(args: argparse.Namespace, writer: RecordingWriter) -> CodeSelection:
    """The `--codes` selection, and always the one of a file being continued: a file holds
    one selection from start to end, or it could not say what it is missing."""
    stored_text = writer.meta().get("codes")
    try:
        stored = parse_codes(stored_text) if stored_text is not None else None
    except CodesError:
        raise UsageError(f"{inert(str(writer.path), 200)} holds an unreadable codes "
                         f"selection {inert(stored_text, 40)!r}") from None
    if stored is None and writer.meta().get("range_start_ns") is not None:
        stored = ALL  # recorded before --codes: everything
    asked: CodeSelection | None = args.codes
    if stored is not None and asked is not None and asked != stored:
        raise UsageError(f"{inert(str(writer.path), 200)} holds --codes {stored.label()}; "
                         f"--codes {asked.label()} would mix selections (record to a new file)")
    return asked or stored or ALL


async def _settle(future: asyncio.Future[Any] | None) -> None:
    """Cancel `future` if it is still running and wait until it has ended, quietly."""
    if future is None:
        return
    if not future.done():
        future.cancel()
    with contextlib.suppress(BaseException):
        await future


class _Session:
    """One run of `record`: the domains, the writer, the progress line."""

    def __init__(self, ctx: Context, args: argparse.Namespace, writer: RecordingWriter,
                 domains: list[str], concurrency: int, cut_ips: bool,
                 codes: CodeSelection = ALL) -> None:
        self.ctx = ctx
        self.args = args
        self.writer = writer
        self.domains = domains
        self.concurrency = concurrency
        self.cut_ips = cut_ips
        self.codes = codes
        self.readers: list[SlicedRead] = []
        self.began = time.monotonic()
        self.start = self.until = 0
        self.progress = ProgressLine(self._figures, utc=ctx.settings.utc, quiet=args.quiet)

    def _figures(self) -> ProgressFigures:
        reached = min((r.reached_ns for r in self.readers), default=self.start)
        return ProgressFigures(self.writer.stored + self.writer.pending,
                               time.monotonic() - self.began, reached, self.start, self.until)

    async def record(self, start: int, until: int) -> int:
        recorded_from = self.writer.meta().get("range_start_ns")
        if recorded_from is not None:  # continuing: the file's start holds, for new domains too
            if self.args.since is not None or self.args.start is not None:
                self.progress.clear()
                print(f"s4top: {inert(str(self.writer.path), 200)} is continued from where it "
                      "stopped; --since/--start are not used", file=sys.stderr)
            start = clamp_start(min(int(recorded_from), until), time.time_ns())[0]
        self.start, self.until = start, until
        for d in self.domains:
            self.writer.begin(d, start)
        self.writer.write_meta(self.domains, start, until, __version__, self.ctx.api_base,
                               self.cut_ips, self.codes.label())
        end = until
        async with self.ctx.cli_client(retry=RetryPolicy(attempts=1)) as client:
            # the series of a fixed range are independent of the log entries: asked now,
            # beside the slices, and stored after them as before (the same file)
            series = None if self.args.follow else self._ask_series(client, until)
            try:
                try:
                    async with self.progress.running():
                        if self.args.follow:
                            with _stop_on_signals():
                                with contextlib.suppress(asyncio.CancelledError):
                                    await asyncio.gather(
                                        *(self._domain(client, d, until) for d in self.domains))
                            end = time.time_ns()
                        else:
                            with _stop_on_signals():
                                try:
                                    for d in self.domains:
                                        await self._domain(client, d, until)
                                except asyncio.CancelledError:
                                    # Ctrl-C or SIGTERM: what was read is committed below
                                    # and the file closed; the next run reads the rest
                                    return 0
                finally:
                    self.writer.commit()
                    self.progress.finish()
                await self._extras(client, end, series)
            finally:
                # whatever ended the read (a full disk, a signal, an error), the series
                # requests end here, before the client closes: none is left to the loop's
                # shutdown, which would print its cancelled request's traceback
                await _settle(series)
        return 0

    async def _domain(self, client, domain: str, until: int) -> None:
        """Catch up from the stored mark to `until` through the slices; with --follow,
        go on with the live tail from where the slices stopped."""
        writer = self.writer
        mark = writer.progress(domain)
        assert mark is not None
        t, k = mark.resume_at()
        if t <= until:
            reader = slice_reader(self.ctx, client, domain, t, until, self.codes, 1000,
                                  self.concurrency, skip_at_start=k)
            if self.args.follow:  # follow never gives up; auth errors are retried slowly
                reader.max_failures = None
                reader.slow_backoff_base_s = self.ctx.settings.auth_backoff
            self.readers.append(reader)
            with streaming_collection():
                await reader.run(lambda es: self._store(domain, es),
                                 cli_state_printer(self.ctx, self.progress.clear))
            writer.covered(domain, until)
            writer.commit()
        if self.args.follow:
            await self._follow(client, domain)

    async def _follow(self, client, domain: str) -> None:
        s = self.ctx.settings
        writer = self.writer
        mark = writer.progress(domain)
        assert mark is not None
        t, k = mark.resume_at()
        delay_ns = int(s.tail_delay * NS)

        async def fetch(start_ns: int, limit: int) -> list[LogEntry]:
            asked = time.time_ns()
            page = await client.logs_page(domain, start_ns, self.codes.request_class, limit)
            if len(page) < limit:
                writer.covered(domain, asked - delay_ns)  # committed with the next batch
            return page

        def store(entries: list[LogEntry]) -> None:
            self._store(domain, entries)
            writer.commit()  # a batch per page: a SIGKILL loses at most this one

        tail = LogTail(fetch, LogCursor.resume(t, k), poll_interval_s=s.poll_interval,
                       delay_ns=delay_ns, backoff_base_s=s.backoff_base,
                       backoff_cap_s=s.backoff_cap, slow_backoff_base_s=s.auth_backoff)
        ticker = asyncio.ensure_future(self._commit_every(FOLLOW_COMMIT_S))
        try:
            await tail.run(store, cli_state_printer(self.ctx, self.progress.clear))
        finally:
            ticker.cancel()

    def _store(self, domain: str, entries: list[LogEntry]) -> None:
        """Keep the selected entries; the mark moves over all that were delivered."""
        kept = self.codes.keep(entries)
        self.writer.add(domain, anonymize_entries(kept) if self.cut_ips else kept, entries)

    async def _commit_every(self, seconds: float) -> None:
        """Coverage moves without entries too (a quiet domain): commit it now and then."""
        while True:
            await asyncio.sleep(seconds)
            self.writer.commit()

    def _ask_series(self, client, end: int) -> asyncio.Future[list[list[Any]]]:
        """Every domain's four series of the recorded range at once: per domain, per metric,
        the series or the error it met (`_extras` stores them in that order)."""
        start = int(self.writer.meta().get("range_start_ns", self.start))

        async def one(d: str) -> list[Any]:
            return await asyncio.gather(
                *(client.series(d, m, start // NS, end // NS, "hourly") for m in Metric),
                return_exceptions=True)

        return asyncio.ensure_future(asyncio.gather(*(one(d) for d in self.domains)))

    async def _extras(self, client, end: int,
                      asked: asyncio.Future[list[list[Any]]] | None = None) -> None:
        """The series and refreshes of the recorded range, and the metadata."""
        writer = self.writer
        meta = writer.meta()
        start = int(meta.get("range_start_ns", self.start))
        got = await (asked or self._ask_series(client, end))
        for d, answers in zip(self.domains, got, strict=True):
            series = []
            for answer in answers:  # in Metric order, up to the first error (as asked one by one)
                if isinstance(answer, ApiError):
                    self.progress.clear()
                    print(f"s4top: warning: series of {d} not recorded: "
                          f"{describe_error(answer, self.ctx)}", file=sys.stderr)
                    break
                if isinstance(answer, BaseException):
                    raise answer
                series.append(answer)
            writer.write_series(d, series)
        history = HistoryStore(self.ctx.data_dir / "history.jsonl").read()
        writer.write_refreshes(history, self.domains, start, end)
        writer.write_meta(self.domains, start, end, __version__, self.ctx.api_base,
                          self.cut_ips, self.codes.label())
