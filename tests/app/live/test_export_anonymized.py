"""`e`/`E` with the anonymize_ip setting: the exported client IPs are cut, the dashboard's
own buffer keeps them whole, and the export files are private (0600)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.app.conftest import wait_until
from tui.core.anonymize import anonymize_ip


def loaded(app) -> bool:
    st = app.state
    return st.caught_up and len(st.buffer) > 0 and st.log_health.state == "ok"


async def test_export_cuts_client_ips_with_the_setting(make_app, tmp_path: Path) -> None:
    app = make_app(export_dir=str(tmp_path), config_text="anonymize_ip = true\n",
                   tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        shown = [e.client_ip for e in app.state.buffer.matching()]
        await pilot.press("e")
        await pilot.press("E")
    (jsonl,) = tmp_path.glob("s4top-*.jsonl")
    (log,) = tmp_path.glob("s4top-*.log")
    ips = [json.loads(x)["client_ip"] for x in jsonl.read_text().splitlines()]
    assert ips == [anonymize_ip(ip) for ip in shown]
    assert any(":" in ip for ip in ips) and any("." in ip for ip in ips)  # both families
    assert ips != shown  # the buffer kept the whole addresses
    text = log.read_text()
    assert all(ip not in text for ip in set(shown) - set(ips))
    for f in (jsonl, log):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600


async def test_export_keeps_ips_without_the_setting(make_app, tmp_path: Path) -> None:
    app = make_app(export_dir=str(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        shown = [e.client_ip for e in app.state.buffer.matching()]
        await pilot.press("e")
    (jsonl,) = tmp_path.glob("s4top-*.jsonl")
    assert [json.loads(x)["client_ip"] for x in jsonl.read_text().splitlines()] == shown
