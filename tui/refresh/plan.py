"""Refresh entries: validate, encode, deduplicate and batch them before anything is sent.

A cache refresh cannot be undone and the vendor's rules are strict (docs/api.md, "Refresh entries:
the encoding rule"): at most 20 entries per request, one type per request, no `*`, special
characters percent-encoded. Every entry is checked here, so the modal and `s4top refresh`
refuse the same things for the same reasons, and what is sent is exactly what was shown.
The requests it makes (`RefreshRequest`, `RefreshKind`) are defined in tui/core/models.py, so
the API client below this layer takes the very same type.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from tui.core.models import MAX_CHUNK, RefreshKind, RefreshRequest

__all__ = [
    "MAX_CHUNK",
    "MAX_URL_LEN",
    "EntryResult",
    "Problem",
    "RefreshKind",
    "RefreshPlan",
    "RefreshRequest",
    "encode_part",
    "normalize_entry",
    "normalize_host",
    "plan_refresh",
]

#: Longest entry accepted after encoding (a common URL limit of CDNs and browsers).
MAX_URL_LEN = 2048


@dataclass(slots=True)
class EntryResult:
    """One entry checked: `value` is what would be sent (empty when `ok` is False)."""

    ok: bool
    value: str = ""
    reason: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class Problem:
    """An entry that will not be sent; `line_no` counts from 1 over the input as given."""

    line_no: int
    text: str
    reason: str


@dataclass(slots=True)
class RefreshPlan:
    """What a list of entries comes to: what is sent, in which requests, and what is not."""

    entries: list[tuple[RefreshKind, str]]
    problems: list[Problem]
    notes: list[str]
    requests: list[RefreshRequest]
    duplicates: int = 0

    @property
    def ok(self) -> bool:
        """True when every entry given is sendable (nothing refused)."""
        return not self.problems


_UNRESERVED = string.ascii_letters + string.digits + "-._~"
_KEEP = frozenset(_UNRESERVED + "/:@!$&'()+,;=?")
_HEX = frozenset(string.hexdigits)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_STAR_ENCODED = re.compile(r"%2a", re.IGNORECASE)
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
#: What `strip` removes around an entry: whitespace and spaces, not other controls (str.strip
#: would also eat U+001C-001F and U+0085, which must be reported, not silently dropped).
_BLANKS = (
    " \t\n\r\f\v\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)


def _bad_char(text: str) -> str | None:
    """The first control or invisible formatting character, described; None if there is none."""
    for i, ch in enumerate(text):
        cp = ord(ch)
        if cp < 0x20 or 0x7F <= cp <= 0x9F:
            return f"control character U+{cp:04X} at position {i + 1}"
        if cp > 0x9F and not ch.isprintable():
            cat = unicodedata.category(ch)
            if cat in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
                return f"invisible character U+{cp:04X} at position {i + 1}"
    return None


def encode_part(text: str) -> str:
    """Percent-encode a path or query per RFC 3986, keeping structure and valid `%XX`.

    Kept: unreserved characters, `/ : @ ! $ & ' ( ) + , ; = ?` and every valid `%XX`.
    Everything else becomes UTF-8 `%XX`: a stray `%` -> `%25`, space -> `%20`, `中` ->
    `%E4%B8%AD`, and so do quotes, angle brackets, backslash, caret, backtick, braces, pipe
    and square brackets.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _KEEP:
            out.append(ch)
        elif ch == "%" and i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
            out.append(text[i : i + 3])
            i += 3
            continue
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        i += 1
    return "".join(out)


def normalize_host(host: str) -> str:
    """Lower-case ASCII host name, IDNA-encoded (punycode); ValueError with the reason."""
    h = host.strip()
    if h.endswith("."):
        h = h[:-1]
    if not h:
        raise ValueError("missing host name")
    if h.isascii():
        h = h.lower()
    else:
        try:
            import idna  # IDNA 2008 with UTS 46 mapping, as browsers do (installed with httpx)

            h = idna.encode(h, uts46=True).decode("ascii")
        except ImportError:  # pragma: no cover - idna ships with httpx
            try:
                h = h.encode("idna").decode("ascii").lower()
            except UnicodeError as e:
                raise ValueError(f"host name {host!r} cannot be IDNA-encoded: {e}") from None
        except UnicodeError as e:
            raise ValueError(f"host name {host!r} cannot be IDNA-encoded: {e}") from None
    if len(h) > 253:
        raise ValueError("host name is longer than 253 characters")
    for label in h.split("."):
        if not label:
            raise ValueError(f"host name {host!r} has an empty label")
        if not _LABEL.fullmatch(label):
            raise ValueError(
                f"host name {host!r} is not valid (labels are letters, digits and '-', "
                "at most 63 long, not starting or ending with '-')"
            )
    return h


def _fail(reason: str) -> EntryResult:
    return EntryResult(ok=False, reason=reason)


class _Refused(Exception):
    """One step of `normalize_entry` refused the entry; the message is the reason."""


def normalize_entry(
    text: str, kind: RefreshKind | str = RefreshKind.URL, domain: str | None = None
) -> EntryResult:
    """Check and encode one entry; on refusal `reason` says what is wrong and what to do."""
    kind = RefreshKind(kind)
    notes: list[str] = []
    try:
        raw = _check_text(text)
        scheme, authority, tail = _split_url(raw)
        ascii_host, netloc = _netloc(scheme, authority, notes)
        value = f"{scheme}://{netloc}{_encode_tail(tail, kind, notes)}"
        if _STAR_ENCODED.search(value):  # paranoia: encoding never creates one; never send one
            raise _Refused("contains '*' (or %2A): wildcards are refused")
        if len(value) > MAX_URL_LEN:
            raise _Refused(
                f"too long after encoding ({len(value)} characters, at most {MAX_URL_LEN})")
    except _Refused as refused:
        return _fail(str(refused))
    if domain:
        try:
            want = normalize_host(domain)
        except ValueError:
            want = domain.strip().lower()
        if ascii_host != want:
            notes.append(f"host {ascii_host} is not the selected domain {want}")
    return EntryResult(ok=True, value=value, notes=notes)


def _check_text(text: str) -> str:
    """The entry without its blanks, refused for characters that never make a valid entry."""
    raw = text.strip(_BLANKS)
    if not raw:
        raise _Refused("empty entry")
    bad = _bad_char(raw)
    if bad:
        raise _Refused(f"contains a {bad}; retype the URL")
    if "*" in raw or _STAR_ENCODED.search(raw):
        raise _Refused(
            "contains '*' (or %2A): wildcards are refused; list each URL or refresh a directory"
        )
    if "#" in raw:
        raise _Refused(
            "has a fragment ('#...'), which never reaches a CDN; remove it "
            "(a '#' inside a file name is written %23)"
        )
    return raw


def _split_url(raw: str) -> tuple[str, str, str]:
    """(scheme, authority, path and query) of an http(s) URL."""
    m = _SCHEME.match(raw)
    if (
        m
        and m.group(1).lower() not in ("http", "https")
        and ("." in m.group(1) or raw[m.end() : m.end() + 1].isdigit())
    ):
        m = None  # 'cdn.example.com:8080/x' is a host and port, not a scheme
    if not m:
        raise _Refused("missing scheme: write the full URL, e.g. https://cdn.example.com/path")
    scheme = m.group(1).lower()
    if scheme not in ("http", "https"):
        raise _Refused(f"only http:// and https:// URLs can be refreshed, not {scheme}:")
    rest = raw[m.end() :]
    if not rest.startswith("//"):
        raise _Refused(f"missing host: write {scheme}://host/path")
    rest = rest[2:]
    cut = len(rest)
    for sep in "/?":
        pos = rest.find(sep)
        if pos != -1:
            cut = min(cut, pos)
    return scheme, rest[:cut], rest[cut:]


def _netloc(scheme: str, authority: str, notes: list[str]) -> tuple[str, str]:
    """(ASCII host, host[:port] as sent): IDNA host, checked port, default port dropped."""
    if "@" in authority:
        raise _Refused("user name or password in the URL; remove the 'user@' part")
    if authority.startswith("["):
        raise _Refused("IP address literals are not CDN domains; use the host name")
    host, port = authority, ""
    if ":" in authority:
        host, port = authority.rsplit(":", 1)
        # ASCII digits only: str.isdigit() also takes '²' (int() then raises) and fullwidth
        # digits (which int() reads, and which would have been sent as non-ASCII)
        if port and not (port.isascii() and port.isdigit()):
            raise _Refused(f"port {port!r} is not a number")
        if port and not 0 < int(port) < 65536:
            raise _Refused(f"port {port} is out of range")
        if port:
            port = str(int(port))  # ':080' is ':80'
    if not host:
        raise _Refused(f"missing host: write {scheme}://host/path")
    if "%" in host:
        raise _Refused("percent-encoding in the host name; write the host name as is")
    try:
        ascii_host = normalize_host(host)
    except ValueError as e:
        raise _Refused(str(e)) from None
    if not host.isascii():
        notes.append(f"host {host} sent as {ascii_host}")
    if port == _DEFAULT_PORTS[scheme]:
        notes.append(f"default port :{port} dropped")
        port = ""
    return ascii_host, (f"{ascii_host}:{port}" if port else ascii_host)


def _encode_tail(tail: str, kind: RefreshKind, notes: list[str]) -> str:
    """The path (and query) percent-encoded, with the rules of the entry's kind."""
    path, qmark, query = tail.partition("?")
    if not path:
        path = "/"
    enc_path = encode_part(path)
    enc_query = encode_part(query)
    if enc_path != path or enc_query != query:
        notes.append("special characters percent-encoded")
    if kind is RefreshKind.DIRECTORY:
        if qmark:
            raise _Refused("a directory entry cannot have a query string ('?...')")
        if not enc_path.endswith("/"):
            enc_path += "/"
            notes.append("directory entries end with '/': added one")
        if enc_path == "/":
            notes.append("refreshes everything on this host")
    elif enc_path.endswith("/") and enc_path != "/":
        notes.append("a URL ending in '/' refreshes that one page; use directory for what is below")
    return enc_path + (f"?{enc_query}" if qmark else "")


@lru_cache(maxsize=20_000)
def _normalized(text: str, kind: RefreshKind, domain: str | None) -> EntryResult:
    """`normalize_entry`, remembered. The refresh modal plans the whole batch again on every
    key press, and all lines but one are unchanged: with 10k lines that was ~150 ms a key,
    now a few ms. Callers only read the (shared) result."""
    return normalize_entry(text, kind, domain)


def plan_refresh(
    lines: str | Iterable[str] | Iterable[tuple[str, RefreshKind]],
    kind: RefreshKind | str = RefreshKind.URL,
    domain: str | None = None,
    chunk: int = MAX_CHUNK,
) -> RefreshPlan:
    """Turn entries into requests: one kind per request, at most `chunk` entries each.

    `lines` holds plain lines (of `kind`) or `(text, kind)` pairs (tagged entries keep their
    own kind), or one string to split into lines. Blank lines and lines starting with '#' are
    skipped; duplicates are dropped after encoding (two spellings of one URL are one entry).
    """
    if not 1 <= chunk <= MAX_CHUNK:
        raise ValueError(f"chunk must be between 1 and {MAX_CHUNK}, got {chunk}")
    default_kind = RefreshKind(kind)
    items: Iterable[str | tuple[str, RefreshKind]] = (
        lines.splitlines() if isinstance(lines, str) else lines
    )
    entries: list[tuple[RefreshKind, str]] = []
    problems: list[Problem] = []
    notes: list[str] = []
    first_line: dict[tuple[RefreshKind, str], int] = {}
    duplicates = 0
    for line_no, item in enumerate(items, start=1):
        if isinstance(item, tuple):
            text, item_kind = item[0], RefreshKind(item[1])
        else:
            text, item_kind = item, default_kind
        stripped = text.strip(_BLANKS)
        if not stripped or stripped.startswith("#"):
            continue
        result = _normalized(stripped, item_kind, domain)
        if not result.ok:
            problems.append(Problem(line_no, stripped, result.reason))
            continue
        key = (item_kind, result.value)
        if key in first_line:
            duplicates += 1
            notes.append(
                f"line {line_no}: same as line {first_line[key]} after encoding; sent once"
            )
            continue
        first_line[key] = line_no
        entries.append(key)
        notes.extend(f"line {line_no}: {note}" for note in result.notes)

    by_kind: dict[RefreshKind, list[str]] = {}
    for k, value in entries:
        by_kind.setdefault(k, []).append(value)
    requests = [
        RefreshRequest(k, values[i : i + chunk])
        for k, values in by_kind.items()
        for i in range(0, len(values), chunk)
    ]
    return RefreshPlan(entries, problems, notes, requests, duplicates)
