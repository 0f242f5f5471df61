"""Client IPs made less personal before they leave s4top (`--anonymize-ip`, setting
`anonymize_ip`): the host part is zeroed, IPv4 to its /24 and IPv6 to its /48, as web
analytics tools do, so a recording or an export can be shared and still show which networks
an incident came from. An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`) is cut as IPv4.
A comma-separated list (a proxy chain) is cut address by address; text that is no address
(`-`, empty) is left as it was.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable

from tui.core.models import LogEntry

__all__ = ["anonymize_entries", "anonymize_entry", "anonymize_ip"]


def _one(text: str) -> str:
    raw = text.strip()
    try:
        addr = ipaddress.ip_address(raw.strip("[]"))
    except ValueError:
        return text
    if isinstance(addr, ipaddress.IPv4Address):
        return str(ipaddress.ip_network(f"{addr}/24", strict=False).network_address)
    mapped = addr.ipv4_mapped
    if mapped is not None:
        net = ipaddress.ip_network(f"{mapped}/24", strict=False).network_address
        return f"::ffff:{net}"
    return str(ipaddress.ip_network(f"{addr}/48", strict=False).network_address)


def anonymize_ip(text: str) -> str:
    """`203.0.113.57` -> `203.0.113.0`; `2001:db8:1234:5678::1` -> `2001:db8:1234::`."""
    if "," in text:
        return ", ".join(_one(part) for part in text.split(","))
    return _one(text)


def anonymize_entry(e: LogEntry) -> LogEntry:
    """A copy of the entry with its client IP cut (the entry itself is left alone: the
    dashboard's buffer still holds the full address)."""
    ip = anonymize_ip(e.client_ip) if e.client_ip else e.client_ip
    return e if ip == e.client_ip else dataclasses.replace(e, client_ip=ip)


def anonymize_entries(entries: Iterable[LogEntry]) -> list[LogEntry]:
    return [anonymize_entry(e) for e in entries]
