"""Only the cells that changed between two renders of the status line are repainted."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from tui.widgets.repaint import cells, changed_regions

DIM = Style(dim=True)
BOLD = Style(bold=True)


def _line(*parts: tuple[str, Style]) -> Strip:
    return Strip([Segment(text, style) for text, style in parts])


def test_equal_renders_repaint_nothing() -> None:
    a = [_line((" s4top ", BOLD), ("updated 1s ago", DIM)), _line(("0 shown", BOLD))]
    assert changed_regions(a, list(a)) == []


def test_the_age_ticking_repaints_one_cell_of_the_first_line() -> None:
    old = [_line((" s4top ", BOLD), ("updated 1s ago  poll 2s", DIM)), _line(("0 shown", BOLD))]
    new = [_line((" s4top ", BOLD), ("updated 2s ago  poll 2s", DIM)), _line(("0 shown", BOLD))]
    assert changed_regions(old, new) == [Region(15, 0, 1, 1)]


def test_a_longer_text_repaints_from_the_first_difference_to_the_end() -> None:
    old = [_line(("updated 9s ago  UTC", DIM))]
    new = [_line(("updated 10s ago  UTC", DIM))]
    # "9s ago  UTC" -> "10s ago  UTC": everything after the 9 moved one cell right
    assert changed_regions(old, new) == [Region(8, 0, 12, 1)]


def test_a_style_change_alone_counts() -> None:
    old = [_line(("FOLLOW", DIM))]
    new = [_line(("FOLLOW", BOLD))]
    assert changed_regions(old, new) == [Region(0, 0, 6, 1)]


def test_wide_characters_take_two_cells() -> None:
    assert len(cells(_line(("⏳ rate limited", BOLD)))) == 15
    old = [_line(("⏳ a", BOLD))]
    new = [_line(("⏳ b", BOLD))]
    assert changed_regions(old, new) == [Region(3, 0, 1, 1)]


def test_a_line_only_in_one_render_is_repainted_whole() -> None:
    old = [_line(("one", DIM))]
    new = [_line(("one", DIM)), _line(("two", DIM))]
    assert changed_regions(old, new) == [Region(0, 1, 3, 1)]
