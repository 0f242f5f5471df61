"""What every command needs: settings, the token source, the domain, a client, the demo server."""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tui.api.client import S4Client
from tui.api.domain import validate_domain
from tui.api.errors import ApiError, InvalidDomain
from tui.config import Settings, TokenSource, token_file_warning, token_source


class UsageError(Exception):
    """Bad usage or invalid input: exit 2 with one line."""


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

    @property
    def domain(self) -> str:
        if not self.domains:
            raise UsageError("no CDN domain: use --domain D, S4TOP_DOMAIN, or 'domain' in the config file")
        return self.domains[0]

    def client(self, **overrides: Any) -> S4Client:
        s = self.settings
        kwargs: dict[str, Any] = {
            "connect_timeout": s.connect_timeout,
            "read_timeout": s.read_timeout,
            "verify": not s.insecure,
        }
        kwargs.update(overrides)
        return S4Client(self.api_base, self.token.read, **kwargs)

    def close(self) -> None:
        if self.demo_server is not None:
            self.demo_server.stop()
            self.demo_server = None


def build_context(settings: Settings, *, demo: bool = False) -> Context:
    """Validate what can be validated before any request is made."""
    warnings = list(settings.warnings)
    if demo:
        from tui.sim import DEMO_TOKEN, SimConfig, SimServer

        sim_domains = tuple(settings.all_domains) if settings.origins.get("domain") == "command line" else ()
        config = SimConfig(domains=sim_domains or ("cdn.example.com", "img.example.com", "static.example.net"))
        server = SimServer(config)
        base = server.start()
        return Context(
            settings=settings,
            token=TokenSource(env_value=DEMO_TOKEN, description="built-in simulator (demo token)"),
            api_base=base,
            domains=list(config.domains),
            demo_server=server,
            warnings=warnings,
        )
    base = settings.api_base.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"invalid API base URL {base!r}: expected http(s)://host[:port]")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        warnings.append(f"warning: API base {base} is plain http: the token travels unencrypted")
    if settings.insecure:
        warnings.append("warning: TLS certificate verification is OFF (insecure = true)")
    domains = []
    for d in settings.all_domains:
        try:
            domains.append(validate_domain(d))
        except InvalidDomain as exc:
            raise UsageError(f"invalid domain {d!r}: {exc}") from None
    tok = token_source(settings)
    if tok.file is not None:
        w = token_file_warning(tok.file)
        if w:
            warnings.append(w)
    return Context(settings=settings, token=tok, api_base=base, domains=domains, warnings=warnings)


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
        return f"authentication failed ({exc.status}) on {exc.endpoint or 'the API'}: check BITIFUL_API_TOKEN or --token-file{where}"
    if isinstance(exc, RateLimited):
        wait = f"; retry after {exc.retry_after:.0f}s" if exc.retry_after else ""
        return f"rate limited by the API on {exc.endpoint}{wait}"
    if isinstance(exc, ApiTimeout):
        return f"timed out talking to the API ({exc.endpoint}): check the network or raise read_timeout"
    if isinstance(exc, NetworkError):
        return f"network error ({exc.endpoint}): {exc.message}; check the network and --api-base"
    if isinstance(exc, ServerError):
        return f"server error {exc.status} on {exc.endpoint}: {exc.message}; try again later"
    if isinstance(exc, BadRequest):
        return f"request rejected ({exc.status}) on {exc.endpoint}: {exc.message}"
    if isinstance(exc, UnexpectedResponse):
        return f"unexpected response from {exc.endpoint}: {exc.message}; run 's4top doctor' to see the raw body"
    return str(exc)
