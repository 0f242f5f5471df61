"""inert(): hostile log fields must reach the screen as visible text, never as actions."""

from __future__ import annotations

import random
import unicodedata

import pytest

from tui.core.sanitize import ELLIPSIS, inert, is_inert

BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def assert_harmless(out: str) -> None:
    for ch in out:
        cp = ord(ch)
        assert cp >= 0x20, f"C0 control U+{cp:04X} survived in {out!r}"
        assert not 0x7F <= cp <= 0x9F, f"DEL/C1 U+{cp:04X} survived in {out!r}"
        assert unicodedata.category(ch) not in BAD_CATEGORIES, f"U+{cp:04X} survived in {out!r}"
    assert is_inert(out)


def assert_visible_kept(src: str, out: str) -> None:
    """Every printable character of the input is still there, in order."""
    it = iter(out)
    for ch in src:
        if ch.isprintable():
            assert ch in it, f"visible {ch!r} of {src!r} lost in {out!r}"


# (hostile value, a visible part that must remain)
HOSTILE = [
    ("\x1b[31mred\x1b[0m", "red"),  # CSI colour
    ("\x1b]0;pwned title\x07", "pwned title"),  # OSC 0, BEL terminated
    ("\x1b]2;window title\x1b\\", "window title"),  # OSC 2, ST terminated
    ("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 hyperlink
    ("\x1b]52;c;cm0gLXJmIH4=\x07", "cm0gLXJmIH4="),  # OSC 52 clipboard write, BEL
    ("\x1b]52;c;cm0gLXJmIH4=\x1b\\", "cm0gLXJmIH4="),  # OSC 52, ST
    ("ding\x07dong", "dong"),  # BEL
    ("secret\x08\x08\x08\x08\x08\x08public", "public"),  # BS overwrite
    ("fake status 200\rreal", "real"),  # CR overwrite
    ("line1\nline2", "line2"),  # LF
    ("a\tb", "b"),  # TAB
    ("\x9b31mC1 CSI", "C1 CSI"),  # 8-bit CSI
    ("\x9d0;c1 title\x9c", "c1 title"),  # 8-bit OSC and ST
    ("\x85next line", "next line"),  # NEL
    ("invoice\u202egnp.exe", "gnp.exe"),  # RLO bidi override
    ("\u2066isolated\u2069", "isolated"),  # LRI/PDI
    ("\u202aembed\u202c", "embed"),  # LRE/PDF
    ("\u200bzero\u200cwidth\u200djoin", "width"),  # ZWSP ZWNJ ZWJ
    ("\ufeffbom", "bom"),  # BOM / ZWNBSP
    ("word\u2060joiner", "joiner"),  # WORD JOINER
    ("\u200e\u200fmarks", "marks"),  # LRM RLM
    ("\u061carabic letter mark", "arabic letter mark"),
    ("lone\ud800surrogate", "surrogate"),  # lone high surrogate
    ("\udc00low", "low"),  # lone low surrogate
    ("nul\x00byte", "byte"),  # NUL
    ("del\x7fete", "ete"),  # DEL
    ("para\u2028line\u2029sep", "sep"),  # Zl / Zp
    ("\ue000private use", "private use"),  # Co
    ("\U000e0001\U000e0041tags", "tags"),  # Cf language tags
    ("soft\u00adhyphen", "hyphen"),  # Cf SHY
    ("\x1bcreset", "reset"),  # RIS full reset
    ("\x1b[2J\x1b[Hcleared", "cleared"),  # clear screen, cursor home
    ("\x1bP+q544e\x1b\\", "544e"),  # DCS
    ("\x1b_apc\x1b\\", "apc"),  # APC
    ("\x1b[?1049halt screen", "alt screen"),
    ("中文\x1b[31m路径", "中文"),  # CJK next to ESC
    ("\x1b[6n", "6n"),  # device status report (terminal answers into stdin)
]


def test_enough_hostile_values() -> None:
    assert len(HOSTILE) >= 25


@pytest.mark.parametrize(("value", "visible"), HOSTILE)
def test_hostile_value_is_neutralised_and_text_remains(value: str, visible: str) -> None:
    out = inert(value)
    assert_harmless(out)
    assert visible in out
    assert_visible_kept(value, out)
    assert not is_inert(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\x1b[31m", "\u241b[31m"),
        ("\x00", "\u2400"),
        ("\x07", "\u2407"),
        ("\x08", "\u2408"),
        ("\t", "\u2409"),
        ("\n", "\u240a"),
        ("\r", "\u240d"),
        ("\x1f", "\u241f"),
        ("\x7f", "\u2421"),
        ("\x85", "<U+0085>"),
        ("\x9b", "<U+009B>"),
        ("\u202e", "<U+202E>"),
        ("\u200b", "<U+200B>"),
        ("\ufeff", "<U+FEFF>"),
        ("\ud800", "<U+D800>"),
        ("\U000e0041", "<U+E0041>"),
        ("\U0010fffd", "<U+10FFFD>"),
    ],
)
def test_exact_replacements(value: str, expected: str) -> None:
    assert inert(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "https://cdn.example.com/a/b.png?x=1&y=2",
        "GET 200 1.2.3.4 CN",
        "中文/路径/图片.png",
        "emoji \U0001f600 ok",
        "non\u00a0breaking",  # NBSP is a space, not a control: kept
        "café déjà vu",
        "",
    ],
)
def test_harmless_text_is_unchanged(value: str) -> None:
    assert inert(value) == value


def test_plain_text_takes_the_fast_path() -> None:
    plain = "https://cdn.example.com/" + "a" * 500
    assert inert(plain) is plain  # no copy: nothing to do


def test_markup_is_not_touched() -> None:
    # Widgets render Text, never markup; inert must not eat brackets.
    assert inert("[bold red]x[/]") == "[bold red]x[/]"


def test_truncation_with_ellipsis() -> None:
    assert inert("abcdef", 4) == "abc" + ELLIPSIS
    assert inert("abcd", 4) == "abcd"
    assert inert("abc", 0) == ""
    assert inert("abcdef", 1) == ELLIPSIS
    # Escapes expand the text; the cap still holds.
    out = inert("\u202eabcdef", 6)
    assert len(out) == 6 and out.endswith(ELLIPSIS)
    assert_harmless(out)


def test_100kb_hostile_value_is_cut_and_cleaned() -> None:
    value = ("\x1b]52;c;" + "A" * 1000 + "\x07\u202e\x9b") * 100
    assert len(value) > 100_000
    out = inert(value, max_len=200)
    assert len(out) == 200
    assert out.endswith(ELLIPSIS)
    assert_harmless(out)
    assert "AAAA" in out
    full = inert(value)
    assert_harmless(full)
    assert len(full) > len(value)
    assert full.count("A" * 1000) == 100


def test_random_strings_property() -> None:
    pools = [
        range(0x00, 0x80),
        range(0x80, 0x100),
        range(0x2000, 0x2070),
        range(0xD7F0, 0xE010),
        range(0xFEF0, 0x10000),
        range(0x4E00, 0x4E40),
        range(0xE0000, 0xE0080),
        range(0x1F600, 0x1F610),
    ]
    for seed in range(300):
        rng = random.Random(seed)
        s = "".join(chr(rng.choice(rng.choice(pools))) for _ in range(rng.randrange(0, 60)))
        out = inert(s)
        assert_harmless(out)
        assert_visible_kept(s, out)
        cut = inert(s, 10)
        assert len(cut) <= 10
        assert_harmless(cut)
