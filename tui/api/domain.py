"""CDN domain validation.

The domain goes into the request path (`/cdn/data/{domain}/...`), so anything that is not a
plain host name could change which URL is requested (`a/../b`, `a?x=`, `a#`). It is checked
once, here, before any request is made.
"""

from __future__ import annotations

import re
import unicodedata

from tui.api.errors import InvalidDomain
from tui.api.redact import printable

_MAX_NAME = 253
_MAX_LABEL = 63
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_IPV4_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
# Characters that would change the meaning of the URL path or that no host name holds.
_FORBIDDEN = {
    "/": "a '/'",
    "\\": "a '\\'",
    "?": "a '?'",
    "#": "a '#'",
    "@": "an '@'",
    "%": "a '%'",
    "*": "a '*'",
    "[": "a '['",
    "]": "a ']'",
}


def validate_domain(d: str) -> str:
    """Return `d` as a lower-case ASCII (IDNA) host name, or raise InvalidDomain.

    Accepts internationalised names (`bücher.example` -> `xn--bcher-kva.example`) and one
    trailing dot. Rejects schemes, ports, paths, queries, fragments, empty labels, spaces,
    control characters, IP addresses and names or labels that are too long.
    """
    if not isinstance(d, str):
        raise InvalidDomain(f"a CDN domain must be text, not {type(d).__name__}")
    if not d:
        raise InvalidDomain("the CDN domain is empty")
    if "://" in d or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:/", d):
        raise InvalidDomain("give the CDN domain as a host name, without a scheme (http://...)")
    for ch in d:
        if ch.isspace():
            raise InvalidDomain("the CDN domain contains a space")
        if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            raise InvalidDomain("the CDN domain contains a control character")
        if ord(ch) > 0x7F and unicodedata.category(ch) in ("Cf", "Cc", "Cs", "Co", "Cn"):
            # Zero-width and bidi characters would be silently dropped or reorder the name.
            raise InvalidDomain(f"the CDN domain contains an invisible character (U+{ord(ch):04X})")
        if ch in _FORBIDDEN:
            raise InvalidDomain(f"the CDN domain contains {_FORBIDDEN[ch]}; give a host name only")
    if ":" in d:
        raise InvalidDomain("the CDN domain contains a ':' (a port?); give a host name only")
    if ".." in d:
        raise InvalidDomain("the CDN domain contains '..' (an empty label)")
    name = d[:-1] if d.endswith(".") else d
    if not name or name.startswith("."):
        raise InvalidDomain("the CDN domain has an empty label")
    if len(name) > _MAX_NAME * 4:  # far too long even before encoding; skip the IDNA work
        raise InvalidDomain(f"the CDN domain is longer than {_MAX_NAME} characters")
    ascii_name = _to_ascii(name)
    if len(ascii_name) > _MAX_NAME:
        raise InvalidDomain(f"the CDN domain is longer than {_MAX_NAME} characters")
    if _IPV4_RE.match(ascii_name):
        raise InvalidDomain("an IP address is not a CDN domain; give the host name")
    for label in ascii_name.split("."):
        if not label:
            raise InvalidDomain("the CDN domain has an empty label")
        if len(label) > _MAX_LABEL:
            raise InvalidDomain(f"a label of the CDN domain is longer than {_MAX_LABEL} characters")
        if not _LABEL_RE.match(label):
            raise InvalidDomain(
                "a label of the CDN domain holds characters other than letters, digits and "
                "inner hyphens"
            )
        if label.startswith("xn--") and not _valid_alabel(label):
            raise InvalidDomain(f"'{label}' is not valid punycode")
    if ascii_name.rsplit(".", 1)[-1].isdigit():
        raise InvalidDomain("the last label of the CDN domain is all digits")
    return ascii_name


def _to_ascii(name: str) -> str:
    """IDNA-encode (UTS 46 mapping, so upper case and full-width dots are folded)."""
    if name.isascii():
        return name.lower()
    import idna  # here: only a non-ASCII name needs it (a few ms of every start otherwise)

    try:
        return idna.encode(name, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError) as e:
        reason = printable(str(e), limit=80) or type(e).__name__
        raise InvalidDomain(
            f"the CDN domain is not a valid internationalised name ({reason})") from None


def _valid_alabel(label: str) -> bool:
    import idna

    try:
        idna.decode(label)
    except (idna.IDNAError, UnicodeError, ValueError):
        return False
    return True
