"""The dashboard footer always shows `?` (help), and keys as people type them (#10)."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.app.conftest import wait_until


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_help_key_is_always_visible_in_the_footer(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        keys = list(app.screen.query(FooterKey))
        help_keys = [k for k in keys if k.key_display == "?"]
        assert help_keys, [k.key_display for k in keys]
        region = help_keys[0].region
        assert region.width > 0 and region.right <= size[0], region  # on the screen, not cut off
        # keys read as typed: never Textual's key names
        for k in keys:
            assert "_" not in k.key_display and len(k.key_display) <= 6, k.key_display


async def test_the_footer_fits_120_columns_with_the_incident_keys(make_app) -> None:
    """At 120 columns every key the footer shows is whole and left of `^p palette` (nothing
    hidden under it), and the keys of the workflow alert -> explain -> refresh -> verdict
    are among them; the rest stay in help `?`."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        keys = list(app.screen.query(FooterKey))
        palette = [k for k in keys if k.key_display == "^p"]
        shown = [k for k in keys if k not in palette]
        assert palette and shown
        edge = palette[0].region.x
        hidden = [k.key_display for k in shown if k.region.right > edge]
        assert not hidden, (hidden, edge)
        assert shown[0].key_display == "?"
        assert {"?", "5", "0", "/", "w", "r", "h", "t", "q"} <= {k.key_display for k in shown}


def _footer(app) -> list[FooterKey]:
    return list(app._dashboard.query(FooterKey))


async def test_a_modal_closing_keeps_the_footer_keys_it_shows(make_app) -> None:
    """Help opened and closed: the same keys, so the same widgets (Textual rebuilt all of
    them each time the bindings might have changed, a replay's jump box included)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        before = _footer(app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: app.screen is not app._dashboard)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app._dashboard)
        await pilot.pause()
        after = _footer(app)
        assert [k.key_display for k in after] == [k.key_display for k in before]
        assert all(a is b for a, b in zip(after, before, strict=True))


async def test_the_footer_follows_keys_turned_off_and_on(make_app) -> None:
    """While the filter box has the focus the dashboard's keys are text (check_action): the
    footer drops them, and shows them again once the box is closed."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)

        def shown() -> set[str]:
            return {k.key_display for k in _footer(app)}

        assert "5" in shown()
        await pilot.press("slash")
        await wait_until(pilot, lambda: "5" not in shown())
        await pilot.press("escape")
        await wait_until(pilot, lambda: "5" in shown())
