"""Refresh entries: what is refused, how the rest is encoded, and how it is batched."""

from __future__ import annotations

import pytest

from tui.refresh.plan import (
    MAX_URL_LEN,
    RefreshKind,
    encode_part,
    normalize_entry,
    plan_refresh,
)

URL = RefreshKind.URL
DIR = RefreshKind.DIRECTORY
D = "https://cdn.example.com"

# (input, kind, expected value)
ACCEPTED = [
    (f"{D}/a.png", URL, f"{D}/a.png"),
    (f"{D}/100%.png", URL, f"{D}/100%25.png"),
    (f"{D}/a b.png", URL, f"{D}/a%20b.png"),
    (f"{D}/中.png", URL, f"{D}/%E4%B8%AD.png"),
    (f"{D}/%E4%B8%AD.png", URL, f"{D}/%E4%B8%AD.png"),  # valid %XX kept
    (f"{D}/%e4%b8%ad.png", URL, f"{D}/%e4%b8%ad.png"),  # kept as written
    (f"{D}/50%off%2", URL, f"{D}/50%25off%252"),  # stray %, incomplete %2
    (f"{D}/%zz", URL, f"{D}/%25zz"),
    (f"{D}/a?x=1&y=a b", URL, f"{D}/a?x=1&y=a%20b"),  # query kept, encoded the same way
    (f"{D}/a?q=中", URL, f"{D}/a?q=%E4%B8%AD"),
    (f"{D}/a?", URL, f"{D}/a?"),
    (f"{D}/p/:@!$&'()+,;=", URL, f"{D}/p/:@!$&'()+,;="),  # structure characters kept
    (f"{D}/-._~", URL, f"{D}/-._~"),
    (f'{D}/"<>\\^`{{|}}', URL, f"{D}/%22%3C%3E%5C%5E%60%7B%7C%7D"),  # unsafe ones encoded
    (f"{D}/[x]", URL, f"{D}/%5Bx%5D"),
    (f"{D}/é", URL, f"{D}/%C3%A9"),
    (f"{D}/\U0001f600", URL, f"{D}/%F0%9F%98%80"),
    (f"{D}/%2523", URL, f"{D}/%2523"),  # an encoded '%23' text: not a star, kept
    ("  https://cdn.example.com/x  ", URL, f"{D}/x"),  # stripped
    ("HTTPS://CDN.Example.COM/Path/A.PNG", URL, f"{D}/Path/A.PNG"),  # scheme+host lowered
    ("http://cdn.example.com/x", URL, "http://cdn.example.com/x"),
    ("https://cdn.example.com", URL, f"{D}/"),
    ("https://cdn.example.com?x=1", URL, f"{D}/?x=1"),
    ("https://cdn.example.com:443/x", URL, f"{D}/x"),  # default port dropped
    ("https://cdn.example.com:8443/x", URL, "https://cdn.example.com:8443/x"),
    ("https://cdn.example.com./x", URL, f"{D}/x"),  # trailing dot of the FQDN
    ("https://中文.com/x", URL, "https://xn--fiq228c.com/x"),  # IDNA
    ("https://Bücher.example/x", URL, "https://xn--bcher-kva.example/x"),
    (f"{D}/dir/", DIR, f"{D}/dir/"),
    (f"{D}/dir", DIR, f"{D}/dir/"),  # '/' appended
    (f"{D}/目录", DIR, f"{D}/%E7%9B%AE%E5%BD%95/"),
    (D, DIR, f"{D}/"),
]

# (input, kind, fragment of the reason)
REFUSED = [
    ("", URL, "empty"),
    ("   ", URL, "empty"),
    (f"{D}/*.png", URL, "'*'"),
    (f"{D}/a%2Ab.png", URL, "%2A"),
    (f"{D}/a%2ab.png", URL, "%2A"),
    ("https://*.example.com/x", URL, "'*'"),
    (f"{D}/a.png#top", URL, "fragment"),
    (f"{D}/#", URL, "fragment"),
    ("cdn.example.com/a.png", URL, "missing scheme"),
    ("/a.png", URL, "missing scheme"),
    ("cdn.example.com:8080/a.png", URL, "missing scheme"),
    ("ftp://cdn.example.com/a", URL, "only http"),
    ("javascript:alert(1)", URL, "only http"),
    ("file:///etc/passwd", URL, "only http"),
    ("https://", URL, "missing host"),
    ("https:///a.png", URL, "missing host"),
    ("https:/cdn.example.com/a", URL, "missing host"),
    ("https://:443/a", URL, "missing host"),
    (f"{D}/a\tb", URL, "control character U+0009"),
    (f"{D}/a\x1b[31m", URL, "control character U+001B"),
    (f"{D}/a\x00", URL, "control character U+0000"),
    (f"{D}/a\x85", URL, "control character U+0085"),  # str.strip would eat it silently
    (f"{D}/a\x1f", URL, "control character U+001F"),
    (f"\x1c{D}/a", URL, "control character U+001C"),
    (f"{D}/a\u202eb", URL, "invisible character U+202E"),
    (f"{D}/a\u200bb", URL, "invisible character U+200B"),
    (f"{D}/" + "a" * MAX_URL_LEN, URL, "too long"),
    (f"{D}/" + "中" * 700, URL, "too long"),  # short before encoding, long after
    ("https://user:pw@cdn.example.com/a", URL, "password"),
    ("https://cdn.example.com:http/a", URL, "not a number"),
    ("https://cdn.example.com:99999/a", URL, "out of range"),
    ("https://cdn..example.com/a", URL, "empty label"),
    ("https://-bad.example.com/a", URL, "not valid"),
    ("https://cdn.exa mple.com/a", URL, "not valid"),
    ("https://cdn%2Eexample.com/a", URL, "percent-encoding in the host"),
    ("https://[::1]/a", URL, "IP address"),
    (f"{D}/dir/?x=1", DIR, "query string"),
]


def test_table_is_big_enough() -> None:
    assert len(ACCEPTED) + len(REFUSED) >= 40


@pytest.mark.parametrize(("text", "kind", "expected"), ACCEPTED)
def test_accepted_and_encoded(text: str, kind: RefreshKind, expected: str) -> None:
    result = normalize_entry(text, kind)
    assert result.ok, result.reason
    assert result.value == expected
    assert result.reason == ""


@pytest.mark.parametrize(("text", "kind", "fragment"), REFUSED)
def test_refused_with_a_reason(text: str, kind: RefreshKind, fragment: str) -> None:
    result = normalize_entry(text, kind)
    assert not result.ok
    assert result.value == ""
    assert fragment in result.reason


def test_encoding_is_idempotent() -> None:
    for text, kind, expected in ACCEPTED:
        again = normalize_entry(expected, kind)
        assert again.ok and again.value == expected, text


def test_encode_part_keeps_structure() -> None:
    assert encode_part("/a b/100%/%41?x=中") == "/a%20b/100%25/%41?x=%E4%B8%AD"


def test_directory_slash_is_added_with_a_note() -> None:
    result = normalize_entry(f"{D}/static", DIR)
    assert result.value == f"{D}/static/"
    assert any("added" in n for n in result.notes)
    assert not any("added" in n for n in normalize_entry(f"{D}/static/", DIR).notes)


def test_other_host_is_a_note_not_a_refusal() -> None:
    result = normalize_entry("https://img.example.org/a.png", URL, domain="cdn.example.com")
    assert result.ok
    assert any("not the selected domain" in n for n in result.notes)
    same = normalize_entry("https://CDN.example.com/a.png", URL, domain="cdn.example.com")
    assert same.ok and not any("selected domain" in n for n in same.notes)


def test_idna_domain_comparison_uses_the_encoded_form() -> None:
    result = normalize_entry("https://中文.com/a", URL, domain="中文.com")
    assert result.ok and not any("selected domain" in n for n in result.notes)
    assert any("xn--fiq228c.com" in n for n in result.notes)  # says what is sent


def test_plan_dedupes_after_encoding() -> None:
    plan = plan_refresh(
        [f"{D}/a b.png", f"{D}/a%20b.png", "https://CDN.EXAMPLE.COM/a%20b.png", f"{D}/c.png"],
        URL,
    )
    assert plan.entries == [(URL, f"{D}/a%20b.png"), (URL, f"{D}/c.png")]
    assert plan.duplicates == 2
    assert any("line 2" in n and "line 1" in n for n in plan.notes)


def test_plan_skips_blank_and_comment_lines_and_numbers_problems() -> None:
    text = f"# header\n\n{D}/a.png\n   \nftp://x/y\n  # indented comment\n{D}/b#c\n"
    plan = plan_refresh(text, URL)
    assert [e[1] for e in plan.entries] == [f"{D}/a.png"]
    assert [(p.line_no, p.text) for p in plan.problems] == [(5, "ftp://x/y"), (7, f"{D}/b#c")]
    assert not plan.ok


def test_plan_chunks_45_into_20_20_5() -> None:
    plan = plan_refresh([f"{D}/f{i}.png" for i in range(45)], URL)
    assert [len(r.urls) for r in plan.requests] == [20, 20, 5]
    assert all(r.kind is URL for r in plan.requests)
    assert [u for r in plan.requests for u in r.urls] == [f"{D}/f{i}.png" for i in range(45)]
    assert plan.requests[0].to_body() == {"type": "url", "url_list": plan.requests[0].urls}
    assert plan.ok


def test_plan_custom_chunk_and_bounds() -> None:
    plan = plan_refresh([f"{D}/f{i}" for i in range(7)], URL, chunk=3)
    assert [len(r.urls) for r in plan.requests] == [3, 3, 1]
    with pytest.raises(ValueError):
        plan_refresh([], URL, chunk=21)
    with pytest.raises(ValueError):
        plan_refresh([], URL, chunk=0)


def test_plan_groups_mixed_kinds_one_kind_per_request() -> None:
    lines = []
    for i in range(23):
        lines.append((f"{D}/u{i}.png", URL))
        if i % 5 == 0:
            lines.append((f"{D}/d{i}", DIR))
    plan = plan_refresh(lines, URL)
    kinds = [(r.kind, len(r.urls)) for r in plan.requests]
    assert kinds == [(URL, 20), (URL, 3), (DIR, 5)]
    assert all(u.endswith("/") for u in plan.requests[2].urls)
    # The same URL as url and as directory are two different refreshes.
    both = plan_refresh([(f"{D}/x/", URL), (f"{D}/x/", DIR)], URL)
    assert len(both.entries) == 2 and both.duplicates == 0


def test_plan_notes_name_the_line() -> None:
    plan = plan_refresh([f"{D}/dir", "https://other.example/x/"], DIR, domain="cdn.example.com")
    assert any(n.startswith("line 1:") and "added" in n for n in plan.notes)
    assert any(n.startswith("line 2:") and "selected domain" in n for n in plan.notes)
    assert plan.ok


def test_kind_may_be_given_as_a_string() -> None:
    plan = plan_refresh([f"{D}/a"], "directory")
    assert plan.entries == [(DIR, f"{D}/a/")]
    assert normalize_entry(f"{D}/a", "url").value == f"{D}/a"
