"""`s4top exporter`: serve Prometheus metrics of every configured domain from the live pollers
(tui/exporter/). Runs until Ctrl-C or SIGTERM; errors are one line, never the token."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
import sys
from contextlib import suppress

from tui.api.client import RetryPolicy
from tui.api.domain import validate_domain
from tui.api.errors import InvalidDomain
from tui.context import Context, UsageError, describe_error
from tui.core.sanitize import inert

EXIT_OK, EXIT_USAGE = 0, 2


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--listen", metavar="HOST:PORT",
                   help="where /metrics listens (default 127.0.0.1:24831, setting "
                   "exporter_listen); beyond loopback it warns")
    p.add_argument("--shard", metavar="K/N",
                   help="serve only the domains whose CRC-32 modulo N is K-1 (several "
                   "exporters split the domains)")
    p.add_argument("--tls-cert", metavar="FILE", help="PEM certificate: serve HTTPS")
    p.add_argument("--tls-key", metavar="FILE", help="PEM private key of --tls-cert")


def _domains(ctx: Context, args: argparse.Namespace) -> list[str]:
    """Every `--domain` given (repeatable here), else the configured domains; then the shard."""
    from tui.exporter.runner import in_shard, parse_shard

    given = getattr(args, "domain_list", None)
    domains: list[str] = []
    for d in given or ctx.domains:
        try:
            name = validate_domain(d)
        except InvalidDomain as exc:
            raise UsageError(f"invalid domain {inert(d, 100)!r}: {exc}") from None
        if name not in domains:
            domains.append(name)
    shard = args.shard or ctx.settings.exporter_shard
    if shard:
        try:
            k, n = parse_shard(shard)
        except ValueError as exc:
            raise UsageError(f"--shard: {exc}") from None
        domains = [d for d in domains if in_shard(d, k, n)]
        if not domains:
            raise UsageError(f"shard {k}/{n} holds none of the {len(given or ctx.domains)} "
                             "domains: nothing to export")
    if not domains:
        raise UsageError("no CDN domain: use --domain D (repeatable), S4TOP_DOMAIN, or "
                         "'domains' in the config file")
    return domains


#: seconds after the start when what the first polls built is frozen too (their connections)
FREEZE_AGAIN_S = 30.0


def run(ctx: Context, args: argparse.Namespace) -> int:
    from tui.exporter.server import ListenError, is_loopback, parse_listen, tls_context

    s = ctx.settings
    domains = _domains(ctx, args)
    cert = args.tls_cert or s.exporter_tls_cert
    key = args.tls_key or s.exporter_tls_key
    try:
        host, port = parse_listen(args.listen or s.exporter_listen)
        if bool(cert) != bool(key):
            raise ListenError("TLS needs both --tls-cert and --tls-key")
        tls = tls_context(cert, key) if cert and key else None
    except ListenError as exc:
        print(f"s4top: {exc}", file=sys.stderr)
        return EXIT_USAGE
    ctx.token.read()  # no token: one line and exit 3 before anything listens
    if not is_loopback(host):
        print(f"s4top: warning: the exporter listens on {host}:{port}, beyond this machine: "
              "whoever reaches it reads the domains and their traffic; firewall it"
              + ("" if tls else " and consider --tls-cert/--tls-key"), file=sys.stderr)
    return asyncio.run(_serve(ctx, domains, host, port, tls))


async def _serve(ctx: Context, domains: list[str], host: str, port: int, tls: object) -> int:
    from prometheus_client import CollectorRegistry
    from prometheus_client.process_collector import ProcessCollector

    from tui.exporter.collector import ExporterCollector
    from tui.exporter.runner import Exporter, PollSettings
    from tui.exporter.server import ListenError, MetricsServer

    s = ctx.settings
    timing = PollSettings(poll_s=s.exporter_poll_interval,
                          series_interval_s=s.exporter_series_interval,
                          tail_delay_s=s.tail_delay, backoff_base_s=s.backoff_base,
                          backoff_cap_s=s.backoff_cap, auth_backoff_s=s.auth_backoff)
    # reads never retry in the client: the pollers back off (as in the dashboard)
    client = ctx.client(retry=RetryPolicy(attempts=1))
    exporter = Exporter(domains, client, timing, describe=lambda e: describe_error(e, ctx))
    registry = CollectorRegistry()
    registry.register(ExporterCollector(exporter))
    ProcessCollector(registry=registry)  # process_* (CPU, memory) of the exporter itself
    try:
        server = MetricsServer(registry, host, port, tls)  # type: ignore[arg-type]
    except ListenError as exc:
        await client.aclose()
        print(f"s4top: {exc}", file=sys.stderr)
        return EXIT_USAGE
    server.start()
    scheme = "https" if tls else "http"
    shown = f"[{host}]" if ":" in host else host
    print(f"s4top exporter: {len(domains)} domain{'s' if len(domains) != 1 else ''} "
          f"({inert(', '.join(domains[:5]), 300)}{', ...' if len(domains) > 5 else ''}); "
          f"metrics at {scheme}://{shown}:{server.port}/metrics", file=sys.stderr, flush=True)
    loop = asyncio.get_running_loop()
    # What lives as long as the exporter (modules, registry, server, pollers, the clients'
    # connections once the first polls made them) is moved out of the collector's sight,
    # now and again after the first polls: a full collection walked it all, ~40 ms of a
    # scrape's time when the scrape's thread was the one that set it off
    # (benchmarks/exporter.py; tui/core/longlived.py for the dashboard's same measure).
    gc.freeze()
    loop.call_later(FREEZE_AGAIN_S, gc.freeze)
    main = asyncio.current_task()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, main.cancel)  # type: ignore[union-attr]
    try:
        await exporter.run()
    except asyncio.CancelledError:
        print("s4top exporter: stopped", file=sys.stderr, flush=True)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        server.stop()
        with suppress(Exception):
            await client.aclose()
    return EXIT_OK
