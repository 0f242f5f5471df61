"""Snapshots of the refresh modal: empty, invalid lines, confirmation, sending, a failure."""

from __future__ import annotations

from tests.snapshots.conftest import loaded, settle

D = "https://cdn.example.com"


async def open_modal(pilot, app, text: str = "") -> None:
    await settle(pilot, lambda: loaded(app))
    await pilot.press("r")
    await pilot.pause(0.2)
    if text:
        app.screen.query_one("#entries").insert(text)
    await pilot.pause(0.3)


def test_modal_empty(snap_compare, app_factory) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await open_modal(pilot, app)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_modal_invalid_lines(snap_compare, app_factory) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await open_modal(pilot, app, f"{D}/ok.png\n{D}/star*.png\nnot a url\n{D}/100%.png\n{D}/ok.png")

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_modal_confirmation(snap_compare, app_factory) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await open_modal(pilot, app, f"dir {D}/img/\n{D}/a b.png\n{D}/中.png")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_modal_sending(snap_compare, app_factory, sim_server) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        sim_server.sim.faults.set({"hang": True, "path": "refresh"})
        urls = "\n".join(f"{D}/s{i}.png" for i in range(25))
        await open_modal(pilot, app, urls)
        await pilot.press("ctrl+s", "y")
        await settle(pilot, lambda: app.desk.refresh_job.requests[0].phase == "sending")

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_modal_result_with_failure(snap_compare, app_factory, sim_server) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        # refused by the server (400): the entries stay in the batch, R would retry.
        # (One request only: the dashboard under the modal then shows a stable batch count.)
        sim_server.sim.faults.set({"status": 400, "path": "refresh"})
        urls = "\n".join(f"{D}/r{i}.png" for i in range(5))
        await open_modal(pilot, app, urls)
        await pilot.press("ctrl+s", "y")
        await settle(pilot, lambda: not app.desk.refresh_job.running)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
