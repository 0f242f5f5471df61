"""Following shows the newest rows even when the whole backlog arrives in one page and
nothing comes after it (a quiet domain).

Found by the hostile-terminal test: the dashboard said FOLLOW while it showed the OLDEST
rows. `LogView.data_changed` sets `virtual_size` and scrolls at once, but Textual only lets a
widget scroll once its scrollbar is shown, and that is recomputed at the next layout: the
first scroll after the buffer outgrows one page is dropped. Any later change scrolls again,
so it only stays wrong when nothing else arrives. The fix belongs in tui/widgets/logview.py
(`force=True` in its `scroll_to` calls: the view, not the overflow style, decides).
"""

from __future__ import annotations

from tests.app.conftest import wait_until
from tui.widgets.logview import LogView


async def test_quiet_domain_backlog_in_one_page_is_shown_at_its_end(app_for, quiet_sim) -> None:
    # the series answer first (a frame with no rows yet), then one short page of logs
    quiet_sim.sim.faults.set({"latency_s": 0.6, "path": "logs", "count": 1})
    app = app_for(quiet_sim)
    async with app.run_test(size=(120, 40)) as pilot:
        st = app.state
        await wait_until(pilot, lambda: st.caught_up and len(st.buffer) > 0 and st.series_version > 0)
        await pilot.pause(0.5)
        lv = app.screen.query_one(LogView)
        n = st.buffer.view_len
        assert n > lv.size.height  # more than one page, all in one response
        assert lv.following
        assert lv.max_scroll_y > 0 and lv.scroll_y == lv.max_scroll_y, (lv.scroll_y, lv.max_scroll_y)
        drawn = "".join(seg.text for seg in lv.render_line(lv.size.height - 1))
        newest = st.buffer.view_entry(n - 1)
        assert newest.url.split("/", 3)[-1][:20] in drawn
