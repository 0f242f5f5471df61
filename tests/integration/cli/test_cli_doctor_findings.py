"""`s4top doctor`'s findings from real answers (issue 16), each against a simulator that
shows it (tui/sim/quirks.py): clock skew, series zone, cursor, page size, lateness."""

from __future__ import annotations

import re

import pytest

from tests.integration.cli_support import DOMAIN, base_env, run
from tui.sim import SimConfig, SimServer
from tui.sim.quirks import Quirks


def findings(out: str) -> dict[str, str]:
    part = out.split("== findings", 1)[1]
    rows = {}
    for line in part.splitlines():
        m = re.match(r"\s+([a-z ]+): (.*)", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def doctor(quirks: Quirks, *args: str, **env: str):
    with SimServer(SimConfig(domains=(DOMAIN,), rate=20.0, quirks=quirks)) as server:
        r = run(["doctor", "--bytes", "60", *args], base_env(server.base_url, **env))
    assert r.rc == 0, (r.out, r.err)
    return findings(r.out)


def skew_of(line: str) -> int:
    m = re.search(r"([+-]\d+)s", line)
    assert m, line
    return int(m.group(1))


def test_an_honest_server_gets_a_clean_bill() -> None:
    f = doctor(Quirks())
    # the Date header has whole seconds: the estimate is good to about one second
    assert f["clock"].startswith("skew") and abs(skew_of(f["clock"])) <= 1
    assert "times look right" in f["series zone"]
    assert f["cursor"].startswith("inclusive")
    assert f["page size"].startswith("1000 entries per page")


@pytest.mark.parametrize("skew", [120, -45])
def test_a_skewed_date_header_is_a_warning(skew: int) -> None:
    line = doctor(Quirks(date_skew_s=skew))["clock"]
    assert "WARNING" in line and abs(skew_of(line) - skew) <= 1 and "NTP" in line


def test_a_small_skew_is_fine() -> None:
    line = doctor(Quirks(date_skew_s=10))["clock"]
    assert "WARNING" not in line and abs(skew_of(line) - 10) <= 1


def test_series_text_in_utc_read_as_beijing_time_names_the_zone_to_set() -> None:
    line = doctor(Quirks(series_text_offset_h=0))["series zone"]
    assert "WARNING" in line and "-8 h" in line and 'api_timezone = "+00:00"' in line


def test_series_text_in_beijing_time_is_read_right_by_default() -> None:
    assert "times look right" in doctor(Quirks(series_text_offset_h=8))["series zone"]
    line = doctor(Quirks(series_text_offset_h=8), S4TOP_API_TIMEZONE="UTC")["series zone"]
    assert "+8 h" in line and 'api_timezone = "+08:00"' in line


def test_a_page_cap_is_found() -> None:
    line = doctor(Quirks(page_cap=250))["page size"]
    assert "WARNING" in line and "at most 250 entries per page" in line


def test_lateness_measures_late_indexing_and_names_the_tail_delay() -> None:
    f = doctor(Quirks(late_s=3.0, late_share=0.5), "--lateness", "6s")
    m = re.search(r"(\d+) of (\d+) entries .* arrived late, up to (\d+)-(\d+)s .* "
                  r'tail_delay = "(\d+)s"', f["lateness"])
    assert m, f["lateness"]
    late, total, lo, hi, need = map(int, m.groups())
    assert 0 < late < total and lo <= 3 <= hi and 3 <= need <= 6


def test_no_late_entries_on_a_prompt_store() -> None:
    line = doctor(Quirks(), "--lateness", "3s")["lateness"]
    assert line.startswith("none of") and "tail_delay = 0" in line


def test_bad_lateness_is_exit_2() -> None:
    r = run(["doctor", "--lateness", "forever"], base_env("http://127.0.0.1:9"))
    assert r.rc == 2 and "--lateness" in r.err and len(r.err.strip().splitlines()) == 1
