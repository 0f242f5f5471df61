"""Neutralise untrusted text before any widget or print sees it.

Log fields come from strangers on the internet. Terminals act on control sequences (ESC ] 52
writes the clipboard, ESC ] 2 sets the window title), C1 controls, bidi overrides and
zero-width characters, and Textual passes them through. `inert` is the ONE place that turns
every such character into visible, harmless text, so a hostile value shows what it is instead
of doing what it says.

Speed matters (this runs for every rendered cell row): plain printable text, by far the common
case, costs one `str.isprintable()` call; the rest goes through one `str.translate` with a
prebuilt table and, only when something unusual is left, a per-run regex pass.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ELLIPSIS", "inert", "is_inert"]

ELLIPSIS = "\u2026"

#: Unicode categories that never reach the terminal as themselves.
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def _escape(cp: int) -> str:
    return f"<U+{cp:04X}>"


def _build_table() -> dict[int, str]:
    """Mapping for the characters worth a table entry (the common hostile ones)."""
    table: dict[int, str] = {}
    for cp in range(0x20):  # C0, incl. NUL, BEL, BS, TAB, LF, CR, ESC -> control pictures
        table[cp] = chr(0x2400 + cp)
    table[0x7F] = "\u2421"  # DEL -> SYMBOL FOR DELETE
    for cp in range(0x80, 0xA0):  # C1 (CSI 0x9B, OSC 0x9D, ST 0x9C ...)
        table[cp] = _escape(cp)
    specials = [0x00AD, 0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029]
    specials += list(range(0x202A, 0x202F))  # LRE RLE PDF LRO RLO
    specials += [0x2060, 0x2061, 0x2062, 0x2063, 0x2064]  # word joiner, invisible operators
    specials += list(range(0x2066, 0x206A))  # LRI RLI FSI PDI
    specials += [0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB]  # BOM / ZWNBSP, interlinear annotation
    for cp in specials:
        table[cp] = _escape(cp)
    return table


_TABLE = _build_table()
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _fix_char(ch: str) -> str:
    if ch.isprintable() or unicodedata.category(ch) not in _BAD_CATEGORIES:
        # Printable, or a harmless non-printable (Zs such as NBSP, or unassigned Cn, which a
        # newer terminal may know as a new emoji).
        return ch
    return _escape(ord(ch))


def _fix_run(match: re.Match[str]) -> str:
    run = match.group()
    if run.isprintable():
        return run
    return "".join([_fix_char(ch) for ch in run])


def inert(s: str, max_len: int | None = None) -> str:
    """Return `s` with every control/format character replaced by visible text.

    C0 controls become control pictures (ESC -> U+241B), DEL becomes U+2421, everything else in
    Cc/Cf/Cs/Co/Zl/Zp (C1, bidi controls, zero-width characters, lone surrogates, private use,
    line/paragraph separators) becomes `<U+XXXX>`. Markup is not touched: widgets render
    `Text`, never markup.

    `max_len` caps the result in characters (not cells); a cut result ends with an ellipsis.
    The input is cut before the work, so a 100 KB hostile value costs no more than a short one.
    """
    cut = False
    if max_len is not None:
        if max_len <= 0:
            return ""
        if len(s) > max_len:
            s = s[:max_len]
            cut = True
    if not s.isprintable():
        s = s.translate(_TABLE)
        if not s.isprintable():
            s = _NON_ASCII_RUN.sub(_fix_run, s)
    if max_len is not None and (cut or len(s) > max_len):
        s = s[: max_len - 1] + ELLIPSIS
    return s


def is_inert(s: str) -> bool:
    """True when `s` holds nothing a terminal could act on (the invariant `inert` gives)."""
    if s.isprintable():
        return True
    for ch in s:
        cp = ord(ch)
        if cp < 0x20 or 0x7F <= cp <= 0x9F:
            return False
        if not ch.isprintable() and unicodedata.category(ch) in _BAD_CATEGORIES:
            return False
    return True


def inert_lines(s: str, max_len: int | None = None) -> str:
    """Like `inert`, but keeps line breaks (for multi-line messages and pretty JSON)."""
    return "\n".join(inert(line, max_len) for line in s.split("\n"))
