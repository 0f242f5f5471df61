"""The token never leaks from the dashboard: not to the terminal, the F8 screenshots, the
history, the drafts, ui.json, a toast, the status line, an exception's text, or the argv of
any process started. A recognisable token comes from a token file; the servers are told to
fail in every way, one of them echoing the token back in every body.

The command-line side (logs/stats/refresh/doctor output, exit codes, argv while following)
is covered by tests/integration/cli/test_cli_exit_secrets.py and not repeated here.
"""

from __future__ import annotations

import json
import os
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tests.integration.cli_support import Admin, base_env, write_config
from tests.security.ptyterm import S4TOP, PtyRun
from tui.api.client import RetryPolicy, S4Client
from tui.api.errors import ApiError
from tui.config import load_settings
from tui.context import build_context
from tui.core.models import Metric, RefreshKind, RefreshRequest
from tui.sim import SimConfig, SimServer

SECRET = "s4tk-7d2e9b-VERY-SECRET-c0ffee42"


def token_file(tmp_path: Path) -> Path:
    tok = tmp_path / "token"
    tok.write_text(SECRET + "\n")
    tok.chmod(0o600)
    return tok


def data_files() -> list[Path]:
    """Everything s4top wrote to its data dir: history, drafts, ui.json."""
    root = Path(os.environ["XDG_DATA_HOME"]) / "s4top"
    return [p for p in root.rglob("*") if p.is_file()]


def assert_no_secret(where: str, text: str | bytes) -> None:
    needle: Any = SECRET.encode() if isinstance(text, bytes) else SECRET
    assert needle not in text, f"the token leaked into {where}"


# ------------------------------------------------------------------------ an echoing server


class _Echo(BaseHTTPRequestHandler):
    """Answers every request by quoting its Authorization header back: in a 401, a 500, a
    body of an unknown shape, a refresh answer. Whatever the client makes of these must
    show '***' where the token was."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        token = self.headers.get("Authorization", "")
        mode = self.server.mode  # type: ignore[attr-defined]
        status, body = {
            "401": (401, {"code": 401, "message": f"invalid token {token}"}),
            "500": (500, {"code": 500, "message": f"backend said: Authorization={token}"}),
            "shape": (200, {"result": {"echo": token, "hint": "no data here"}}),
            "not-json": (200, f"<html>token {token}</html>"),
            "refresh": (200, {"message": f"failed for {token}", "code": 7}),
        }[mode]
        data = (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def echo_server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    httpd.daemon_threads = True
    httpd.mode = "401"  # type: ignore[attr-defined]
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def _exception_texts(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), *map(str, exc.args), "".join(traceback.format_exception(exc))])


async def test_exception_texts_mask_an_echoed_token(tmp_path: Path) -> None:
    tok = token_file(tmp_path)
    texts: list[str] = []
    with echo_server() as httpd:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        async with S4Client(base, lambda: tok.read_text().strip(), retry=RetryPolicy(attempts=1),
                            refresh_retry=RetryPolicy(attempts=1)) as client:
            texts.append(repr(client))
            for mode in ("401", "500", "shape", "not-json"):
                httpd.mode = mode  # type: ignore[attr-defined]
                for call in (client.logs_page(DOMAIN, FIXED_NS),
                             client.series(DOMAIN, Metric.TRAFFIC, 1_700_000_000, 1_700_003_600, "hourly")):
                    with pytest.raises(ApiError) as info:
                        await call
                    texts.append(_exception_texts(info.value))
                raw = await client.raw_get(f"/cdn/data/{DOMAIN}/logs", {"start_time": 1})
                assert SECRET.encode() in raw.body  # the server really did echo it
            httpd.mode = "refresh"  # type: ignore[attr-defined]
            outcome = await client.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a.png"]))
            texts.append(repr(outcome))
            httpd.mode = "401"  # type: ignore[attr-defined]
            with pytest.raises(ApiError) as info:
                await client.refresh(RefreshRequest(RefreshKind.URL, ["https://cdn.example.com/a.png"]))
            texts.append(_exception_texts(info.value))
    for t in texts:
        assert_no_secret("an exception or outcome text", t)
    assert sum("***" in t for t in texts) >= 8  # the echo was there, masked


async def test_dashboard_against_an_echoing_server_shows_no_token(tmp_path: Path, monkeypatch) -> None:
    from tests.app.conftest import wait_until
    from tui.app import S4TopApp

    tok = token_file(tmp_path)
    shots = tmp_path / "shots"
    seen: list[str] = []
    with echo_server() as httpd:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        settings = load_settings(flags={"api_base": base, "domain": DOMAIN, "token_file": str(tok),
                                        "poll_interval": 0.2, "backoff_base": 0.1, "backoff_cap": 0.2,
                                        "auth_backoff": 0.2, "export_dir": str(shots)})
        ctx = build_context(settings)
        app = S4TopApp(ctx)
        async with app.run_test(size=(160, 40)) as pilot:
            status = lambda: str(app.screen.query_one("#status").render())  # noqa: E731
            for mode, shows in (("401", "auth error"), ("500", "HTTP 500"), ("shape", "no list of log entries"),
                                ("not-json", "not valid JSON")):
                httpd.mode = mode  # type: ignore[attr-defined]
                try:
                    await wait_until(pilot, lambda shows=shows: shows in status() + app.state.log_health.message,
                                     timeout=10)
                except AssertionError:
                    raise AssertionError(f"{mode}: {status()!r} {app.state.log_health.message!r}") from None
                await pilot.press("f8")
                await pilot.pause(0.1)
                seen += [status(), app.state.log_health.message, app.state.series_error]
            seen += [f"{n.title} {n.message}" for n in app._notifications]
            seen += [repr(ctx), repr(ctx.token), repr(settings.values)]
    assert any("***" in s for s in seen), seen  # the echoed token reached the screen masked
    for s in seen:
        assert_no_secret("the dashboard's text", s)
    svgs = list(shots.glob("*.svg"))
    assert len(svgs) == 4
    for svg in svgs:
        assert_no_secret(svg.name, svg.read_bytes())


# ------------------------------------------------------------------------ Pilot, whole flow


async def test_dashboard_flow_with_a_token_file_leaks_nothing(tmp_path: Path) -> None:
    """F8 on every screen, a 401 and an unknown shape mid-run, the detail view, a refresh
    sent and one refused, a theme change (ui.json): then every file and text is grepped."""
    from tests.app.conftest import wait_until
    from tui.app import S4TopApp
    from tui.screens.detail import DetailScreen
    from tui.screens.refresh import RefreshModal

    tok = token_file(tmp_path)
    shots = tmp_path / "shots"
    with SimServer(SimConfig(seed=3, rate=5.0, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,),
                             token=SECRET)) as server:
        sim = server.sim
        settings = load_settings(flags={"api_base": server.base_url, "domain": DOMAIN, "token_file": str(tok),
                                        "poll_interval": 0.2, "backoff_base": 0.1, "backoff_cap": 0.2,
                                        "auth_backoff": 0.2, "read_timeout": 1.0, "export_dir": str(shots)})
        app = S4TopApp(build_context(settings), clock_ns=sim.now_ns)
        texts: list[str] = []
        async with app.run_test(size=(120, 40)) as pilot:
            st = app.state
            status = lambda: str(app.screen.query_one("#status").render())  # noqa: E731
            await wait_until(pilot, lambda: st.caught_up and len(st.buffer) > 0)
            await pilot.press("f8")
            sim.faults.set({"status": 401, "path": "logs"})
            await wait_until(pilot, lambda: "auth error" in status(), timeout=10)
            await pilot.press("f8")
            texts.append(status())
            sim.faults.set({"shape": "unknown", "path": "logs"})
            await wait_until(pilot, lambda: "no list of log entries" in st.log_health.message, timeout=10)
            await pilot.press("f8")
            texts += [status(), st.log_health.message]
            sim.faults.clear()
            await wait_until(pilot, lambda: st.log_health.state == "ok", timeout=10)
            await pilot.press("enter")
            assert isinstance(app.screen, DetailScreen)
            await pilot.press("f8")
            texts.append(str(app.screen.query_one("#detail-body").render()))
            await pilot.press("escape", "r")
            modal = app.screen
            assert isinstance(modal, RefreshModal)
            modal.query_one("#entries").insert("https://cdn.example.com/secret-check.png")
            await pilot.pause(0.1)
            await pilot.press("ctrl+s", "y")
            await wait_until(pilot, lambda: app.desk.refresh_job is not None and not app.desk.refresh_job.running)
            assert app.desk.refresh_job.ok
            await pilot.press("f8")
            sim.faults.set({"status": 401, "path": "refresh"})
            await pilot.press("escape", "r")  # a new batch
            modal = app.screen
            assert isinstance(modal, RefreshModal)
            modal.query_one("#entries").insert("https://cdn.example.com/refused.png")
            await pilot.pause(0.1)
            await pilot.press("ctrl+s", "y")
            await wait_until(pilot, lambda: not app.desk.refresh_job.running)
            assert not app.desk.refresh_job.ok
            texts.append(str(modal.query_one("#send-summary").render()))
            sim.faults.clear()
            app.theme = "nord"  # remembered in ui.json
            await pilot.pause(0.1)
            texts += [f"{n.title} {n.message}" for n in app._notifications]
    texts += [repr(app.ctx), repr(app.client)]
    for t in texts:
        assert_no_secret("the dashboard's text", t)
    assert len(list(shots.glob("*.svg"))) == 5
    files = data_files() + list(shots.glob("*.svg"))
    names = {p.name for p in files}
    assert {"history.jsonl", "ui.json"} <= names, names
    assert any(p.parent.name == DOMAIN and p.suffix == ".json" for p in files), names  # a draft
    for p in files:
        assert_no_secret(str(p), p.read_bytes())
    records = [json.loads(x) for x in (Path(os.environ["XDG_DATA_HOME"]) / "s4top" / "history.jsonl").read_text().splitlines()]
    assert [r["requests"][0]["ok"] for r in records] == [True, False]


# ------------------------------------------------------------------------ the real command


def _cmdlines(pids: list[int]) -> list[bytes]:
    out = []
    for pid in pids:
        try:
            out.append(Path(f"/proc/{pid}/cmdline").read_bytes())
        except OSError:
            pass
    return out


def shoot(term: PtyRun, folder: Path) -> None:
    """F8, and wait for the new SVG (on any screen: the detail view and the refresh window
    are modal, and F8 must work there too)."""
    seen = len(list(folder.glob("*.svg")))
    term.send("f8", gap=0.05)
    term.wait_for(lambda _b: len(list(folder.glob("*.svg"))) > seen, 10, "the F8 screenshot")


def test_installed_dashboard_in_a_pty_leaks_nothing(tmp_path: Path) -> None:
    """`s4top simulate` (its token from S4TOP_SIM_TOKEN) and the dashboard (its token from a
    file), as real processes: their argv, every byte of the terminal, every file."""
    from tests.e2e.terminal import Simulate

    tok = token_file(tmp_path)
    shots = tmp_path / "shots"
    cfg = write_config(tmp_path / "c.toml", export_dir=str(shots), poll_interval=0.3, backoff_base=0.1,
                       backoff_cap=0.3, auth_backoff=0.3)
    env = base_env("http://unused", S4TOP_CONFIG=str(cfg))
    env.pop("BITIFUL_API_TOKEN")
    sim = Simulate({**env, "S4TOP_SIM_TOKEN": SECRET}, "--rate", "5", "--domain", DOMAIN)
    try:
        admin = Admin(sim.base_url)
        term = PtyRun([S4TOP, "--api-base", sim.base_url, "--token-file", str(tok)], env)
        try:
            term.wait_for(lambda b: "● ok".encode() in b, 20, "the dashboard")
            cmdlines = _cmdlines([sim.proc.pid, term.pid])
            assert len(cmdlines) == 2 and str(tok).encode() in cmdlines[1]  # we do see them
            shoot(term, shots)
            admin.fault(status=401, path="logs")
            term.wait_for(lambda b: b"auth error" in b, 10, "the auth error")
            shoot(term, shots)
            admin.fault(shape="unknown", path="logs")
            term.wait_for(lambda b: b"unexpected response" in b or b"no list of log entries" in b, 10, "the shape error")
            admin.clear()
            term.wait_quiet(0.3)
            term.send("G", "enter", gap=0.3)
            term.wait_for(lambda b: b"entry detail" in b, 10, "the detail view")
            shoot(term, shots)
            term.send("escape", "r", gap=0.3)
            term.send(*"https://cdn.example.com/pty-check.png", gap=0.01)
            term.wait_quiet(0.3)
            term.send("ctrl+s", gap=0.4)
            term.send("y", gap=0.3)
            term.wait_for(lambda b: b"refresh accepted" in b, 10, "the refresh result")
            shoot(term, shots)
            cmdlines += _cmdlines([sim.proc.pid, term.pid])
            assert term.quit() == 0
        finally:
            term.close()
        refreshes = admin.refreshes()
    finally:
        sim.stop()
    assert [r["url_list"] for r in refreshes] == [["https://cdn.example.com/pty-check.png"]]
    assert_no_secret("the terminal", term.output)
    for c in cmdlines:
        assert_no_secret("a process's argv", c)
    shots_made = list(shots.glob("*.svg"))
    assert len(shots_made) == 4
    for p in data_files() + shots_made:
        assert_no_secret(str(p), p.read_bytes())


# ------------------------------------------------------------------------ warnings in the TUI


async def test_dashboard_shows_the_startup_warnings(tmp_path: Path) -> None:
    """A token file others can read and TLS verification off are printed before the screen
    opens, where the full-screen app would hide them: the dashboard repeats them as toasts."""
    from tests.app.conftest import wait_until
    from tui.app import S4TopApp

    tok = token_file(tmp_path)
    tok.chmod(0o644)
    with SimServer(SimConfig(seed=3, rate=1.0, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,), token=SECRET)) as server:
        settings = load_settings(flags={"api_base": server.base_url, "domain": DOMAIN, "token_file": str(tok),
                                        "insecure": True})
        app = S4TopApp(build_context(settings), clock_ns=server.sim.now_ns)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.state.caught_up)
            messages = [n.message for n in app._notifications]
    assert any(f"token file {tok} is readable by others" in m and f"chmod 600 {tok}" in m for m in messages), messages
    assert any("TLS certificate verification is OFF" in m for m in messages), messages
    for m in messages:
        assert_no_secret("a toast", m)
