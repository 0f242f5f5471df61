"""Keys shown as typed (help, palette), keymap conflicts, the pending batch count and the
refresh modal's type in words: the real app with Pilot against the simulator over loopback."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import wait_until
from tui.refresh.lines import plan_text
from tui.refresh.plan import RefreshKind
from tui.screens.help import HelpScreen, key_label
from tui.screens.refresh import RefreshModal
from tui.widgets.logview import LogView

D = "https://cdn.example.com"


def loaded(app) -> bool:
    return app.state.caught_up and len(app.state.buffer) > 0 and app.state.log_health.state == "ok"


def test_key_labels_are_what_people_type() -> None:
    assert key_label("left_square_bracket") == "["
    assert key_label("right_square_bracket") == "]"
    assert key_label("exclamation_mark") == "!"
    assert key_label("question_mark") == "?"
    assert key_label("plus,equals_sign") == "+ ="
    assert key_label("minus") == "-" and key_label("slash") == "/"
    assert key_label("space") == "space"
    assert key_label("greater_than_sign") == ">"
    assert key_label("ctrl+t") == "ctrl+t" and key_label("j,down") == "j ↓"


async def test_help_and_palette_show_typed_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Prev domain ([)" in titles and "Next domain (])" in titles
        assert "Slower poll (+ =)" in titles and "Tag URL (space)" in titles
        assert not [t for t in titles if "_" in t], titles
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("Static").render())
        rows = {line.split()[0]: line for line in text.splitlines() if "(dashboard." in line}
        assert "dashboard.domain_prev" in rows["["] and "dashboard.domain_next" in rows["]"]
        assert "dashboard.poll_faster" in rows["-"] and "dashboard.tag_url" in rows["space"]
        assert "square_bracket" not in text and "question_mark" not in text


async def test_a_keymap_entry_on_a_taken_key_warns_at_start(make_app, tmp_path: Path) -> None:
    app = make_app(config_text='[keymap]\n"dashboard.class_5xx" = "q"\n"dashboard.nope" = "z"\n'
                               '"dashboard.follow" = "F"\n', tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        messages = [n.message for n in app._notifications]
        want = 'keymap: "q" for dashboard.class_5xx is already app.quit\'s key'
        assert want in messages, messages
        assert any("keymap" in m and "dashboard.nope" in m and "unknown" in m for m in messages)
        assert not [m for m in messages if "dashboard.follow" in m]  # a free key is no conflict
        assert all("\n" not in m for m in messages if m.startswith("keymap"))


async def test_header_counts_what_will_be_sent(make_app) -> None:
    """30 lines with one duplicate (two spellings of one URL) is 29 entries, as the plan says."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        lines = [f"{D}/img/{i}.png" for i in range(27)] + [f"{D}/a b.png", f"{D}/a%20b.png"]
        await pilot.press("r")
        await pilot.pause(0.1)
        app.screen.query_one("#entries").insert("\n".join(lines))
        await pilot.pause(0.1)
        await pilot.press("escape")
        await pilot.pause(0.1)
        entry = app.screen.query_one(LogView).selected
        await pilot.press("space")  # the 30th line, tagged from the log pane
        await pilot.pause(0.3)
        text, kind = app.desk.load_draft()
        assert app.desk.tag_of(entry) == "url"
        assert len([ln for ln in text.split("\n") if ln.strip()]) == 30
        want = len(plan_text(text, kind, app.desk.refresh_domain).entries)
        assert want == 29
        status = str(app.screen.query_one("#status").render())
        assert f"refresh batch: {want}" in status, status
        assert any(f"({want} pending" in n.message for n in app._notifications)


async def test_the_modal_names_the_default_type_in_words(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("r")
        await pilot.pause(0.1)
        assert isinstance(app.screen, RefreshModal)

        def shown() -> str:
            return str(app.screen.query_one("#kind-help").render())

        assert "prefix are URLs" in shown() and "directories" not in shown()
        await pilot.press("ctrl+t")
        await pilot.pause(0.1)
        assert app.desk.load_draft()[1] is RefreshKind.DIRECTORY
        assert "prefix are directories" in shown() and "URLs" not in shown()
        await pilot.press("ctrl+t")
        await pilot.pause(0.1)
        assert "prefix are URLs" in shown()


def test_keymap_checks_compare_keys_as_typed_and_after_the_remap() -> None:
    from tui.app import S4TopApp
    from tui.screens.keymap import keymap_warnings, screen_bindings

    screens = screen_bindings()
    assert {"Dashboard", "RefreshModal", "HelpScreen"} <= {name for name, _ in screens}

    def check(keymap: dict[str, str]) -> list[str]:
        return keymap_warnings(keymap, S4TopApp.BINDINGS, screens)

    # '[' in the config is the key the code calls left_square_bracket
    assert check({"dashboard.follow": "["}) == [
        'keymap: "[" for dashboard.follow is already dashboard.domain_prev\'s key']
    assert check({"dashboard.class_5xx": "q", "app.quit": "x"}) == []  # quit moved away first
    assert len(check({"dashboard.domain_prev": "q,5"})) == 2
    assert check({"refresh.submit": "ctrl+t"}) == [
        'keymap: "ctrl+t" for refresh.submit is already refresh.toggle_type\'s key']


def test_keymap_names_no_terminal_sends_are_reported() -> None:
    from tui.app import S4TopApp
    from tui.screens.keymap import key_name_ok, keymap_warnings, screen_bindings

    screens = screen_bindings()
    # every key the code binds itself passes (the check is not stricter than Textual)
    for _, bindings in [("app", S4TopApp.BINDINGS), *screens]:
        for b in bindings:
            for key in getattr(b, "key", "").split(","):
                assert key_name_ok(key.strip()), key
    assert keymap_warnings({"dashboard.follow": "f5"}, S4TopApp.BINDINGS, screens) == []
    bad = keymap_warnings({"dashboard.follow": "ctrl+qq, f99"}, S4TopApp.BINDINGS, screens)
    assert [w.split(" for ")[0] for w in bad] == ['keymap: "ctrl+qq"', 'keymap: "f99"']
    assert all("out of reach" in w for w in bad)
    for ok in ("ctrl+r", "[", "left_square_bracket", "shift+tab", "ctrl++", "pageup", "alt+x"):
        assert key_name_ok(ok), ok
    for no in ("", "ctrl+", "hello", "foo+a", "f25"):
        assert not key_name_ok(no), no
