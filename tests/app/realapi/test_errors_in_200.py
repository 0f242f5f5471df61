"""A refused token reported inside HTTP 200 puts the dashboard in its auth state, with the
server's own words (issue 16), like a 401 does."""

from __future__ import annotations

import pytest

from tests.app.conftest import wait_until


@pytest.mark.parametrize("shape", ["err200_code", "err200_msg", "err200_success"])
async def test_a_refused_token_under_200_shows_the_auth_state(make_app, sim_server,
                                                               shape: str) -> None:
    sim_server.sim.faults.set({"shape": shape})
    app = make_app(token="wrong-token-value")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.log_health.state == "auth")
        await pilot.pause(0.3)
        status = str(app.screen.query_one("#status").render())
        assert "auth error" in status and "BITIFUL_API_TOKEN" in status
        assert "wrong-token-value" not in status
        assert "invalid or missing API token" in app.state.log_health.message
