"""`s4top simulate`: serve the simulator until Ctrl-C.

The accepted token never comes from the command line: --token-file PATH wins, then the
S4TOP_SIM_TOKEN environment variable, else the public DEMO_TOKEN ("s4top-demo-token").
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .incidents import parse_spec as parse_incident
from .outage import parse_spec
from .purge import CACHED_ERROR_PATH
from .server import SimServer
from .simulator import DEMO_TOKEN, SimConfig

TOKEN_ENV = "S4TOP_SIM_TOKEN"
_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"^(?=.{{1,253}}$)({_LABEL}\.)*{_LABEL}$")


def _add(parser: argparse.ArgumentParser, *flags: str, **kw: Any) -> None:
    """Add an option unless the main CLI already shares one of that name (e.g. --domain)."""
    try:
        parser.add_argument(*flags, **kw)
    except argparse.ArgumentError:
        pass


def add_simulate_args(parser: argparse.ArgumentParser) -> None:
    _add(parser, "--host", default="127.0.0.1",
         help="address to listen on (default 127.0.0.1; controls answer loopback only)")
    _add(parser, "--port", type=int, default=8080, help="port (default 8080, 0 = any free)")
    _add(parser, "--rate", type=float, default=20.0,
         help="mean log entries per second per domain (default 20)")
    _add(parser, "--seed", type=int, default=7, help="random seed (default 7)")
    _add(parser, "--domain", action="append", default=None, metavar="DOMAIN",
         help="simulated CDN domain, repeatable (default cdn.example.com)")
    _add(parser, "--frozen", action="store_true",
         help="freeze the clock (move it with POST /_sim/clock)")
    _add(parser, "--start", type=int, default=None, metavar="NS",
         help="clock start, Unix nanoseconds (default now)")
    _add(parser, "--token-file", default=None, metavar="PATH",
         help=f"file holding the accepted token (else ${TOKEN_ENV}, else the demo token)")
    _add(parser, "--no-incidents", dest="incidents", action="store_false",
         help="no scheduled 5xx bursts or origin storms")
    _add(parser, "--outage", action="append", default=None, metavar="OFFSET,LENGTH[,PATH]",
         help="a sustained outage (25%% of requests 503 on one path, /api/session.json unless "
              "PATH) from OFFSET after the clock start (--outage=-5m,30m: already under way), "
              "repeatable")
    _add(parser, "--refill", type=int, default=2, metavar="N",
         help="after a refresh a URL misses on its first N requests (default 2; 0: for 300 s)")
    _add(parser, "--cached-error", action="store_true",
         help=f"{CACHED_ERROR_PATH} is cached as a 404 until it is refreshed")
    _add(parser, "--no-cache-status", action="store_true",
         help="log entries carry no cache status")
    _add(parser, "--no-purge", action="store_true",
         help="refreshes are accepted but purge nothing")
    _add(parser, "--replay", default=None, metavar="FILE.db",
         help="serve a recording (s4top record) instead of generating; its times are moved "
              "to the clock by the offset that GET /_sim/info states")
    _add(parser, "--at", default=None, metavar="TIME",
         help="with --replay: where the clock starts (14:02, -10m from the end, ISO; "
              "default the recording's start)")
    _add(parser, "--speed", default="1", metavar="N",
         help="with --replay: clock speed (default 1, 0 = paused)")
    _add(parser, "--incident", action="append", default=None, metavar="KIND,OFFSET,LENGTH",
         help="an incident with a known cause (4xx_flood, 5xx_wave, miss_storm) from OFFSET "
              "after the clock start for LENGTH (--incident=5xx_wave,-2m,20m), repeatable")


def _token(token_file: str | None) -> tuple[str, str]:
    """(token, where it came from); ValueError with a one-line reason."""
    if token_file:
        try:
            token = Path(token_file).expanduser().read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            reason = getattr(e, "strerror", None) or type(e).__name__
            raise ValueError(f"cannot read token file {token_file}: {reason}") from None
        if not token:
            raise ValueError(f"token file {token_file} is empty")
        return token, f"token from {token_file}"
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return env, f"token from ${TOKEN_ENV}"
    return DEMO_TOKEN, f"demo token {DEMO_TOKEN!r} (set ${TOKEN_ENV} or --token-file for another)"


def _domains(raw: Any) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else list(raw or [])
    out: list[str] = []
    for d in items:
        try:
            host = d.strip().rstrip(".").encode("idna").decode("ascii").lower()
        except UnicodeError:
            host = ""
        if not _HOST_RE.match(host):
            raise ValueError(f"not a domain name: {d!r}"[:120])
        if host not in out:
            out.append(host)
    return tuple(out) or ("cdn.example.com",)


def _refill(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 1000:
        raise ValueError("--refill must be a whole number 0-1000")
    return n


def run_simulate(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; 0 on a clean stop, 1 when the port is unusable, 2 on
    bad arguments."""
    err = sys.stderr
    try:
        token, source = _token(getattr(args, "token_file", None))
        domains = _domains(getattr(args, "domain", None))
        config = SimConfig(
            seed=getattr(args, "seed", 7), rate=getattr(args, "rate", 20.0), domains=domains,
            token=token, start_ns=getattr(args, "start", None),
            frozen=bool(getattr(args, "frozen", False)),
            incidents=bool(getattr(args, "incidents", True)),
            refresh_refill=_refill(getattr(args, "refill", 2)),
            cached_error=bool(getattr(args, "cached_error", False)),
            no_cache_status=bool(getattr(args, "no_cache_status", False)),
            no_purge=bool(getattr(args, "no_purge", False)),
        )
        start_s = (config.start_ns or time.time_ns()) // 1_000_000_000
        config.outages = tuple(parse_spec(o, start_s) for o in getattr(args, "outage", None) or ())
        config.known_incidents = tuple(
            parse_incident(i, start_s) for i in getattr(args, "incident", None) or ())
    except ValueError as e:
        print(f"s4top simulate: {e}", file=err)
        return 2
    host, port = getattr(args, "host", "127.0.0.1"), getattr(args, "port", 8080)
    log = (lambda line: print(line, file=err, flush=True)) if getattr(args, "verbose", 0) else None
    sim = None
    if getattr(args, "replay", None):
        from .replay import replay_from_args

        try:
            sim = replay_from_args(args.replay, getattr(args, "at", None),
                                   getattr(args, "speed", "1"), config)
        except ValueError as e:
            print(f"s4top simulate: {e}", file=err)
            return 2
        domains = sim.domains
        source += f"; replaying {args.replay} (offset {sim.offset_ns} ns, see /_sim/info)"
    server = SimServer(config, host=host, port=port, log=log, sim=sim)
    try:
        url = server.start()
    except OSError as e:
        print(f"s4top simulate: cannot listen on {host}:{port}: {e.strerror or e}", file=err)
        return 1
    print(f"s4top simulate: serving {url} for {', '.join(domains)}", file=err)
    print(f"s4top simulate: {source}", file=err)
    print(f"s4top simulate: controls at {url}/_sim/ (faults, clock, refreshes, truth); "
          "Ctrl-C stops", file=err, flush=True)
    if host not in ("127.0.0.1", "::1", "localhost"):
        print("s4top simulate: warning: listening beyond loopback over plain HTTP",
              file=err, flush=True)
    stop = threading.Event()
    main = threading.current_thread() is threading.main_thread()
    old: dict[int, Any] = {}
    if main:  # explicit handlers: a shell may start us with SIGINT ignored
        for sig in (signal.SIGINT, signal.SIGTERM):
            old[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        try:
            server.stop()
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)
    print("s4top simulate: stopped", file=err, flush=True)
    return 0
