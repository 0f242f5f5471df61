"""A corpus of hostile values for log fields, and the entries that carry them.

Log fields come from strangers (a URL, a User-Agent, a Referer): each value here tries to
reach the terminal as a control (clear the screen, set the title, write the clipboard, plant
a link, ask the terminal to answer), to hide or reorder text (bidi, zero-width), to be read
as markup by Rich/Textual, or to break a parser (invalid UTF-8, NUL, 100 KB). `visible` is a
fragment that must still be seen, in its safe form, once the value is neutralised
(tui.core.sanitize.inert: C0 -> control pictures U+2400+n, DEL -> U+2421, others ->
`<U+XXXX>`); `raw` are byte strings that must never reach a terminal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ESC_PIC = "\u241b"  # what ESC looks like once made visible


@dataclass(frozen=True)
class Hostile:
    name: str
    value: str
    visible: str  # must show (safe form) where the value is drawn in full
    raw: tuple[bytes, ...] = ()  # must never be written to a terminal


LONG = "LONG-START" + "x" * 100_000 + "LONG-END"

CORPUS: list[Hostile] = [
    Hostile("csi-clear-and-colour", "\x1b[2J\x1b[31mRED-TEXT", ESC_PIC + "[2J", (b"\x1b[2J\x1b[31mRED",)),
    Hostile("csi-device-status-report", "dsr\x1b[6n", ESC_PIC + "[6n", (b"\x1b[6n",)),
    Hostile("csi-report-title", "title-report\x1b[21t", ESC_PIC + "[21t", (b"\x1b[21t",)),
    Hostile("csi-cursor-and-erase", "\x1b[10;10H\x1b[Kmoved", ESC_PIC + "[10;10H", (b"\x1b[10;10H\x1b[K",)),
    Hostile("osc0-title-bel", "\x1b]0;pwned-title-0\x07", "pwned-title-0", (b"\x1b]0;",)),
    Hostile("osc2-title-st", "\x1b]2;pwned-title-2\x1b\\", "pwned-title-2", (b"\x1b]2;",)),
    Hostile("osc52-clipboard", "\x1b]52;c;cm0gLXJmIH4K\x07", "52;c;cm0gLXJmIH4K", (b"\x1b]52;",)),
    Hostile("osc8-link", "\x1b]8;;https://evil.example/\x1b\\click-me\x1b]8;;\x1b\\", "evil.example", (b"\x1b]8;",)),
    Hostile("dcs-request", "\x1bP+q544e\x1b\\dcs", ESC_PIC + "P+q544e", (b"\x1bP",)),
    Hostile("apc-string", "\x1b_apc-payload\x1b\\", "apc-payload", (b"\x1b_",)),
    Hostile("esc-full-reset", "reset\x1bc", "reset" + ESC_PIC + "c", (b"\x1bc",)),
    Hostile("bel", "ding\x07dong", "ding\u2407dong", ()),
    Hostile("backspace", "abc\x08\x08\x08xyz", "abc\u2408", ()),
    Hostile("carriage-return", "fake-line\rOVERWRITE", "fake-line\u240dOVERWRITE", ()),
    Hostile("newlines", "line1\r\nline2\nline3", "line1\u240d\u240aline2", ()),
    Hostile("tab-vt-ff", "a\tb\x0bc\x0cd", "a\u2409b", ()),
    Hostile("nul", "nul\x00byte", "nul\u2400byte", ()),
    Hostile("del", "del\x7fete", "del\u2421ete", ()),
    Hostile("c1-csi", "\u009b31mC1-CSI", "<U+009B>31mC1-CSI", ()),
    Hostile("c1-osc-st", "\u009d0;c1-title\u009c", "<U+009D>0;c1-title", ()),
    Hostile("c1-all", "c1:" + "".join(chr(c) for c in range(0x80, 0xA0)), "c1:<U+0080>", ()),
    Hostile("bidi-override", "evil\u202egnp.exe", "evil<U+202E>gnp.exe", ()),
    Hostile("bidi-isolates", "\u2066iso\u2069\u2067rtl\u2069\u2068fs\u2069", "<U+2066>iso", ()),
    Hostile("bidi-marks", "\u200eA\u200fB\u061cC", "<U+200E>A", ()),
    Hostile("zero-width", "zw\u200b\u200c\u200d\u2060\ufeffjoin", "zw<U+200B>", ()),
    Hostile("line-separators", "ls\u2028ps\u2029end", "ls<U+2028>ps", ()),
    Hostile("rich-markup", "[bold red]BOLD[/bold red]", "[bold red]BOLD[/bold red]", ()),
    Hostile("rich-link", "[link=https://evil.example/]LINK[/link]", "[link=https://evil.example/]", ()),
    Hostile("textual-click", "[@click=app.quit]CLICK[/]", "[@click=app.quit]CLICK[/]", ()),
    Hostile("textual-variables", "[$accent on red]VAR[/]", "[$accent on red]VAR[/]", ()),
    Hostile("lone-surrogate", "lone\ud800surrogate", "lone<U+D800>surrogate", ()),
    Hostile("very-long-100kb", LONG, "LONG-START", ()),
]

#: Bytes that are not UTF-8 at all (only a raw server can send them; the simulator speaks
#: JSON, which cannot): a stray 0xFF/0xFE, an overlong '/', an encoded surrogate, a lone
#: continuation byte, a truncated sequence.
INVALID_UTF8 = b"bad\xff\xfe\xc0\xaf\xed\xa0\x80\x80\xe2\x82utf8"
#: The placeholder that `raw_body` swaps for INVALID_UTF8.
INVALID_MARK = "INVALID-UTF8-HERE"

def entry_for(marker: str, value: str, access_time: int, numbers_too: bool = False) -> dict[str, Any]:
    """One entry with `value` in every string field (and in an extra key and its value); with
    `numbers_too` also as the status and the size. The path starts with `marker` (e.g.
    `hvx07`) so a test can filter to it."""
    return {
        "path": f"https://cdn.example.com/{marker}/{value}",
        "size": value if numbers_too else 1234,
        "access_time": access_time,
        "code": value if numbers_too else 200,
        "method": value,
        "ip": value,
        "country": value,
        "cache": value,
        "referer": value,
        "ua": value,
        f"x-{marker}-{value[:40]}": value,  # a hostile key too
    }


#: The fields of a combo entry, each given a different corpus value.
COMBO_FIELDS = ("path", "method", "ip", "country", "cache", "referer", "ua", "code", "size", "extra")


def combo_entry(c: int, values: list[str], access_time: int) -> dict[str, Any]:
    """One entry whose fields hold different values (so one detail view shows many)."""
    e: dict[str, Any] = {"access_time": access_time}
    for name, value in zip(COMBO_FIELDS, values, strict=False):
        if name == "path":
            e[name] = f"https://cdn.example.com/hvc{c}/{value}"
        elif name == "extra":
            e[value[:60]] = value
        else:
            e[name] = value
    e.setdefault("path", f"https://cdn.example.com/hvc{c}/")
    return e


def corpus_entries(first_ns: int, step_ns: int = 1_000_000) -> list[dict[str, Any]]:
    """Oldest first, `step_ns` apart: each value in every field of one entry (`hvxNN`), each
    value as status and size of another (`hvnNN`), and combo entries (`hvcN`) that between
    them hold every value once, each in a different field."""
    out: list[dict[str, Any]] = []
    for i, h in enumerate(CORPUS):
        out.append(entry_for(f"hvx{i:02d}", h.value, 0))
        out.append(entry_for(f"hvn{i:02d}", h.value, 0, numbers_too=True))
    values = [h.value for h in CORPUS]
    n = len(COMBO_FIELDS)
    for c in range(0, (len(values) + n - 1) // n):
        out.append(combo_entry(c, values[c * n : (c + 1) * n], 0))
    for k, e in enumerate(out):
        e["access_time"] = first_ns + k * step_ns
    return out


def raw_body(entries: list[dict[str, Any]]) -> bytes:
    """A logs response as bytes, with INVALID_MARK replaced by invalid UTF-8."""
    text = json.dumps({"data": entries, "message": "ok"}, ensure_ascii=False)
    return text.encode("utf-8", errors="surrogatepass").replace(INVALID_MARK.encode(), INVALID_UTF8)


# Code points that must never reach a terminal raw (checked independently of tui.core).
FORBIDDEN_CODEPOINTS = (
    {c for c in range(0x20) if c not in (0x0A, 0x0D)}  # CR/LF: the renderer's own line ends
    | {0x7F}
    | set(range(0x80, 0xA0))
    | {0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060, 0xFEFF}
    | set(range(0x202A, 0x202F))
    | set(range(0x2066, 0x206A))
    | set(range(0xD800, 0xE000))  # lone surrogates, and undecodable bytes (surrogateescape)
)


def forbidden_in_text(text: str) -> list[str]:
    """Forbidden code points in text that reaches cells (escape sequences already removed)."""
    return sorted({f"U+{ord(c):04X}" for c in text if ord(c) in FORBIDDEN_CODEPOINTS})
