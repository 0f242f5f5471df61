"""Pure parts of the command line: argument rules, stats buckets and labels, error lines."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest

from tui.api.errors import (
    ApiTimeout,
    AuthError,
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.cli import _token_on_command_line, build_parser
from tui.commands.stats import _time_label, auto_period, bucket_end, partial_bucket
from tui.context import describe_error, format_wait
from tui.core.models import Metric, Series


def ts(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> int:
    return int(datetime(y, m, d, h, mi, tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["logs", "--token", "x"], True),
        (["--token=x", "logs"], True),
        (["stats", "--api-token", "x"], True),
        (["logs", "--token-file", "/t"], False),
        (["logs", "--token-file=/t"], False),
        (["refresh", "--", "--token"], False),  # after '--' it is an entry, not an option
        (["refresh", "https://cdn.example.com/--token"], False),
    ],
)
def test_token_options_are_recognised(argv: list[str], found: bool) -> None:
    assert _token_on_command_line(argv) is found


def test_no_abbreviated_options(capsys: pytest.CaptureFixture[str]) -> None:
    """`--tok X` must not become `--token-file X` (argparse abbreviations are off)."""
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["logs", "--tok", "secret-value"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "secret-value" not in err and len(err.strip().splitlines()) == 1


def test_shared_options_parse_on_both_sides() -> None:
    p = build_parser()
    a = p.parse_args(["--domain", "a.example.com", "--readonly", "logs", "--json"])
    b = p.parse_args(["logs", "--json", "--domain", "a.example.com", "--readonly"])
    assert (a.domain, a.readonly, a.json) == (b.domain, b.readonly, b.json) == ("a.example.com", True, True)
    c = p.parse_args(["--domain", "first.example.com", "logs", "--domain", "second.example.com"])
    assert c.domain == "second.example.com"  # the nearer one wins


def test_auto_period() -> None:
    assert auto_period(3600) == "hourly" and auto_period(3 * 86400) == "hourly"
    assert auto_period(3 * 86400 + 1) == "daily" and auto_period(90 * 86400) == "daily"
    assert auto_period(91 * 86400) == "monthly"


def test_bucket_end_and_partial_bucket() -> None:
    assert bucket_end(ts(2026, 2, 1), "monthly") == ts(2026, 3, 1)
    assert bucket_end(ts(2026, 12, 1), "monthly") == ts(2027, 1, 1)
    assert bucket_end(ts(2026, 2, 1, 5), "hourly") == ts(2026, 2, 1, 6)
    months = Series(Metric.REQUEST, "monthly", [(ts(2026, 10, 1), 1.0), (ts(2026, 11, 1), 2.0)])
    # 1 Dec: November is finished (a 31-day guess would still call it open)
    assert partial_bucket([months], "monthly", ts(2026, 12, 1, 0, 30)) is None
    assert partial_bucket([months], "monthly", ts(2026, 11, 30, 23)) == ts(2026, 11, 1)
    hours = Series(Metric.TRAFFIC, "hourly", [(ts(2026, 1, 1, 9), 1.0), (ts(2026, 1, 1, 10), 1.0)])
    assert partial_bucket([hours], "hourly", ts(2026, 1, 1, 10, 59)) == ts(2026, 1, 1, 10)


@pytest.fixture
def kolkata() -> object:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    yield None
    os.environ["TZ"] = old or "UTC"
    time.tzset()


def test_labels_say_when_a_bucket_starts_in_the_local_zone(kolkata: object) -> None:
    t = ts(2026, 1, 1, 10)
    assert _time_label(t, "hourly", utc=False) == "2026-01-01 15:30"
    assert _time_label(t, "hourly", utc=True) == "2026-01-01 10:00"
    assert _time_label(ts(2026, 1, 1), "daily", utc=False) == "2026-01-01 05:30"
    assert _time_label(ts(2026, 1, 1), "daily", utc=True) == "2026-01-01"
    assert _time_label(ts(2026, 1, 1), "monthly", utc=True) == "2026-01"


def test_error_lines_say_what_to_do() -> None:
    e = "GET /cdn/data/cdn.example.com/logs"
    assert "BITIFUL_API_TOKEN" in describe_error(AuthError("refused", endpoint=e, status=401))
    assert "could not read" in describe_error(AuthError("could not read the token", endpoint=e, status=0))
    assert "wait 7s" in describe_error(RateLimited("rate limited", endpoint=e, retry_after=7))
    assert "read_timeout" in describe_error(ApiTimeout("no answer within 1s", endpoint=e))
    assert "--api-base" in describe_error(NetworkError("refused", endpoint=e))
    assert "try again later" in describe_error(ServerError("server error (HTTP 502)", endpoint=e, status=502))
    assert "doctor" in describe_error(UnexpectedResponse("no known shape", endpoint=e))
    assert format_wait(0.25) == "0.2s" and format_wait(1.0) == "1.0s" and format_wait(60) == "60s"


def test_the_collector_is_on_after_any_command(capsys: pytest.CaptureFixture[str]) -> None:
    """main() holds the collector off for the dashboard's start (tui/core/longlived.py); a
    command, a bad option or an error leaves it on again."""
    import gc

    from tui.cli import main

    assert main(["--domain", "cdn.example.com", "config"]) == 0 and gc.isenabled()
    with pytest.raises(SystemExit):
        main(["--no-such-option"])
    assert gc.isenabled()
    assert main(["--domain", "bad domain", "logs"]) == 2 and gc.isenabled()
    capsys.readouterr()


def test_a_command_imports_its_own_module_alone() -> None:
    """`s4top logs` starts without the other commands' modules (doctor, explain, ...):
    about 25 ms of every start."""
    import subprocess
    import sys

    code = ("import sys\nfrom tui.cli import build_parser\n"
            "build_parser().parse_args(['logs', '--since', '1m'])\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('tui.commands.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["tui.commands.logs", "tui.commands.progress"]
