"""`s4top doctor`: call each read endpoint once, show status, latency, whether the shape was
recognised, and a redacted excerpt of the raw body, so a user can report the real shapes."""

from __future__ import annotations

import argparse
import json
import sys
import time

from tui.api.errors import ApiError
from tui.api.parse import parse_logs, parse_series
from tui.api.redact import excerpt
from tui.context import Context, UsageError
from tui.core.models import Metric

EXIT_OK, EXIT_API, EXIT_AUTH = 0, 1, 3


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bytes", type=int, default=2048,
                   help="how much of each body to show (default 2048)")


def _recognised(kind: str, body: bytes, endpoint: str, secrets: list[str]) -> str:
    try:
        obj = json.loads(body.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return "no (not JSON)"
    try:
        if kind == "logs":
            n = len(parse_logs(obj, endpoint, secrets=secrets))
            return f"yes ({n} entries)"
        s = parse_series(obj, Metric(kind), "hourly", endpoint, secrets=secrets)
        return f"yes ({len(s.points)} points)"
    except ApiError as exc:
        return f"no ({excerpt(exc.message, secrets, 120)})"


async def run(ctx: Context, args: argparse.Namespace) -> int:
    if not 1 <= args.bytes <= 1_000_000:
        raise UsageError("--bytes must be between 1 and 1000000")
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
    worst = EXIT_OK
    async with ctx.cli_client() as client:
        results = []
        for kind, path, params in checks:
            try:
                results.append((kind, path, await client.raw_get(path, params)))
            except ApiError as exc:
                results.append((kind, path, exc))
    for kind, path, resp in results:
        if isinstance(resp, ApiError):
            exc = resp
            print(f"\n== {kind}: FAILED: {excerpt(str(exc), [token], 400)}")
            worst = max(worst, EXIT_API)
            continue
        shape = _recognised(kind, resp.body, path, [token]) if resp.status == 200 else "n/a"
        print(f"\n== {kind}: HTTP {resp.status}  {resp.latency_s * 1000:.0f} ms  "
              f"{len(resp.body)} bytes  recognised: {shape}")
        ctype = resp.headers.get("content-type", "?")
        print(f"   content-type: {excerpt(ctype, [token], 100)}")
        print("   " + excerpt(resp.body, [token], args.bytes))
        if resp.status in (401, 403):
            worst = EXIT_AUTH
        elif resp.status != 200 or shape.startswith("no"):
            worst = max(worst, EXIT_API) if worst != EXIT_AUTH else worst
    if worst == EXIT_AUTH:
        print("s4top: the API refused the token: check BITIFUL_API_TOKEN or --token-file "
              f"(token from {ctx.token.description})", file=sys.stderr)
    elif worst != EXIT_OK:
        print("s4top: some endpoints failed or answered in a shape s4top does not know; "
              "see above", file=sys.stderr)
    return worst

