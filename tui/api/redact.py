"""Keep the token out of every message, and keep server bodies short and inert in errors.

Every piece of server text that goes into an exception passes through `excerpt` (or at least
`redact`), because servers echo requests back ("invalid token: ...") and error texts end up
in logs, bug reports and screenshots.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
_MIN_SECRET = 4

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _variants(secret: str) -> set[str]:
    """The secret and the forms a server might echo it in (JSON- or URL-escaped)."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    forms.add(quote(secret, safe=""))
    forms.add(quote(secret))
    return {f for f in forms if len(f) >= _MIN_SECRET}


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of every secret (4 characters or longer) with '***'."""
    forms: set[str] = set()
    for secret in secrets:
        if isinstance(secret, str) and len(secret) >= _MIN_SECRET:
            forms |= _variants(secret)
    # Longest first, so a secret that contains another is masked whole.
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, MASK)
    return text


def _escape(ch: str) -> str:
    """A visible stand-in for a character that must not reach a terminal raw."""
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    o = ord(ch)
    if o < 0x20 or 0x7F <= o <= 0xFF:
        return f"\\x{o:02x}"
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def _needs_escape(ch: str) -> bool:
    o = ord(ch)
    if o < 0x20 or 0x7F <= o <= 0x9F:
        return True
    if o < 0x7F:
        return False
    # Format (bidi, zero-width), surrogates, private use, unassigned, line/paragraph separators.
    return unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def printable(text: str, limit: int | None = None) -> str:
    """One line of visible text: control/format characters escaped, cut at `limit` chars."""
    out: list[str] = []
    used = 0
    for ch in text:
        piece = _escape(ch) if _needs_escape(ch) else ch
        if limit is not None and used + len(piece) > limit:
            out.append("…")
            break
        out.append(piece)
        used += len(piece)
    return "".join(out)


def decode_body(body: bytes | str) -> str:
    """Bytes as text whatever they hold: invalid UTF-8 becomes U+FFFD, never an exception."""
    if isinstance(body, str):
        return body
    return bytes(body).decode("utf-8", errors="replace")


def excerpt(body: bytes | str, secrets: Iterable[str], limit: int = 300) -> str:
    """A short, one-line, printable and token-free excerpt of a server body.

    The whole text is redacted before it is cut, so a token straddling the cut can never
    leave a prefix behind.
    """
    text = redact(decode_body(body), list(secrets))
    text = printable(text.strip(), limit=max(1, limit))
    return text if text else "(empty body)"
