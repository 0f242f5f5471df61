"""The batch text: prefixes, tagging toggles, scope warnings."""

from __future__ import annotations

from tui.refresh.lines import (
    count_entries,
    directory_of,
    entry_lines,
    join_lines,
    plan_text,
    scope_warnings,
    split_prefix,
    tagged_entries,
    toggle_entry,
)
from tui.refresh.plan import RefreshKind

U, D = RefreshKind.URL, RefreshKind.DIRECTORY


def test_prefixes_set_the_type() -> None:
    assert split_prefix("dir https://a.example.com/x/", U) == ("https://a.example.com/x/", D)
    assert split_prefix("url https://a.example.com/x", D) == ("https://a.example.com/x", U)
    assert split_prefix("https://a.example.com/x", D) == ("https://a.example.com/x", D)
    assert split_prefix("dir", U) == ("dir", U)  # a prefix alone is just text (and invalid later)


def test_line_numbers_keep_blank_lines() -> None:
    lines = entry_lines("https://a.example.com/1\n\n*bad", U)
    assert len(lines) == 3
    plan = plan_text("https://a.example.com/1\n\nhttps://a.example.com/*", U, "a.example.com")
    assert [p.line_no for p in plan.problems] == [3]


def test_mixed_types_are_grouped_into_requests() -> None:
    text = "\n".join([f"url https://a.example.com/{i}.png" for i in range(25)] + ["dir https://a.example.com/img/"])
    plan = plan_text(text, U, "a.example.com")
    kinds = [(r.kind, len(r.urls)) for r in plan.requests]
    assert kinds == [(U, 20), (U, 5), (D, 1)]


def test_toggle_adds_and_removes() -> None:
    text, added = toggle_entry("", "https://a.example.com/x.png", U)
    assert added and text == "url https://a.example.com/x.png"
    text, added = toggle_entry(text, "https://a.example.com/", D)
    assert added and count_entries(text) == 2
    assert tagged_entries(text, U) == {"https://a.example.com/x.png": U, "https://a.example.com/": D}
    text, added = toggle_entry(text, "https://a.example.com/x.png", U)
    assert not added and count_entries(text) == 1


def test_directory_of() -> None:
    assert directory_of("https://a.example.com/img/p/1.jpg?w=3") == "https://a.example.com/img/p/"
    assert directory_of("https://a.example.com/x") == "https://a.example.com/"
    assert directory_of("https://a.example.com") == "https://a.example.com/"


def test_scope_warnings() -> None:
    assert scope_warnings(plan_text("https://a.example.com/1", U, None)) == []
    w = scope_warnings(plan_text("dir https://a.example.com/img/", U, None))
    assert len(w) == 1 and "https://a.example.com/img/" in w[0]
    big = "\n".join(f"https://a.example.com/{i}" for i in range(101))
    w = scope_warnings(plan_text(big, U, None))
    assert len(w) == 1 and "101 entries" in w[0]


def test_history_back_to_text() -> None:
    assert join_lines([("url", "https://a/1"), ("directory", "https://a/d/")]) == "url https://a/1\ndir https://a/d/"
