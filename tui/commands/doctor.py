"""`s4top doctor`: call each read endpoint once, show status, latency, whether the shape was
recognised, and a redacted excerpt of the raw body, so a user can report the real shapes;
then what the answers say about the API (clock skew, zone of series times, cursor, page
size; with `--lateness` the indexing delay: tui/commands/doctor_findings.py)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import tzinfo

from tui.api.errors import ApiError, AuthError
from tui.api.parse import parse_logs, parse_series
from tui.api.redact import excerpt
from tui.commands import doctor_findings as findings
from tui.context import Context, UsageError
from tui.core.models import Metric
from tui.core.timezones import parse_timezone
from tui.core.units import parse_duration

EXIT_OK, EXIT_API, EXIT_AUTH = 0, 1, 3


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bytes", type=int, default=2048,
                   help="how much of each body to show (default 2048)")
    p.add_argument("--lateness", metavar="DURATION", default=None,
                   help="also measure late indexing: read the live edge, re-read it for this "
                        "long (e.g. 2m) and say which tail_delay would have caught what came late")


def _recognised(kind: str, body: bytes, endpoint: str, secrets: list[str],
                tz: tzinfo) -> str:
    try:
        obj = json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return "no (not JSON)"
    try:
        if kind == "logs":
            n = len(parse_logs(obj, endpoint, secrets=secrets, tz=tz))
            return f"yes ({n} entries)"
        s = parse_series(obj, Metric(kind), "hourly", endpoint, secrets=secrets, tz=tz)
        return f"yes ({len(s.points)} points)"
    except AuthError as exc:  # a refused token inside HTTP 200
        return f"no, refused ({excerpt(exc.message, secrets, 120)})"
    except ApiError as exc:
        return f"no ({excerpt(exc.message, secrets, 120)})"


def _lateness_s(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        seconds = float(parse_duration(text))
    except ValueError as exc:
        raise UsageError(f"--lateness: {exc}") from None
    if not 1 <= seconds <= 1800:
        raise UsageError("--lateness must be between 1s and 30m")
    return seconds


async def run(ctx: Context, args: argparse.Namespace) -> int:
    if not 1 <= args.bytes <= 1_000_000:
        raise UsageError("--bytes must be between 1 and 1000000")
    wait_s = _lateness_s(args.lateness)
    zone_name = ctx.settings.api_timezone
    tz = parse_timezone(zone_name)
    domain = ctx.domain
    now = int(time.time())
    token = ctx.token.read()
    checks: list[tuple[str, str, dict]] = [
        (m.value, f"/cdn/data/{domain}/{m.value}",
         {"start_time": now - 86400, "end_time": now, "period": "hourly"})
        for m in Metric
    ]
    checks.append(("logs", f"/cdn/data/{domain}/logs",
                   {"start_time": (now - 300) * 1_000_000_000, "codes": "ALL", "limit": 5}))
    print(f"s4top doctor: {ctx.api_base}  domain {domain}  token from {ctx.token.description}")
    timed: list[findings.Timed] = []
    async with ctx.cli_client() as client:
        results = []
        for kind, path, params in checks:
            try:
                raw = await client.raw_get(path, params)
            except ApiError as exc:
                results.append((kind, path, exc))
                continue
            received = time.time()
            timed.append(findings.Timed(kind, raw, received - raw.latency_s, received))
            results.append((kind, path, raw))
        worst = _print_answers(results, token, args.bytes, tz)
        if worst == EXIT_OK:
            await _print_findings(ctx, client, timed, zone_name, wait_s)
    return _verdict(worst, ctx)


async def _print_findings(ctx: Context, client, timed: list[findings.Timed], zone_name: str,
                          wait_s: float | None) -> None:
    """What the answers say about the API; a failure here is one line, never an exit 1."""
    print("\n== findings")
    for line, _warning in findings.series_lines(timed, zone_name, time.time()):
        print(f"   {line}")
    try:
        for line in await findings.paging_lines(client, ctx.domain):
            print(f"   {line}")
        if wait_s is not None:
            print(f"   lateness: watching the live edge for {wait_s:g}s ...", flush=True)
            print(f"   {await findings.lateness_line(client, ctx.domain, wait_s)}")
    except ApiError as exc:
        print(f"   paging: could not be probed: {excerpt(str(exc), [ctx.token.read()], 300)}")


def _print_answers(results: list, token: str, limit: int, tz: tzinfo) -> int:
    worst = EXIT_OK
    for kind, path, resp in results:
        if isinstance(resp, ApiError):
            exc = resp
            print(f"\n== {kind}: FAILED: {excerpt(str(exc), [token], 400)}")
            worst = max(worst, EXIT_API)
            continue
        shape = _recognised(kind, resp.body, path, [token], tz) if resp.status == 200 else "n/a"
        print(f"\n== {kind}: HTTP {resp.status}  {resp.latency_s * 1000:.0f} ms  "
              f"{len(resp.body)} bytes  recognised: {shape}")
        ctype = resp.headers.get("content-type", "?")
        print(f"   content-type: {excerpt(ctype, [token], 100)}")
        print("   " + excerpt(resp.body, [token], limit))
        if resp.status in (401, 403) or shape.startswith("no, refused"):
            worst = EXIT_AUTH
        elif resp.status != 200 or shape.startswith("no"):
            worst = max(worst, EXIT_API) if worst != EXIT_AUTH else worst
    return worst


def _verdict(worst: int, ctx: Context) -> int:
    if worst == EXIT_AUTH:
        print("s4top: the API refused the token: check BITIFUL_API_TOKEN or --token-file "
              f"(token from {ctx.token.description})", file=sys.stderr)
    elif worst != EXIT_OK:
        print("s4top: some endpoints failed or answered in a shape s4top does not know; "
              "see above", file=sys.stderr)
    return worst

