"""From alert to proof in a real terminal (issue 12): the installed `s4top` against
`s4top simulate` with a sustained 5xx outage on one catalog URL. The alert fires, `w`
explains it, Enter on the top URL row filters the log pane, space tags the URL, r -> ctrl+s ->
y refreshes it, and the tracker reports it purged (status line, then the history `h`)."""

from __future__ import annotations

import os
import stat

import pytest

from tests.e2e.live.test_dashboard_e2e import ROW
from tests.e2e.terminal import Simulate, Terminal, s4top_exe
from tui.sim import DEMO_TOKEN

pytestmark = pytest.mark.e2e
DOMAIN = "cdn.example.com"
# in the catalog, so its good requests go on beside the outage's 503s; 98 % of them HIT, so
# the MISS the tracker sees is most likely the refill after the refresh (a natural MISS
# counts too: the verdict cannot tell them apart)
PATH = "/static/js/app.8f3c2a.js"
URL = f"https://{DOMAIN}{PATH}"


def test_alert_explain_tag_refresh_purged(tmp_path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(DEMO_TOKEN + "\n")
    token_file.chmod(stat.S_IRUSR | stat.S_IWUSR)
    # the token reaches the simulator in a 0600 file and s4top in its environment, never argv
    sim = Simulate(dict(os.environ), "--rate", "30", "--seed", "3", "--domain", DOMAIN,
                   "--no-incidents", f"--outage=-2m,30m,{PATH}", "--token-file", str(token_file))
    env = {**os.environ, "S4TOP_API_BASE": sim.base_url, "S4TOP_DOMAIN": DOMAIN,
           "BITIFUL_API_TOKEN": DEMO_TOKEN, "XDG_DATA_HOME": str(tmp_path / "data")}
    term = Terminal([s4top_exe()], env, width=120, height=40)
    try:
        # 1. the alert fires and its toast names the URL
        screen = term.wait_for(lambda s: "ALERT 5XX" in s and "w explains" in s, timeout=30,
                               what="the 5XX alert and its toast")
        assert "Traceback" not in screen
        # 2. w: the explanation, with the URL first in its block
        term.keys("w")
        screen = term.wait_for(lambda s: "explain 5XX · alert span" in s and "divergence" in s
                               and "Filter log to row" in s,  # its footer: the screen is up
                               what="the explanation")
        lines = screen.splitlines()
        heads = [i for i, ln in enumerate(lines) if "· divergence" in ln]
        url = [i for i in heads if lines[i].split()[0].lower() == "url"]
        assert url, [lines[i] for i in heads]
        assert PATH in lines[url[0] + 1], lines[url[0] + 1]
        # the cursor starts on the first block's top row; j moves a line (headings too)
        for _ in range(url[0] - heads[0]):
            term.keys("j")
        # 3. Enter: back on the dashboard, the log pane filtered to that URL
        term.keys("Enter")
        screen = term.wait_for(lambda s: "explain 5XX" not in s and "filter: 5XX URL =" in s
                               and any(ROW.match(ln) for ln in s.splitlines()),
                               what="the log filtered to the URL")
        rows = [ln for ln in screen.splitlines() if ROW.match(ln) and "▌" not in ln]  # no toast
        assert rows and all(ln.endswith(PATH) for ln in rows), screen
        # 4. space tags the URL under the cursor; r plans, ctrl+s asks, y sends
        term.keys("Space")
        term.wait_for(lambda s: "refresh batch: 1" in s, what="the tag")
        term.keys("r")
        screen = term.wait_for(lambda s: "1 entry -> 1 request" in s, what="the plan")
        assert PATH in screen
        term.keys("C-s")
        term.wait_for(lambda s: "Send 1 entry in 1 request" in s, what="the confirmation")
        term.keys("y")
        term.wait_for(lambda s: "refresh accepted" in s, what="the outcome")
        term.keys("Escape")
        term.wait_for(lambda s: "refresh cache:" not in s, what="the modal to close")
        # 5. the proof: a good MISS after the refresh -> purged (the 503s go on: the origin)
        term.wait_for(lambda s: "1/1 purged" in s and "5XX on them" in s, timeout=30,
                      what="the status line reporting the purge")
        term.keys("h")
        term.wait_for(lambda s: "refresh history" in s and "1 purged" in s,
                      what="the history's verdict")
        term.keys("Enter")
        screen = term.wait_for(lambda s: f"of {DOMAIN} (r: put back" in s and PATH in s,
                               what="the submission's entries and verdicts")
        row = next((ln.split("│")[1].split() for ln in screen.splitlines()
                    if f" {PATH} " in ln and "▌" not in ln), [])  # the cell after the border
        assert row[:2] == ["purged", PATH], screen
        assert "Traceback" not in screen
    finally:
        term.close()
        sim.stop()
