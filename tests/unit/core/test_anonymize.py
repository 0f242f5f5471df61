"""anonymize_ip: IPv4 to /24, IPv6 to /48, mapped IPv4 as IPv4, lists cut one by one."""

from __future__ import annotations

import pytest

from tui.core.anonymize import anonymize_entry, anonymize_ip
from tui.core.models import LogEntry


@pytest.mark.parametrize(("raw", "cut"), [
    ("203.0.113.57", "203.0.113.0"),
    ("10.1.2.255", "10.1.2.0"),
    ("2001:db8:1234:5678::1", "2001:db8:1234::"),
    ("2001:0db8:abcd:ffff:ffff:ffff:ffff:ffff", "2001:db8:abcd::"),
    ("::1", "::"),
    ("::ffff:198.51.100.7", "::ffff:198.51.100.0"),
    ("[2001:db8:1:2::3]", "2001:db8:1::"),
    (" 192.0.2.9 ", "192.0.2.0"),
    ("198.51.100.7, 10.0.0.3", "198.51.100.0, 10.0.0.0"),
    ("-", "-"),
    ("", ""),
    ("not an ip", "not an ip"),
])
def test_host_part_zeroed(raw: str, cut: str) -> None:
    assert anonymize_ip(raw) == cut


def test_entry_copied_not_changed() -> None:
    e = LogEntry(time_ns=1, client_ip="203.0.113.57", url="/a")
    a = anonymize_entry(e)
    assert a.client_ip == "203.0.113.0" and a.url == "/a" and a.time_ns == 1
    assert e.client_ip == "203.0.113.57"
