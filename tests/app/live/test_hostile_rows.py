"""Log fields come from strangers: what the dashboard draws must hold no control characters,
and markup in a field must show as the literal text it is."""

from __future__ import annotations

import unicodedata

from tests.app.conftest import wait_until
from tui.screens.detail import DetailScreen
from tui.widgets.logview import LogView

HOSTILE_URL = "https://cdn.example.com/x\x1b]52;c;aGVsbG8=\x07[bold]BOLD[/bold][@click=app.quit]CLICK[/]\u202egnp.exe"
HOSTILE = {
    "path": HOSTILE_URL,
    "size": 10,
    "code": 500,
    "method": "\x1b[2JGET",
    "ip": "\u202e1.2.3.4\x00",
    "country": "\x9b31m",
    "cache": "[red]MISS",
    "ua": "\x1b]0;pwned\x07\x08\r\n",
    "referer": "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
}


def visible_chars_ok(text: str) -> bool:
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch != "\n":
            return False
    return True


async def test_rows_and_detail_are_inert(make_app, sim_server) -> None:
    now = sim_server.sim.now_ns()
    sim_server.sim.inject("cdn.example.com", [dict(HOSTILE, access_time=now - 1000)])
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: len(app.state.buffer) > 0 and app.state.log_health.state == "ok")
        await pilot.press("slash", *"CLICK", "enter")
        await wait_until(pilot, lambda: app.state.buffer.view_len == 1)
        lv = app.screen.query_one(LogView)
        drawn = ["".join(seg.text for seg in lv.render_line(y)) for y in range(lv.size.height)]
        row = next(line for line in drawn if "CLICK" in line)
        assert visible_chars_ok(row), repr(row)
        assert "[bold]BOLD[/bold]" in row and "[@click=app.quit]" in row
        assert "\u241b" in row  # ESC shown as a visible control picture
        assert app.is_running
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        body = app.screen.query_one("#detail-body").render()
        plain = str(body)
        assert visible_chars_ok(plain)
        assert "[bold]BOLD[/bold]" in plain and "pwned" in plain and "evil.example" in plain
        await pilot.press("escape")
