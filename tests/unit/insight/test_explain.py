"""The explanation's ranking against hand-computed cases (tui/insight/explain.py)."""

from __future__ import annotations

import pytest

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.insight.explain import (
    MAX_EXTRA_VALUES,
    columns_of_buffer,
    columns_of_entries,
    dir_key,
    explain,
    net_key,
    url_key,
)

S = 1_000_000_000
T0 = 1_000 * S


def e(status: int = 200, url: str = "https://h/a/x.png", ip: str = "10.0.0.1",
      country: str = "CN", cache: str = "HIT", method: str = "GET", t: int = T0,
      **extra: object) -> LogEntry:
    return LogEntry(time_ns=t, status=status, method=method, client_ip=ip, size=1, url=url,
                    country=country, cache=cache, extra=dict(extra))


def run(entries: list[LogEntry], focus: str = "5XX", **kw: object):
    cols = columns_of_entries(entries)
    return explain(cols, focus, T0, T0 + 60 * S, **kw)  # type: ignore[arg-type]


def dim(ex, name: str):
    found = [d for d in ex.dimensions if d.name == name]
    return found[0] if found else None


def test_value_only_in_the_selection_has_no_ratio_and_the_dimension_scores_one() -> None:
    entries = [e(503, url="https://h/bad.json")] * 10 + [e(200, url="https://h/ok.js")] * 10
    ex = run(entries, by=["url"])
    assert (ex.selected, ex.baseline) == (10, 10)
    (d,) = ex.dimensions
    assert d.score == pytest.approx(1.0)
    (f,) = d.findings
    assert (f.value, f.selection_share, f.baseline_share, f.delta, f.ratio, f.count) == (
        "https://h/bad.json", 1.0, 0.0, 1.0, None, 10)


def test_shares_delta_ratio_and_score_by_hand() -> None:
    # selection (5xx, 20): CN 12, US 5, JP 3; baseline (200, 100): CN 50, US 10, JP 40
    sel = [e(500, country="CN")] * 12 + [e(500, country="US")] * 5 + [e(500, country="JP")] * 3
    base = [e(200, country="CN")] * 50 + [e(200, country="US")] * 10 + \
        [e(200, country="JP")] * 40
    ex = run(sel + base, by=["country"])
    (d,) = ex.dimensions
    # TVD = (|.60-.50| + |.25-.10| + |.15-.40|) / 2; JP has support in the baseline
    assert d.score == pytest.approx(0.25)
    assert [f.value for f in d.findings] == ["US", "CN"]  # JP: 3 entries, under support
    us, cn = d.findings
    assert (us.selection_share, us.baseline_share, us.count) == (0.25, 0.10, 5)
    assert us.delta == pytest.approx(0.15) and us.ratio == pytest.approx(2.5)
    assert cn.delta == pytest.approx(0.10) and cn.ratio == pytest.approx(1.2)
    assert us.score == cn.score == d.score


def test_missing_values_are_their_own_bucket() -> None:
    sel = [e(502, country="")] * 8 + [e(502, country="CN")] * 2
    base = [e(200, country="CN")] * 10
    ex = run(sel + base, by=["country"], min_count=1)
    (d,) = ex.dimensions
    assert d.score == pytest.approx(0.8)
    assert [(f.value, f.count, f.ratio) for f in d.findings] == [("-", 8, None), ("CN", 2, 0.2)]


def test_ties_go_by_count_then_value() -> None:
    # a and b: the same delta (.5 - 0); c and d in the baseline only
    sel = [e(500, method="PUT")] * 5 + [e(500, method="DELETE")] * 5
    base = [e(200, method="GET")] * 5 + [e(200, method="HEAD")] * 5
    ex = run(sel + base, by=["method"])
    (d,) = ex.dimensions
    assert [f.value for f in d.findings] == ["DELETE", "PUT"]
    assert d.score == pytest.approx(1.0)


def test_tiny_counts_under_min_support_neither_list_nor_score() -> None:
    # 100 distinct client IPs on each side, one entry each: noise, not a difference
    sel = [e(500, ip=f"10.1.0.{i}") for i in range(100)]
    base = [e(200, ip=f"10.2.{i}.1") for i in range(100)]
    ex = run(sel + base, by=["ip"])
    assert dim(ex, "ip") is None  # nothing with support: no block at all
    # ... while one /24 holds the whole selection: the network stands out
    ex = run(sel + base, by=["ip", "net"])
    assert [d.name for d in ex.dimensions] == ["net"]
    assert ex.dimensions[0].findings[0].value == "10.1.0.0/24"
    assert ex.dimensions[0].score == pytest.approx(1.0)


def test_min_share_applies_too() -> None:
    sel = [e(500, url="https://h/a")] * 995 + [e(500, url="https://h/b")] * 5
    ex = run(sel + [e(200)], by=["url"])
    assert [f.value for f in dim(ex, "url").findings] == ["https://h/a"]
    ex = run(sel + [e(200)], by=["url"], min_share=0.005)
    assert [f.value for f in dim(ex, "url").findings] == ["https://h/a", "https://h/b"]


def test_the_focus_dimension_is_left_out_and_dimensions_rank_by_score() -> None:
    sel = [e(503, url=f"https://h/d/{i % 2}.js?v={i}", ip=f"10.0.{i % 4}.9") for i in range(40)]
    base = [e(200, url=f"https://h/e/{i % 2}.js", ip=f"10.0.{i % 4}.9") for i in range(40)]
    ex = run(sel + base)
    names = [d.name for d in ex.dimensions]
    assert "status" not in names
    assert names[:2] == ["url", "dir"]  # both 1.0; the fixed order breaks the tie
    assert dim(ex, "url").findings[0].value in ("https://h/d/0.js", "https://h/d/1.js")
    assert dim(ex, "dir").findings[0].value == "https://h/d/"
    assert dim(ex, "ip").score == pytest.approx(0.0)
    miss = run([e(200, cache="MISS")] * 6 + [e(200, cache="HIT")] * 6, focus="MISS")
    assert "cache" not in [d.name for d in miss.dimensions]


def test_focus_all_compares_the_window_with_the_span_before() -> None:
    before = [e(200, ip="10.9.9.9", t=T0 - 30 * S)] * 10
    older = [e(200, ip="10.7.7.7", t=T0 - 90 * S)] * 10  # outside a 60 s baseline
    now = [e(200, ip="10.8.8.8", t=T0 + S)] * 10
    cols = columns_of_entries(before + older + now)
    ex = explain(cols, "all", T0, T0 + 60 * S, by=["ip"])
    assert (ex.selected, ex.baseline) == (10, 10)
    f = ex.dimensions[0].findings[0]
    assert (f.value, f.delta, f.ratio) == ("10.8.8.8", 1.0, None)
    ex = explain(cols, "all", T0, T0 + 60 * S, baseline_ns=120 * S, by=["ip"])
    assert ex.baseline == 20


def test_cache_only_when_entries_carry_it_and_extra_fields_with_few_values() -> None:
    sel = [e(500, cache="", ua="curl/8", rid=f"r{i}") for i in range(40)]
    base = [e(200, cache="", ua="Mozilla", rid=f"s{i}") for i in range(40)]
    ex = run(sel + base)
    names = [d.name for d in ex.dimensions]
    assert "cache" not in names
    assert names[0] == "ua" and dim(ex, "ua").findings[0].value == "curl/8"
    assert "rid" not in names and MAX_EXTRA_VALUES < 80
    # a field only some entries carry: the others count as missing
    ex = run([e(500, ua="x")] * 5 + [e(500)] * 5 + [e(200)] * 10, by=None)
    assert [(f.value, f.count) for f in dim(ex, "ua").findings] == [("x", 5), ("-", 5)]


def test_unhashable_extra_values_are_counted_as_text() -> None:
    ex = run([e(500, tags=["a"])] * 5 + [e(200, tags=["b"])] * 5)
    assert dim(ex, "tags").findings[0].value == "['a']"


def test_empty_selection_or_baseline() -> None:
    assert run([e(200)] * 5).dimensions == ()
    ex = run([e(500)] * 5)
    assert ex.baseline == 0 and ex.dimensions[0].score == 0.0
    assert ex.dimensions[0].findings[0].ratio is None


def test_the_buffer_gives_the_same_answer_as_the_entries() -> None:
    entries = [e(500 if i % 3 else 200, url=f"https://h/{i % 7}/f", ip=f"10.0.{i % 5}.1",
                 t=T0 + i * S // 10, ua=("a", "b")[i % 2]) for i in range(300)]
    buf = LogBuffer(capacity=200)  # a wrapped ring: the first 100 are gone
    buf.extend(entries)
    want = run(entries[100:])
    got = explain(columns_of_buffer(buf), "5XX", T0, T0 + 60 * S)
    assert got == want and got.dimensions


def test_json_rows_and_top_finding() -> None:
    entries = [e(503, url="https://h/bad.json")] * 9 + [e(503, url="https://h/x")] * 5 + \
        [e(200, url="https://h/x")] * 20
    ex = run(entries, by=["url"])
    rows = [r.to_json() for r in ex.rows()]
    assert list(rows[0]) == ["dimension", "value", "selection_share", "baseline_share",
                             "delta", "ratio", "count", "score"]
    assert [r["value"] for r in rows] == ["https://h/bad.json", "https://h/x"]
    assert len(ex.rows(top=1)) == 1
    assert ex.top_finding().value == "https://h/bad.json"


def test_bad_focus_or_dimension() -> None:
    with pytest.raises(ValueError, match="focus"):
        run([e()], focus="6XX")
    with pytest.raises(ValueError, match="dimension"):
        run([e()], by=["colour"])


def test_keys() -> None:
    assert url_key("https://h/a/b.png?x=1#f") == "https://h/a/b.png"
    assert dir_key("https://h/a/b.png?x=/y/") == "https://h/a/"
    assert dir_key("https://h") == "https://h/"
    assert dir_key("/a/b") == "/a/"
    assert url_key("") == dir_key("") == "-"
    assert net_key("203.0.113.77") == "203.0.113.0/24"
    assert net_key("240e:3a1:12::9") == "240e:3a1:12::/48"
    assert net_key("not-an-ip") == "not-an-ip" and net_key("") == "-"


def test_the_order_of_entries_does_not_matter() -> None:
    """Sorted columns take the slice path, shuffled ones the row-by-row path: same answer."""
    import random

    rng = random.Random(3)
    entries = [e(rng.choice([200, 200, 404, 503]), url=f"https://h/{rng.randrange(4)}/f",
                 ip=f"10.0.{rng.randrange(3)}.1", cache=rng.choice(["HIT", "MISS", "miss"]),
                 t=T0 + rng.randrange(-90, 70) * S, ua=rng.choice("ab"), tags=[1] if
                 rng.random() < 0.1 else 0) for _ in range(600)]
    ordered = sorted(entries, key=lambda x: x.time_ns)
    shuffled = entries[:]
    rng.shuffle(shuffled)
    for focus in ("5XX", "4XX", "MISS", "all"):
        a = explain(columns_of_entries(ordered), focus, T0, T0 + 60 * S)
        b = explain(columns_of_entries(shuffled), focus, T0, T0 + 60 * S)
        assert a == b and a.dimensions, focus
        assert a.selected + (0 if focus == "all" else a.baseline) == sum(
            T0 <= x.time_ns <= T0 + 60 * S for x in entries)
    assert explain(columns_of_entries(ordered), "MISS", T0, T0 + 60 * S).selected == sum(
        T0 <= x.time_ns <= T0 + 60 * S and x.cache != "HIT" for x in entries)
