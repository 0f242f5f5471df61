"""The purge tracker's verdicts, figures, window and persistence, on a fake clock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.core.models import LogEntry
from tui.refresh.verify import (
    CANNOT_TELL_REASON,
    GRACE_S,
    URL_CAP,
    PurgeTracker,
    match_key,
    status_text,
    verdict_words,
)
from tui.refresh.verify_store import VerifyStore

NS = 1_000_000_000
T0 = 1_717_000_000 * NS
D = "cdn.example.com"
APP = f"https://{D}/static/app.js"


def e(t_s: float, url: str = APP, status: int = 200, cache: str = "HIT",
      size: int = 1000) -> LogEntry:
    return LogEntry(time_ns=T0 + int(t_s * NS), status=status, url=url, size=size, cache=cache)


def verdict(tracker: PurgeTracker, i: int = 0) -> str:
    return tracker.rows(tracker.tracks[-1])[i]["verdict"]


def test_a_2xx_miss_after_the_refresh_is_purged_and_the_next_hit_refilled() -> None:
    tr = PurgeTracker()
    tr.track(D, [("url", APP)], T0, "s1", before=[e(-10, cache="MISS")])
    assert verdict(tr) == "not_requested"
    tr.feed(D, [e(-5, cache="MISS"), e(1, status=502, cache="MISS")])  # before; error MISS
    assert verdict(tr) == "not_requested"
    tr.feed(D, [e(2, APP + "?v=2", cache="MISS", size=4000), e(3, cache="HIT")])
    row = tr.rows(tr.tracks[-1])[0]
    assert row["verdict"] == "purged" and row["words"] == "purged"
    assert row["first_miss_ns"] == T0 + 2 * NS and row["refilled_ns"] == T0 + 3 * NS
    assert row["requests"] == 3 and row["after"]["origin_bytes"] == 5000
    assert row["submission"] == "s1" and "reason" not in row


def test_hits_only_give_no_miss_after_n_requests() -> None:
    tr = PurgeTracker(needed=3)
    tr.track(D, [("url", APP)], T0)
    tr.feed(D, [e(1), e(2), e(3, status=404, cache="MISS")])  # an error MISS is not judged
    assert verdict(tr) == "not_requested"
    tr.feed(D, [e(4)])
    assert verdict(tr) == "no_miss"
    assert verdict_words("no_miss", 3) == "no MISS after 3 requests"
    one = PurgeTracker(needed=1)
    one.track(D, [("url", APP)], T0)
    one.feed(D, [e(1)])
    assert verdict(one) == "no_miss"


def test_cached_404_hits_count_toward_no_miss() -> None:
    tr = PurgeTracker(needed=2)
    tr.track(D, [("url", APP)], T0)
    tr.feed(D, [e(1, status=404), e(2, status=404)])
    assert verdict(tr) == "no_miss"


def test_no_cache_status_cannot_tell_and_says_why() -> None:
    tr = PurgeTracker()
    tr.track(D, [("url", APP), ("url", f"https://{D}/other.css")], T0)
    tr.feed(D, [e(1, cache=""), e(2, cache="", status=503)])
    rows = tr.rows(tr.tracks[-1])
    assert [r["verdict"] for r in rows] == ["cannot_tell", "cannot_tell"]
    assert rows[0]["reason"] == CANNOT_TELL_REASON
    assert rows[0]["after"]["share_5xx"] == 0.5 and rows[0]["after"]["miss_share"] is None
    assert tr.counts(tr.tracks[-1])["cannot_tell"] == 2


def test_a_directory_counts_distinct_urls_and_their_misses() -> None:
    tr = PurgeTracker()
    d = f"https://{D}/img/"
    tr.track(D, [("directory", d)], T0)
    tr.feed(D, [e(1, d + "a.png", cache="MISS"), e(2, d + "a.png"), e(3, d + "b.png"),
                e(4, d + "sub/c.png?x", cache="MISS"), e(5, f"https://{D}/imgx.png",
                                                         cache="MISS")])
    row = tr.rows(tr.tracks[-1])[0]
    assert (row["verdict"], row["urls_seen"], row["urls_missed"], row["requests"]) == \
        ("purged", 3, 2, 4)


def test_directory_memory_is_bounded() -> None:
    tr = PurgeTracker()
    tr.track(D, [("directory", f"https://{D}/")], T0)
    tr.feed(D, (e(1, f"https://{D}/f{i}", cache="MISS") for i in range(URL_CAP + 10)))
    t = tr.tracks[-1].targets[0]
    assert t.urls_seen == t.urls_missed == URL_CAP + 10
    assert len(t.seen) == len(t.missed) == URL_CAP


def test_before_and_after_figures_show_the_4xx_drop() -> None:
    tr = PurgeTracker()
    before = [e(-100 + i, status=404, cache="HIT") for i in range(50)] + \
        [e(-400, status=500), e(-10, f"https://{D}/x")]  # too old; another URL
    track = tr.track(D, [("url", APP)], T0, before=before)
    assert track.before.requests == 50 and track.before.span_s == 100
    assert track.before.to_json()["share_4xx"] == 1.0
    tr.feed(D, [e(1, cache="MISS")] + [e(1 + i) for i in range(1, 20)])
    tr.tick(T0 + 20 * NS)
    after = track.after.to_json()
    assert after["share_4xx"] == 0.0 and after["rate"] == 1.0 and after["requests"] == 20
    assert status_text(tr, track, "14:02") == \
        "refresh 14:02 · 1/1 purged · 4XX on them 100% -> 0%"


def test_status_text_words_5xx_and_cannot_tell() -> None:
    tr = PurgeTracker()
    before = [e(-9, status=502, cache="MISS")] * 34 + [e(-8)] * 66
    track = tr.track(D, [("url", APP), ("url", APP + "x")], T0, before=before)
    tr.feed(D, [e(1, cache="MISS")] + [e(2)] * 248 + [e(3, status=503)])
    assert status_text(tr, track, "14:02") == \
        "refresh 14:02 · 1/2 purged · 5XX on them 34% -> 0.4%"
    blind = PurgeTracker()
    t2 = blind.track(D, [("url", APP)], T0)
    blind.feed(D, [e(1, cache="")])
    assert "cannot tell (no cache status)" in status_text(blind, t2, "14:02")


def test_the_window_ends_the_counting() -> None:
    tr = PurgeTracker(window_s=60)
    track = tr.track(D, [("url", APP)], T0)
    tr.feed(D, [e(61, cache="MISS")])  # after the window
    assert verdict(tr) == "not_requested"
    assert tr.young(T0 + 30 * NS) is track and tr.young(T0 + 61 * NS) is None
    tr.tick(T0 + int((60 + GRACE_S + 1) * NS))
    assert track.done
    tr.feed(D, [e(30, cache="MISS")])  # late, but the track is final
    assert verdict(tr) == "not_requested"


def test_an_entry_before_the_refresh_proves_nothing() -> None:
    tr = PurgeTracker()
    tr.track(D, [("url", APP)], T0)
    tr.feed(D, [e(-1, cache="MISS")])
    assert verdict(tr) == "not_requested"


def test_match_key_ignores_scheme_query_case_of_escapes_and_takes_bare_paths() -> None:
    assert match_key("http://CDN.example.com/a%e6b?x=1#f") == "cdn.example.com/a%E6b"
    assert match_key("/a%e6b?x", D) == "cdn.example.com/a%E6b"
    tr = PurgeTracker()
    tr.track(D, [("url", APP)], T0)
    tr.feed(D, [LogEntry(time_ns=T0 + NS, status=200, url="/static/app.js", cache="MISS")])
    assert verdict(tr) == "purged"


def test_state_survives_a_restart_within_the_window(tmp_path: Path) -> None:
    path = tmp_path / "verify.json"
    tr = PurgeTracker()
    tr.track(D, [("url", APP), ("directory", f"https://{D}/img/")], T0, "s1",
             before=[e(-5, status=500)])
    tr.feed(D, [e(1), e(2, f"https://{D}/img/a.png", cache="MISS")])
    store = VerifyStore(path)
    assert store.save(tr, now_s=100.0) and not store.save(tr, now_s=100.0)
    tr.feed(D, [e(3)])
    assert not store.save(tr, now_s=101.0)  # throttled
    assert store.save(tr)
    again = PurgeTracker()
    VerifyStore(path).load(again, T0 + 10 * NS)
    assert again.rows(again.tracks[0]) == tr.rows(tr.tracks[0])
    again.feed(D, [e(1), e(2, f"https://{D}/img/a.png", cache="MISS")])  # the backlog again
    assert again.rows(again.tracks[0]) == tr.rows(tr.tracks[0])  # not counted twice
    again.feed(D, [e(4, cache="MISS")])
    assert verdict(again) == "purged" and not again.tracks[0].done
    late = PurgeTracker()
    VerifyStore(path).load(late, T0 + 3600 * NS)
    assert late.tracks[0].done and late.rows(late.tracks[0])[1]["verdict"] == "purged"


@pytest.mark.parametrize("text", ["", "{", "[]", json.dumps({"version": 99}),
                                  json.dumps({"version": 1, "tracks": [{"id": 1}, None]})])
def test_a_damaged_state_file_is_ignored(tmp_path: Path, text: str) -> None:
    path = tmp_path / "verify.json"
    path.write_text(text)
    tr = PurgeTracker()
    VerifyStore(path).load(tr, T0)
    assert tr.tracks == []


def test_an_entry_counts_for_its_url_and_its_directory() -> None:
    tr = PurgeTracker()
    d = f"https://{D}/static/"
    track = tr.track(D, [("url", APP), ("directory", d), ("url", f"https://{D}/x.css")], T0)
    tr.feed(D, [e(1, cache="MISS"), e(2, f"{d}other.css")])
    assert [t.requests for t in track.targets] == [1, 2, 0]
    assert track.after.requests == 2  # the submission counts each entry once
    assert [r["verdict"] for r in tr.rows(track)] == ["purged", "purged", "not_requested"]
