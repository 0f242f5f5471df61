"""The middle elision of long keys (URLs) in narrow columns."""

from __future__ import annotations

from tui.core.elide import elide_middle

URL = "https://cdn.example.com/assets/2026/campaign/banners/hero-large.webp"


def test_short_text_is_unchanged() -> None:
    assert elide_middle("https://a/b.png", 40) == "https://a/b.png"
    assert elide_middle("", 5) == ""


def test_keeps_scheme_host_and_file_name() -> None:
    out = elide_middle(URL, 50)
    assert len(out) == 50
    assert out.startswith("https://cdn.example.com…")
    assert out.endswith("/banners/hero-large.webp")


def test_two_urls_differing_near_the_end_stay_distinct() -> None:
    a = "https://cdn.example.com/assets/2026/campaign/banners/a/logo.png"
    b = "https://cdn.example.com/assets/2026/campaign/banners/b/logo.png"
    assert elide_middle(a, 40) != elide_middle(b, 40)
    assert elide_middle(a, 40).endswith("/a/logo.png")


def test_too_narrow_for_host_and_name_keeps_both_ends() -> None:
    out = elide_middle(URL, 20)
    assert len(out) == 20 and "…" in out
    assert out.startswith("https") and out.endswith(".webp")


def test_non_urls_and_tiny_widths() -> None:
    assert elide_middle("abcdefghij", 5) == "ab…ij"
    assert elide_middle("abcdefghij", 1) == "…"
    assert elide_middle("abcdefghij", 0) == ""
    for w in range(0, 30):
        assert len(elide_middle(URL, w)) == min(w, len(URL))
