"""Field terms of the `/` filter: `cache:MISS`, `cc:JP`, `ip:203.0.113.0/24`, `code:5xx`,
`method:HEAD`, `url:/img/` (substring) or `url:/regex/`.

A term tests one column of the buffer (tui/core/buffer.py stores entries by column), so the
buffer runs it over a plain list of values. Columns with few distinct values (cache, country,
method, status, client IP) are tested once per distinct value and the verdict is remembered:
a rebuild over 100k entries then costs one dict look-up per entry.

Only the prefixes named in FIELDS are fields; `https://a/b` and any unknown `foo:bar` stay
plain words.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FIELDS", "FieldTerm", "TermError", "parse_term", "regex_literal"]

#: prefix -> the LogBuffer column / LogEntry attribute it tests
FIELDS = {"cache": "cache", "cc": "country", "ip": "client_ip", "code": "status",
          "method": "method", "url": "url"}

_MEMO_LIMIT = 65_536  # a verdict per distinct value; bounded against hostile variety


class TermError(ValueError):
    """A field term that cannot be used; the message names the term and why."""


@dataclass(frozen=True, slots=True)
class FieldTerm:
    """One `name:value` term; `test(value)` is the verdict for one column value."""

    name: str
    value: str
    column: str
    check: Callable[[Any], bool] = field(repr=False, compare=False)
    memo: dict[Any, bool] | None = field(default=None, repr=False, compare=False)

    def test(self, v: Any) -> bool:
        memo = self.memo
        if memo is None:
            return self.check(v)
        ok = memo.get(v)
        if ok is None:
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
            ok = memo[v] = self.check(v)
        return ok

    def keep(self, values: list[Any], positions: list[int] | None) -> list[int]:
        """Positions (indices into `values`) whose value passes; all of them when None."""
        test = self.test
        if positions is None:
            return [j for j, v in enumerate(values) if test(v)]
        return [j for j in positions if test(values[j])]


def _is_regex(text: str) -> bool:
    return len(text) >= 3 and text[0] == "/" and text[-1] == "/"


def split_prefix(term: str) -> tuple[str, str] | None:
    """(`name`, `value`) when `term` starts with a known field prefix, else None."""
    name, sep, value = term.partition(":")
    if not sep or name.lower() not in FIELDS:
        return None
    return name.lower(), value


def parse_term(term: str) -> FieldTerm | None:
    """The field term `term` spells, None for a plain word; TermError for a bad value."""
    found = split_prefix(term)
    if found is None:
        return None
    name, value = found
    if not value:
        raise TermError(f"{term}: give a value after {name}:")
    column = FIELDS[name]
    if name in ("cache", "cc", "method"):
        want = "" if value == "-" else value.lower()
        return FieldTerm(name, value, column, lambda v: v.lower() == want, {})
    if name == "ip":
        return FieldTerm(name, value, column, _ip_check(term, value))
    if name == "code":
        return FieldTerm(name, value, column, _code_check(term, value), {})
    return FieldTerm(name, value, column, _url_check(term, value))


def _ip_check(term: str, value: str) -> Callable[[str], bool]:
    """Exact address or network membership. IPv4 goes by text first (the octets the network
    fixes), so only candidates are parsed: parsing 100k distinct addresses took 150 ms."""
    try:
        if "/" in value:
            net = ipaddress.ip_network(value, strict=False)
        else:
            net = ipaddress.ip_network(ipaddress.ip_address(value))
    except ValueError:
        kind = "CIDR" if "/" in value else "IP address"
        raise TermError(f"bad {kind} in {term}: expected e.g. 203.0.113.7, "
                        "203.0.113.0/24 or 2001:db8::/32") from None

    def member(v: str) -> bool:
        try:
            return ipaddress.ip_address(v) in net
        except ValueError:
            return False

    if net.version == 6:
        return lambda v: ":" in v and member(v)
    if net.prefixlen == 32:
        exact = str(net.network_address)
        return lambda v: v == exact
    fixed = str(net.network_address).split(".")[: net.prefixlen // 8]
    prefix = ".".join(fixed) + "." if fixed else ""
    return lambda v: v.startswith(prefix) and member(v)


def _code_check(term: str, value: str) -> Callable[[int], bool]:
    exact: set[int] = set()
    classes: set[int] = set()
    for part in value.split(","):
        p = part.strip().lower()
        if len(p) == 3 and p[0].isdigit() and p[1:] == "xx":
            classes.add(int(p[0]))
        elif p.isdigit() and (len(p) == 3 or p == "0"):  # 0: no status (an aborted request)
            exact.add(int(p))
        else:
            raise TermError(f"bad code in {term}: expected e.g. 502, 5xx or 404,503")

    def check(v: int) -> bool:
        return v in exact or (v != 0 and v // 100 in classes)

    return check


_REGEX_CHARS = frozenset("\\^$.|?*+()[]{}")


def url_is_regex(value: str) -> bool:
    """`url:/\\.png$/` is a regex; `url:/img/` (no regex character) is the path piece /img/."""
    return _is_regex(value) and any(c in _REGEX_CHARS for c in value[1:-1])


def _url_check(term: str, value: str) -> Callable[[str], bool]:
    if url_is_regex(value):
        try:
            search = re.compile(value[1:-1], re.IGNORECASE).search
        except re.error as e:
            where = f" at position {e.pos + 1}" if e.pos is not None else ""
            raise TermError(f"bad regex in {term}: {e.msg}{where}") from None
        return lambda v: search(v) is not None
    needle = value.lower()
    return lambda v: needle in v.lower()


def regex_literal(text: str) -> str:
    """`text` as a regex that matches it literally and holds no whitespace (terms are split
    on whitespace), for `url:/^...$/` drill filters."""
    return "".join(f"\\x{ord(c):02x}" if c.isspace() and ord(c) < 256
                   else (f"\\u{ord(c):04x}" if c.isspace() else re.escape(c)) for c in text)
