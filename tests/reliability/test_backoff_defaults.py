"""With the default settings, a healed API is asked again within 30 s (issue 7), by the log
tail and by the charts, whatever the fault and however long it lasted; only a server's own
Retry-After may ask for longer."""

from __future__ import annotations

from tui.api.errors import (
    ApiTimeout,
    AuthError,
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.config import load_settings
from tui.core.cursor import LogCursor
from tui.core.tail import LogTail
from tui.live.pollers import series_retry_delay


async def _never(start_ns: int, limit: int) -> list:
    raise AssertionError("not fetched")


def test_default_backoff_never_waits_more_than_30s() -> None:
    s = load_settings(flags={}, env={}, config_path=None)
    tail = LogTail(_never, LogCursor(0), backoff_base_s=s.backoff_base, backoff_cap_s=s.backoff_cap,
                   slow_backoff_base_s=s.auth_backoff)
    errors = [ServerError("x", status=503), ApiTimeout("x", sent=True), NetworkError("x"),
              AuthError("x", status=401), UnexpectedResponse("x"), RateLimited("x")]
    for err in errors:
        delays = [tail.backoff_delay(err, n) for n in range(1, 60)]
        assert max(delays) <= 30.0, (type(err).__name__, max(delays))
        assert delays == sorted(delays)  # it does back off
        assert delays[0] < delays[-1]
    for n in range(1, 60):
        for _ in range(20):
            assert 0 < series_retry_delay(n, s.backoff_base, s.backoff_cap) <= 30.0
    # the server's own Retry-After is honoured, even beyond the cap
    assert tail.backoff_delay(RateLimited("x", retry_after=45.0), 1) == 45.0


def test_fast_settings_reach_the_charts_too() -> None:
    assert series_retry_delay(10, 0.1, 0.4) <= 0.4
    assert series_retry_delay(1, 0.1, 0.4) >= 0.8 * 0.4
