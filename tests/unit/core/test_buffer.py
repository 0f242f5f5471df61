"""LogBuffer and LogFilter: bounded, sequenced, filtered in the data model."""

from __future__ import annotations

import random
import time

import pytest

from tui.core.buffer import LogBuffer
from tui.core.logfilter import FilterError, LogFilter, haystack
from tui.core.models import LogEntry, StatusClass

S2, S3, S4, S5 = StatusClass.S2XX, StatusClass.S3XX, StatusClass.S4XX, StatusClass.S5XX


def make(n: int, status: int = 200, url: str = "/x", ip: str = "1.2.3.4", method: str = "GET",
         country: str = "CN", cache: str = "") -> LogEntry:
    return LogEntry(time_ns=n, status=status, method=method, client_ip=ip, size=n,
                    url=f"https://cdn.example.com{url}", country=country, cache=cache)


def mixed(n: int, seed: int = 0) -> list[LogEntry]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        status = rng.choice([200, 206, 301, 304, 403, 404, 500, 503, 0])
        ext = rng.choice(["png", "js", "css", "html"])
        out.append(make(i, status, f"/assets/{rng.randrange(10**6)}.{ext}",
                        ip=f"10.0.{rng.randrange(256)}.{rng.randrange(256)}",
                        country=rng.choice(["CN", "US", "DE", ""])))
    return out


def view_sizes(buf: LogBuffer) -> list[int]:
    return [buf.view_entry(i).size for i in range(buf.view_len)]


# -- LogFilter -----------------------------------------------------------------------------

def test_class_key_rule_from_all_shows_only_that_class() -> None:
    f = LogFilter()
    assert f.describe() == "all"
    f = f.with_class_key(S5)
    assert f.classes == {S5} and f.describe() == "5XX"


def test_class_keys_toggle_while_a_class_filter_is_active() -> None:
    f = LogFilter().with_class_key(S2).with_class_key(S5)
    assert f.classes == {S2, S5} and f.describe() == "2XX 5XX"
    f = f.with_class_key(S4)
    assert f.describe() == "2XX 4XX 5XX"
    f = f.with_class_key(S2)
    assert f.classes == {S4, S5}


def test_removing_the_last_class_goes_back_to_all() -> None:
    f = LogFilter().with_class_key(S3).with_class_key(S3)
    assert f.classes == frozenset() and f.describe() == "all"
    # ...and from all, the next key again shows only its class.
    assert f.with_class_key(S4).classes == {S4}


def test_zero_shows_all_and_keeps_the_text() -> None:
    f = LogFilter().with_class_key(S2).with_class_key(S3).with_text("png").all_classes()
    assert f.classes == frozenset() and f.text == "png"


def test_plain_text_is_case_insensitive_substring_over_fields() -> None:
    e = make(1, 404, "/Img/Logo.PNG", ip="203.0.113.9", method="HEAD", country="DE")
    for text in ["logo.png", "LOGO", "404", "203.0.113", "head", "de", "404 head"]:
        assert LogFilter(text=text).matches(e), text
    for text in ["logo.gif", "500", "POST"]:
        assert not LogFilter(text=text).matches(e), text


def test_regex_filter() -> None:
    e5 = make(1, 503, "/a/b.png")
    e4 = make(2, 404, "/a/b.png")
    f = LogFilter(text=r"/5\d\d .*\.png$/")
    assert f.matches(e5) and not f.matches(e4)
    assert LogFilter(text="/B\\.PNG/").matches(e5)  # case-insensitive too
    assert LogFilter(text="//").matches(e5)


def test_bad_regex_raises_a_readable_filter_error() -> None:
    with pytest.raises(FilterError) as info:
        LogFilter().with_text("/a(b/")
    msg = str(info.value)
    assert "bad regex" in msg and "/a(b/" in msg and "position" in msg
    with pytest.raises(FilterError):
        LogFilter(text="/[z-a]/")
    assert isinstance(info.value, ValueError)


def test_class_and_text_combine() -> None:
    f = LogFilter(frozenset({S5}), "png")
    assert f.matches(make(1, 500, "/a.png"))
    assert not f.matches(make(2, 200, "/a.png"))
    assert not f.matches(make(3, 500, "/a.js"))
    assert not f.matches(make(4, 0, "/a.png"))  # unknown status has no class


def test_spans_for_highlighting() -> None:
    assert LogFilter(text="ab").spans("xABxab") == [(1, 3), (4, 6)]
    assert LogFilter(text="/a+/").spans("caaab a") == [(1, 4), (6, 7)]
    assert LogFilter(text="/x*/").spans("abc") == []  # empty matches are no highlight
    assert LogFilter(text="a.b").spans("aXb a.b") == [(4, 7)]  # plain text is literal
    assert LogFilter().spans("anything") == []


def test_filter_equality_ignores_compiled_state() -> None:
    assert LogFilter(frozenset({S2}), "x") == LogFilter(frozenset({S2}), "x")
    assert hash(LogFilter(text="/a/")) == hash(LogFilter(text="/a/"))
    assert not LogFilter().active and LogFilter(text="a").active


def test_haystack_order() -> None:
    assert haystack(make(1, 503, "/A.png", ip="1.1.1.1", method="GET", country="CN",
                         cache="MISS")) == "503 get 1.1.1.1 cn miss https://cdn.example.com/a.png"


# -- field filters -------------------------------------------------------------------------

FIELD_ENTRIES = [
    make(0, 200, "/img/a.png", ip="203.0.113.7", method="GET", country="JP", cache="MISS"),
    make(1, 502, "/img/b.PNG", ip="203.0.113.200", method="HEAD", country="US", cache="HIT"),
    make(2, 404, "/css/site.css", ip="198.51.100.1", method="GET", country="", cache="MISS"),
    make(3, 503, "/js/app.js?img=1", ip="2001:db8::5", method="POST", country="JP", cache=""),
    make(4, 304, "/img%20x/c.gif", ip="not-an-ip", method="get", country="jp", cache="hit"),
]


def sel(text: str, classes: frozenset[StatusClass] = frozenset()) -> list[int]:
    """What a filter shows, checked three ways: `matches`, a rebuild, and appending."""
    f = LogFilter(classes, text)
    by_match = [e.time_ns for e in FIELD_ENTRIES if f.matches(e)]
    rebuilt = LogBuffer(16)
    rebuilt.extend(FIELD_ENTRIES)
    rebuilt.set_filter(f)
    appended = LogBuffer(16)
    appended.set_filter(f)
    appended.extend(FIELD_ENTRIES)
    assert view_sizes(rebuilt) == view_sizes(appended) == by_match, text
    return by_match


def test_field_cache_is_case_insensitive() -> None:
    assert sel("cache:MISS") == [0, 2]
    assert sel("cache:hit") == [1, 4]
    assert sel("cache:-") == [3]  # no cache status


def test_field_country() -> None:
    assert sel("cc:JP") == [0, 3, 4]
    assert sel("cc:us") == [1]
    assert sel("cc:-") == [2]


def test_field_ip_address_and_cidr_v4_v6() -> None:
    assert sel("ip:203.0.113.7") == [0]  # exact, not a prefix of 203.0.113.70
    assert sel("ip:203.0.113.0/24") == [0, 1]
    assert sel("ip:203.0.113.128/25") == [1]
    assert sel("ip:2001:db8::/32") == [3]
    assert sel("ip:2001:0db8:0::5") == [3]  # the same address written longer
    assert sel("ip:0.0.0.0/0") == [0, 1, 2]  # IPv4 only; "not-an-ip" never matches


def test_field_code_exact_class_and_list() -> None:
    assert sel("code:502") == [1]
    assert sel("code:5xx") == [1, 3]
    assert sel("code:5XX") == [1, 3]
    assert sel("code:404,503") == [2, 3]
    assert sel("code:404,5xx") == [1, 2, 3]


def test_field_method() -> None:
    assert sel("method:HEAD") == [1]
    assert sel("method:get") == [0, 2, 4]


def test_field_url_substring_and_regex() -> None:
    assert sel("url:/img/") == [0, 1]  # the path piece, not "img" anywhere
    assert sel("url:png") == [0, 1]  # case-insensitive
    assert sel(r"url:/\.png$/") == [0, 1]
    assert sel(r"url:/^https://cdn\.example\.com/(css|js)//") == [2, 3]


def test_terms_combine_with_each_other_plain_words_and_classes() -> None:
    assert sel("cc:JP cache:MISS") == [0]
    assert sel("cc:JP img") == [0, 3, 4]  # plain words match any field
    assert sel("cc:JP code:5xx") == [3]
    assert sel("cc:jp", frozenset({S5})) == [3]
    assert sel("cache:MISS", frozenset({S2, S4})) == [0, 2]
    assert sel("url:/img/ head") == [1]


def test_plain_words_also_match_the_cache_status() -> None:
    assert sel("MISS") == [0, 2]
    assert sel("hit") == [1, 4]


def test_only_named_prefixes_are_fields() -> None:
    e = make(1, 200, "/a.png")
    assert LogFilter(text="https://cdn.example.com/a").matches(e)
    assert not LogFilter(text="https://cdn.example.com/a")._terms
    assert sel("foo:bar") == []  # plain text: nothing holds "foo:bar"
    weird = make(9, url="/x?foo:bar=1")
    assert LogFilter(text="foo:bar").matches(weird)
    assert LogFilter(text="CACHE:miss")._terms  # the prefix is case-insensitive too


def test_bad_terms_raise_a_readable_error_or_filter_nothing_out() -> None:
    for text, words in [("ip:203.0.113.0/33", "bad CIDR"), ("ip:300.1.1.1", "bad IP address"),
                        ("code:5x", "bad code"), ("code:abc", "bad code"),
                        ("code:1000", "bad code"), ("url:/a(b/", "bad regex"),
                        # no status has fewer than 3 digits: 'code:5' meant 5xx, not 0 rows
                        ("code:5", "bad code"), ("code:404,50", "bad code"),
                        ("cache:", "give a value"), ("cc:JP /a(b/", "bad regex")]:
        with pytest.raises(FilterError) as info:
            LogFilter(text=text)
        assert words in str(info.value) and text.split()[-1] in str(info.value), text
        lenient = LogFilter(text=text, lenient=True)
        assert words in lenient.error
    # lenient: the bad term is ignored, the good ones still apply
    assert [e.time_ns for e in FIELD_ENTRIES
            if LogFilter(text="cc:JP ip:1.2.3/99", lenient=True).matches(e)] == [0, 3, 4]
    bad_only = LogFilter(text="code:5x", lenient=True)
    assert all(bad_only.matches(e) for e in FIELD_ENTRIES)
    assert LogFilter(text="/a(b/", lenient=True).error.startswith("bad regex")
    assert LogFilter(text="ok").error == ""


def test_lenient_filter_survives_class_keys() -> None:
    f = LogFilter().with_text_lenient("code:5x").with_class_key(S5).all_classes()
    assert f.error and f.text == "code:5x"


def test_field_filter_spans_highlight_plain_words_only() -> None:
    assert LogFilter(text="cc:JP png").spans("a.PNG jp") == [(2, 5)]
    assert LogFilter(text="cc:JP").spans("jp") == []


def test_field_filters_over_a_wrapped_100k_ring() -> None:
    buf = LogBuffer(100_000)
    buf.extend(mixed(100_000, seed=5))
    buf.extend(mixed(5_000, seed=6))
    entries = list(buf)
    for f in [LogFilter(text="cc:US"), LogFilter(text="ip:10.0.7.0/24 code:5xx"),
              LogFilter(frozenset({S4}), "url:/\\.png$/ cc:de"), LogFilter(text="code:404,503 js")]:
        buf.set_filter(f)
        assert [buf.view_entry(i).size for i in range(buf.view_len)] == [
            e.size for e in entries if f.matches(e)]


# -- LogBuffer -----------------------------------------------------------------------------

def test_seqs_and_capacity_eviction() -> None:
    buf = LogBuffer(capacity=5)
    assert buf.extend(make(i) for i in range(3)) == 3
    assert len(buf) == 3 and buf.appended == 3 and buf.evicted == 0
    assert buf.extend(make(i) for i in range(3, 8)) == 5
    assert len(buf) == 5 and buf.appended == 8 and buf.evicted == 3
    assert [e.size for e in buf] == [3, 4, 5, 6, 7]
    assert buf.entry_by_seq(2) is None
    assert buf.entry_by_seq(3).size == 3  # type: ignore[union-attr]
    assert buf.entry_by_seq(8) is None
    assert view_sizes(buf) == [3, 4, 5, 6, 7]
    assert [buf.view_seq(i) for i in range(5)] == [3, 4, 5, 6, 7]


def test_url_of_seq_reads_the_column_of_a_buffered_entry_only() -> None:
    buf = LogBuffer(capacity=3)
    buf.extend(make(i, url=f"/{i}.png") for i in range(5))
    assert [buf.url_of_seq(s) for s in (2, 3, 4)] == [
        f"https://cdn.example.com/{i}.png" for i in (2, 3, 4)]
    for gone in (1, 5):
        with pytest.raises(IndexError):
            buf.url_of_seq(gone)


def test_extend_larger_than_capacity_in_one_call() -> None:
    buf = LogBuffer(capacity=10)
    new = buf.extend(make(i) for i in range(35))
    assert new == 10
    assert [e.size for e in buf] == list(range(25, 35))
    assert buf.evicted == 25 and view_sizes(buf) == list(range(25, 35))


def test_extend_returns_new_matching_count() -> None:
    buf = LogBuffer(100)
    buf.set_filter(LogFilter(frozenset({S5})))
    assert buf.extend([make(0, 200), make(1, 500), make(2, 503), make(3, 404)]) == 2
    assert view_sizes(buf) == [1, 2]


def test_filters_apply_to_buffered_entries_and_change_nothing_kept() -> None:
    entries = mixed(500, seed=3)
    buf = LogBuffer(1000)
    buf.extend(entries)
    for f in [LogFilter(frozenset({S4})), LogFilter(frozenset({S2, S5})), LogFilter(text="png"),
              LogFilter(frozenset({S5}), "/\\.js$/"), LogFilter(text="10.0.1"), LogFilter()]:
        gen = buf.generation
        buf.set_filter(f)
        assert buf.generation == gen + 1
        assert view_sizes(buf) == [e.size for e in entries if f.matches(e)]
        assert [e.size for e in buf.matching()] == view_sizes(buf)
        assert len(buf) == 500


def test_incremental_view_equals_a_rebuild() -> None:
    rng = random.Random(11)
    entries = mixed(3000, seed=11)
    buf = LogBuffer(700)
    buf.set_filter(LogFilter(frozenset({S4, S5}), "/\\.(png|js)$/"))
    pos = 0
    while pos < len(entries):
        n = rng.randint(0, 120)
        buf.extend(entries[pos : pos + n])
        pos = min(pos + n, len(entries))
        incremental = [buf.view_seq(i) for i in range(buf.view_len)]
        kept = entries[max(0, pos - 700) : pos]
        assert incremental == [e.size for e in kept if buf.filter.matches(e)]
    buf.set_filter(buf.filter)
    assert [buf.view_seq(i) for i in range(buf.view_len)] == incremental


def test_view_is_stable_under_eviction() -> None:
    buf = LogBuffer(capacity=10)
    buf.set_filter(LogFilter(frozenset({S5})))
    buf.extend(make(i, 500 if i % 2 else 200) for i in range(10))
    assert [buf.view_seq(i) for i in range(buf.view_len)] == [1, 3, 5, 7, 9]
    cursor_seq = buf.view_seq(3)  # the user's cursor is on seq 7
    gen = buf.generation
    buf.extend(make(i, 500 if i % 2 else 200) for i in range(10, 16))  # evicts seqs 0-5
    assert buf.generation == gen  # no rebuild: the widget only shifts
    assert buf.view_dropped == 3
    assert [buf.view_seq(i) for i in range(buf.view_len)] == [7, 9, 11, 13, 15]
    i = buf.view_index_of_seq(cursor_seq)
    assert i == 0 and buf.view_entry(i).size == 7
    assert buf.view_index_of_seq(8) == 1  # not shown: the nearest one after it
    assert buf.view_index_of_seq(16) is None
    assert buf.view_index_of_seq(0) == 0  # evicted: the oldest still shown
    assert buf.view_entry(-1).size == 15
    with pytest.raises(IndexError):
        buf.view_entry(5)


def test_view_trimming_compacts_over_a_long_run() -> None:
    buf = LogBuffer(capacity=1000)
    for start in range(0, 60_000, 1000):
        buf.extend(make(i) for i in range(start, start + 1000))
        assert buf.view_len == 1000
        assert buf.view_seq(0) == start and buf.view_seq(-1) == start + 999
    assert len(buf._view) < 10_000  # the trimmed head does not pile up


def test_cursor_survives_filter_change() -> None:
    buf = LogBuffer(100)
    buf.extend(make(i, [200, 404, 500][i % 3]) for i in range(30))
    seq = buf.view_seq(10)  # seq 10, status 404
    buf.set_filter(LogFilter(frozenset({S5})))
    i = buf.view_index_of_seq(seq)
    assert i is not None and buf.view_seq(i) == 11
    buf.set_filter(LogFilter())
    assert buf.view_seq(buf.view_index_of_seq(seq)) == 10  # type: ignore[arg-type]


def test_clear_keeps_counting_seqs() -> None:
    buf = LogBuffer(10)
    buf.extend(make(i) for i in range(4))
    buf.clear()
    assert len(buf) == 0 and buf.view_len == 0 and buf.entry_by_seq(1) is None
    buf.extend([make(99), make(100, 500), make(101)])
    assert buf.view_seq(0) == 4 and buf.entry_by_seq(4).size == 99  # type: ignore[union-attr]
    buf.set_filter(LogFilter(frozenset({S5})))  # rebuild over a ring that starts mid-list
    assert view_sizes(buf) == [100]
    buf.set_filter(LogFilter(text="cdn"))
    assert view_sizes(buf) == [99, 100, 101]


def test_rebuilt_class_and_all_views_equal_the_filter_over_a_ring_with_odd_statuses() -> None:
    """The class views come from a byte column and the "all" view from a kept array of seqs:
    rebuilt anywhere in a long run (wrapped ring, evictions, a clear), they equal what the
    filter says of each buffered entry, for sparse and dense classes and odd statuses."""
    rng = random.Random(23)
    statuses = [200] * 40 + [206, 301, 304, 304, 403, 404, 404, 500, 503, 0, 99, 999, 1000,
                                 1503, 2599, -404, 10**6]
    buf = LogBuffer(1000)
    filters = [LogFilter(), LogFilter(frozenset({S5})), LogFilter(frozenset({S2})),
               LogFilter(frozenset({S3, S4})), LogFilter(frozenset({S2, S3, S4, S5})),
               LogFilter(frozenset({S5}), "code:5xx"), LogFilter(frozenset({S4}), "png")]
    seq = 0
    for step in range(300):
        batch = [make(seq + i, rng.choice(statuses), f"/a/{rng.randrange(50)}.png")
                 for i in range(rng.randint(0, 150))]
        seq += len(batch)
        buf.extend(batch)
        if step == 150:
            buf.clear()
        f = rng.choice(filters)
        buf.set_filter(f)
        shown = [buf.view_seq(i) for i in range(buf.view_len)]
        want = [e.size for e in buf if f.matches(e)]  # size == seq (see make)
        assert shown == want, (step, f)
    assert len(buf._all) <= 2 * buf.capacity + 4096 + 150  # the kept seqs are trimmed too
    for _ in range(100):  # cleared before it ever evicts (a replay's jumps): nothing piles up
        buf.extend(make(seq + i) for i in range(50))
        seq += 50
        buf.clear()
    assert len(buf._all) == 0


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LogBuffer(0)


def test_100k_filter_recompute_works() -> None:
    entries = mixed(100_000, seed=5)
    buf = LogBuffer(100_000)
    buf.extend(entries)
    buf.extend(mixed(5_000, seed=6))  # wrap the ring: recompute must follow seq order
    assert len(buf) == 100_000
    expected_all = [e.size for e in (entries[5_000:] + mixed(5_000, seed=6))]
    for f in [LogFilter(frozenset({S5})), LogFilter(text="png"), LogFilter(text="/5\\d\\d .*js$/"),
              LogFilter(frozenset({S2, S3}), "cn")]:
        started = time.perf_counter()
        buf.set_filter(f)
        elapsed = time.perf_counter() - started
        assert elapsed < 2.0  # generous: a sanity bound, not the performance target
        if f.text:  # search text is cached for every slot, wrapped part included
            assert buf._hay.count(None) == 0
        got = [buf.view_entry(i).size for i in range(buf.view_len)]
        buf_entries = list(buf)
        assert got == [e.size for e in buf_entries if f.matches(e)]
        assert [e.size for e in buf_entries] == expected_all


# -- storage by column ---------------------------------------------------------------------

def test_entries_read_back_equal_what_was_appended_with_extra_and_source_keys() -> None:
    keys = {"time_ns": "access_time", "url": "path"}
    src = [LogEntry(time_ns=i, status=200 + i % 3, method="GET", client_ip=f"10.0.0.{i}", size=i * 10,
                    url=f"https://cdn.example.com/{i}", country="CN", cache="HIT" if i % 2 else "MISS",
                    extra={"ua": f"agent {i}", "referer": None, "n": i} if i % 4 else {},
                    source_keys=keys if i % 5 else {})
           for i in range(25)]
    buf = LogBuffer(10)
    buf.extend(src)
    assert list(buf) == src[-10:]
    assert [buf.view_entry(i) for i in range(buf.view_len)] == src[-10:]
    assert buf.entry_by_seq(24) == src[24] and buf.entry_by_seq(14) is None
    assert buf.view_entry(-2).extra == {"ua": "agent 23", "referer": None, "n": 23}


def test_numbers_beyond_int64_are_kept_exactly() -> None:
    """A hostile size or time that no int64 holds moves the number columns to lists; nothing
    appended before or after is lost or changed."""
    buf = LogBuffer(8)
    buf.extend([make(1), make(2)])
    huge = LogEntry(time_ns=3, status=200, size=10**30, url="https://cdn.example.com/huge")
    assert buf.extend([make(3), huge, make(4)]) == 3
    assert [e.size for e in buf] == [1, 2, 3, 10**30, 4]
    buf.extend([make(5)])
    assert buf.view_entry(-1).size == 5 and len(buf) == 6
    buf.set_filter(LogFilter(text="huge"))
    assert view_sizes(buf) == [10**30]


def test_and_term_narrows_any_filter_text_without_changing_its_meaning() -> None:
    from tui.core.logfilter import and_term

    es = [make(0, 200, "/a b.png", cache="MISS"), make(1, 503, "/a b.png", cache="HIT"),
          make(2, 503, "/a.png", cache="MISS")]

    def sel(text: str) -> list[int]:
        f = LogFilter(text=text)
        return [e.time_ns for e in es if f.matches(e)]

    assert and_term("", "code:503") == "code:503"
    for prev in ["cache:MISS", "a b", "/a b\\.png/", "png", "/\\.png$/", "cache:hit png",
                 " a b.png", "/a\\ b/", "a  b"]:
        combined = and_term(prev, "code:503")
        assert sel(combined) == [i for i in sel(prev) if i in sel("code:503")], prev
