"""What every command needs: settings, the token source, the domain, a client, the demo server."""

from __future__ import annotations

import ipaddress
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui.api.domain import validate_domain
from tui.api.errors import ApiError, InvalidDomain
from tui.api.retry import RetryPolicy
from tui.config import Settings, data_dir, token_source
from tui.core.sanitize import inert
from tui.core.timezones import parse_timezone
from tui.core.token import TokenSource, token_file_warning

if TYPE_CHECKING:  # the client's module is imported when the client is built
    from tui.api.client import S4Client


class UsageError(Exception):
    """Bad usage or invalid input: exit 2 with one line."""


@dataclass(frozen=True)
class ReplayOptions:
    """`--replay FILE.db [--at TIME] [--until TIME] [--speed N]`, as typed. A command (not
    the dashboard) reads the recording as it stood at `--until` (default its end)."""

    path: str
    at: str | None = None
    until: str | None = None
    speed: str = "1"
    dashboard: bool = True


def _is_loopback(host: str) -> bool:
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Context:
    settings: Settings
    token: TokenSource
    api_base: str
    domains: list[str]
    demo_server: Any = None
    warnings: list[str] = field(default_factory=list)
    demo: bool = False
    #: a replay (tui/sim/replay.py's ReplaySimulator) whose clock is the app's; None when live
    replay: Any = None

    def now_ns(self) -> int:
        """The present: the wall clock, or a replay's clock (in the recording's times), so
        `--since` in a replay counts back from the recording's end."""
        return self.replay.replay_now_ns() if self.replay is not None else time.time_ns()

    @property
    def data_dir(self) -> Path:
        """Where s4top keeps what it writes (drafts, history, ui state): every file in the data
        dir is placed through this one property. The demo has its own folder, so nothing typed
        or sent against the simulator shows in the real batches, history or chart marks."""
        if self.replay is not None:
            return data_dir() / "replay"  # a replay's alerts and ui state are not the real ones
        return data_dir() / "demo" if self.demo else data_dir()

    @property
    def domain(self) -> str:
        if not self.domains:
            raise UsageError("no CDN domain: use --domain D, S4TOP_DOMAIN, or 'domain' in the "
                             "config file")
        return self.domains[0]

    def retry_policy(self) -> RetryPolicy:
        """Retries of one-shot reads (settings retry_attempts, retry_base)."""
        s = self.settings
        return RetryPolicy(attempts=s.retry_attempts, base_s=s.retry_base)

    def refresh_retry_policy(self) -> RetryPolicy:
        """Refresh spends vendor quota: at most 3 tries, starting twice as slow as reads."""
        s = self.settings
        return RetryPolicy(attempts=min(3, s.retry_attempts), base_s=2 * s.retry_base)

    def client(self, **overrides: Any) -> S4Client:
        """A client for this context; the token is read for every request, so a rotated token
        file is picked up."""
        s = self.settings
        kwargs: dict[str, Any] = {
            "connect_timeout": s.connect_timeout,
            "read_timeout": s.read_timeout,
            "verify": not s.insecure,
            "retry": self.retry_policy(),
            "refresh_retry": self.refresh_retry_policy(),
            "naive_tz": parse_timezone(s.api_timezone),
        }
        kwargs.update(overrides)
        from tui.api.client import S4Client  # here: the dashboard paints before it connects

        return S4Client(self.api_base, self.token.read, **kwargs)

    def cli_client(self, **overrides: Any) -> S4Client:
        """A client for a command-line command: the token is read once first, so a missing or
        unreadable token is a clear one-line error (exit 3) before anything is sent, and every
        retry is announced on stderr (never silent)."""
        self.token.read()
        overrides.setdefault("on_retry", print_retry)
        return self.client(**overrides)

    def close(self) -> None:
        if self.demo_server is not None:
            self.demo_server.stop()
            self.demo_server = None
        if self.replay is not None:
            self.replay.recording.close()


def build_context(settings: Settings, *, demo: bool = False,
                  replay: ReplayOptions | None = None) -> Context:
    """Validate what can be validated before any request is made."""
    warnings = list(settings.warnings)
    domains = _valid_domains(settings)
    if replay is not None:
        if demo:
            raise UsageError("--demo and --replay: choose one")
        return _replay_context(settings, replay, domains, warnings)
    if demo:
        from tui.sim import DEMO_TOKEN, SimConfig, SimServer

        sim_domains = tuple(domains) if settings.origins.get("domain") == "command line" else ()
        config = SimConfig(domains=sim_domains or ("cdn.example.com", "img.example.com",
                                                   "static.example.net"))
        server = SimServer(config)
        base = server.start()
        return Context(
            settings=settings,
            token=TokenSource(env_value=DEMO_TOKEN, description="built-in simulator (demo token)"),
            api_base=base,
            domains=list(config.domains),
            demo_server=server,
            warnings=warnings,
            demo=True,
        )
    base = settings.api_base.strip().rstrip("/")
    try:
        parts = urlsplit(base)
        ok = (parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query
              and not parts.fragment)
        _ = parts.port  # a port that is not a number is a ValueError here, not later
        ok = ok and not any(c.isspace() or not c.isprintable() for c in base)
    except ValueError:
        ok = False
    if not ok:
        raise UsageError(
            f"invalid API base URL {inert(base, 200)!r} "
            f"({settings.origins.get('api_base', 'default')}): "
            "expected http(s)://host[:port][/path]"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        warnings.append(f"warning: API base {base} is plain http: the token travels unencrypted")
    if settings.insecure:
        origin = settings.origins.get("insecure", "")
        where = ("--insecure" if origin == "command line"
                 else f"insecure = true in {origin}" if origin else "insecure = true")
        warnings.append(f"warning: TLS certificate verification is OFF ({where}): "
                        "anyone on the path can read the token")
    tok = token_source(settings)
    if tok.file is not None:
        w = token_file_warning(tok.file)
        if w:
            warnings.append(w)
    return Context(settings=settings, token=tok, api_base=base, domains=domains, warnings=warnings)


def _replay_context(settings: Settings, opts: ReplayOptions, domains: list[str],
                    warnings: list[str]) -> Context:
    """A recording served by the simulator on loopback, read by the real client: its clock
    (offset 0: the served times are the recorded ones) is the context's present."""
    from tui.core.replaytime import parse_at
    from tui.sim import DEMO_TOKEN, SimConfig, SimServer
    from tui.sim.replay import replay_from_args

    at, speed = opts.at, opts.speed
    if not opts.dashboard:  # a command reads up to --until (default the end), frozen
        at, speed = opts.until or "-0s", "0"
    try:
        sim = replay_from_args(opts.path, at, speed, SimConfig(), offset_ns=0, utc=settings.utc)
        if opts.until is not None and opts.dashboard:
            span = sim.span
            sim.clock.limit_ns = parse_at(opts.until, span.start_ns, span.end_ns, settings.utc)
    except ValueError as exc:
        raise UsageError(f"--replay: {inert(str(exc), 300)}") from None
    recorded = list(sim.domains)
    if settings.origins.get("domain") == "command line":
        missing = [d for d in domains if d not in recorded]
        if missing:
            raise UsageError(f"--replay: {missing[0]} is not in the recording (it holds "
                             f"{', '.join(recorded)})")
        recorded = [d for d in domains if d in recorded]
    server = SimServer(sim=sim)
    return Context(
        settings=settings,
        token=TokenSource(env_value=DEMO_TOKEN, description="replay (built-in simulator)"),
        api_base=server.start(), domains=recorded, demo_server=server, warnings=warnings,
        replay=sim)


def _valid_domains(settings: Settings) -> list[str]:
    """Every configured domain as a checked host name, before any request (and any demo)."""
    if settings.domain == "" and settings.origins.get("domain") != "default":
        raise UsageError(f"invalid domain '': empty ({settings.origins['domain']}); "
                         "give a host name such as cdn.example.com")
    domains = []
    for d in settings.all_domains:
        try:
            domains.append(validate_domain(d))
        except InvalidDomain as exc:
            raise UsageError(f"invalid domain {inert(d, 100)!r}: {exc}") from None
    return domains


def print_retry(endpoint: str, error: ApiError, delay_s: float) -> None:
    """Retries are never silent: one line on stderr before each retry sleep."""
    print_retrying(describe_error(error), delay_s)


def print_retrying(what: str, delay_s: float | None) -> None:
    """`s4top: <what went wrong>; retrying in 2.0s` on stderr (every command says it so)."""
    wait = f"; retrying in {format_wait(delay_s)}" if delay_s is not None else ""
    print(f"s4top: {what}{wait}", file=sys.stderr, flush=True)


def format_wait(seconds: float) -> str:
    return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"


def print_warnings(ctx: Context) -> None:
    for w in ctx.warnings:
        print(w, file=sys.stderr)


def describe_error(exc: ApiError, ctx: Context | None = None) -> str:
    """One line: what failed and what to do. Never the token."""
    from tui.api.errors import (
        ApiTimeout,
        AuthError,
        BadRequest,
        NetworkError,
        RateLimited,
        ServerError,
        UnexpectedResponse,
    )

    where = f" (token from {ctx.token.description})" if ctx is not None else ""
    if isinstance(exc, AuthError):
        if not exc.status:  # the token could not be read or sent; the message says why
            return f"{exc.message}: check BITIFUL_API_TOKEN or --token-file{where}"
        said = f" (the server says: {exc.server_text})" if exc.server_text else ""
        return (f"authentication failed ({exc.status}) on {exc.endpoint or 'the API'}{said}: "
                f"check BITIFUL_API_TOKEN or --token-file{where}")
    if isinstance(exc, RateLimited):
        wait = f"; the server asks to wait {exc.retry_after:.0f}s" if exc.retry_after else ""
        return f"rate limited by the API ({exc.endpoint}){wait}"
    if isinstance(exc, ApiTimeout):
        return (f"timed out talking to the API ({exc.endpoint}): {exc.message}; "
                "check the network or raise read_timeout")
    if isinstance(exc, NetworkError):
        return f"network error ({exc.endpoint}): {exc.message}; check the network and --api-base"
    if isinstance(exc, ServerError):
        return f"{exc.message} ({exc.endpoint}); try again later"
    if isinstance(exc, BadRequest):
        return f"request rejected ({exc.endpoint}): {exc.message}"
    if isinstance(exc, UnexpectedResponse):
        return (f"unexpected response from {exc.endpoint}: {exc.message}; "
                "run 's4top doctor' to see the raw body")
    return str(exc)
