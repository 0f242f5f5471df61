"""Property-based tests (hypothesis): the response parsers and the refresh URL encoder take
anything a server or a user can throw at them.

Parsers: any JSON-like value, and any bytes through `decode_json`, give a result or an
UnexpectedResponse, never another exception. Refresh entries: `normalize_entry` and
`plan_refresh` never crash; every accepted URL is printable ASCII with no '*', no space and
no control character, and normalising it again gives it back unchanged (round trip).
Derandomised and bounded, so the run is the same every time and stays quick.
"""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.api.errors import UnexpectedResponse
from tui.api.parse import RefreshAnswer, parse_logs, parse_refresh_answer, parse_series
from tui.api.wire import decode_json
from tui.core.models import LogEntry, Metric, Series
from tui.refresh.plan import MAX_CHUNK, RefreshKind, normalize_entry, plan_refresh

SETTINGS = settings(max_examples=250, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ------------------------------------------------------------------------------ JSON values

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "0", "ok", "success", "1700000000", "1700000000000", "200", "ALL", "-1", "nan", "1e400"]),
)

LOG_KEYS = ["access_time", "time", "timestamp", "ts", "Time_Ns", "@timestamp", "code", "status", "http_code",
            "statusCode", "ip", "client_ip", "remote_addr", "path", "url", "uri", "size", "bytes",
            "body_bytes_sent", "method", "country", "geo", "cache", "hit", "cache_status", "referer", "ua"]
ENVELOPE_KEYS = ["data", "Data", "result", "payload", "code", "message", "msg", "success", "error", "list",
                 "items", "records", "logs", "entries", "timestamps", "values", "series", "points"]
SERIES_KEYS = ["time", "timestamp", "ts", "t", "date", "value", "val", "v", "bytes", "count", "requests", "traffic"]


def _dicts(keys: list[str], children: Any) -> Any:
    return st.dictionaries(st.one_of(st.sampled_from(keys), st.text(max_size=12)), children, max_size=8)


json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        _dicts(LOG_KEYS + ENVELOPE_KEYS + SERIES_KEYS, children),
    ),
    max_leaves=40,
)

# Shapes close to real answers, so the parsers go past their first check.
log_entries = st.fixed_dictionaries(
    {"access_time": st.one_of(st.integers(min_value=0, max_value=2 * 10**18), scalars)},
    optional={k: scalars for k in LOG_KEYS if k != "access_time"},
)
near_logs = st.one_of(
    st.lists(log_entries, max_size=5),
    st.fixed_dictionaries({"data": st.one_of(st.lists(log_entries, max_size=5), json_values)},
                          optional={"code": scalars, "message": scalars, "success": scalars}),
    st.fixed_dictionaries({"data": st.fixed_dictionaries({"list": st.lists(log_entries, max_size=4)},
                                                          optional={"total": scalars})}),
)
series_points = st.one_of(
    st.fixed_dictionaries({"time": scalars, "value": scalars}),
    st.lists(scalars, min_size=0, max_size=3),
    _dicts(SERIES_KEYS, scalars),
)
near_series = st.one_of(
    st.lists(series_points, max_size=6),
    st.fixed_dictionaries({"data": st.one_of(st.lists(series_points, max_size=6), json_values)},
                          optional={"code": scalars, "message": scalars}),
    st.fixed_dictionaries({"timestamps": st.lists(scalars, max_size=5), "values": st.lists(scalars, max_size=5)}),
    st.dictionaries(st.text(string.digits, min_size=1, max_size=13), scalars, max_size=5),
)


def _parses(fn: Any, *args: Any) -> Any:
    """The call's result, or None when it refused with UnexpectedResponse (and only that)."""
    try:
        return fn(*args)
    except UnexpectedResponse as e:
        assert e.endpoint and str(e)  # names the endpoint, says something
        return None


@SETTINGS
@given(st.one_of(json_values, near_logs))
def test_parse_logs_never_crashes(obj: Any) -> None:
    out = _parses(parse_logs, obj, "GET /cdn/data/x/logs")
    if out is not None:
        assert isinstance(out, list) and all(isinstance(e, LogEntry) for e in out)
        assert all(isinstance(e.time_ns, int) for e in out)


@SETTINGS
@given(st.one_of(json_values, near_series), st.sampled_from(list(Metric)), st.sampled_from(["hourly", "daily", "monthly"]))
def test_parse_series_never_crashes(obj: Any, metric: Metric, period: str) -> None:
    out = _parses(parse_series, obj, metric, period, "GET /cdn/data/x/traffic")
    if out is not None:
        assert isinstance(out, Series)
        assert all(isinstance(t, int) for t, _v in out.points)
        assert [t for t, _v in out.points] == sorted(t for t, _v in out.points)


@SETTINGS
@given(st.one_of(json_values, st.fixed_dictionaries({}, optional={"message": scalars, "code": scalars, "msg": scalars})))
def test_parse_refresh_never_crashes(obj: Any) -> None:
    out = _parses(parse_refresh_answer, obj, "POST /cdn/cache/refresh")
    assert out is None or isinstance(out, RefreshAnswer) and isinstance(out.message, str)


@SETTINGS
@given(st.one_of(st.binary(max_size=200),
                 near_logs.map(lambda o: json.dumps(o).encode()),
                 st.binary(max_size=60).map(lambda b: b'{"data": [{"access_time": 1700000000000000000, "path": "' + b + b'"}]}')))
def test_any_body_bytes_decode_or_refuse(body: bytes) -> None:
    obj = _parses(decode_json, body, "GET /cdn/data/x/logs", ["secret-token"])
    if obj is not None:
        _parses(parse_logs, obj, "GET /cdn/data/x/logs")


# ------------------------------------------------------------------------------ refresh URLs

hosts = st.one_of(
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,8}){1,3}", fullmatch=True),
    st.sampled_from(["cdn.example.com", "CDN.Example.COM", "例え.jp", "bücher.de", "xn--bcher-kva.de", "a_b.example",
                     "localhost", "-bad-.com", "a..b", "127.0.0.1", "[::1]", "ex ample.com", "ｅｘａｍｐｌｅ.com"]),
    st.text(max_size=20),
)
ports = st.one_of(st.just(""), st.sampled_from([":80", ":443", ":8080", ":0", ":65536", ":080", ":x", ":",
                                               ":\uff18\uff10", ":\u00b2", ":\u0661\u0662"]))
paths = st.one_of(st.just(""), st.text(max_size=40).map(lambda s: "/" + s),
                  st.sampled_from(["/a b.png", "/100%.png", "/%E4%B8%AD.png", "/%zz", "/x%2a", "/*", "/a#frag",
                                   "/dir/", "/q?x=1&y=中", "/\u202egnp.exe", "/a\x1b]52;c;x\x07", "/\u00a0nbsp"]))
urls = st.builds(lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
                 st.sampled_from(["http://", "https://", "HTTPS://", "Http://", "ftp://", "", "//", "http:/",
                                  "javascript:", " https://"]),
                 hosts, ports, paths)
entries = st.one_of(urls, st.text(max_size=60))
kinds = st.sampled_from([RefreshKind.URL, RefreshKind.DIRECTORY])
domains = st.sampled_from([None, "cdn.example.com", "例え.jp", "bad domain"])


def _check_accepted(value: str) -> None:
    assert value.isascii(), value
    assert "*" not in value and " " not in value, value
    assert all(0x20 < ord(c) < 0x7F for c in value), value
    assert value.startswith(("http://", "https://")), value
    assert "%2a" not in value.lower()


@SETTINGS
@given(entries, kinds, domains)
@example("http://cdn.example.com:\uff18\uff10/x", RefreshKind.URL, None)  # fullwidth 80: was sent as is
@example("http://cdn.example.com:\u00b2/x", RefreshKind.URL, None)  # '²' passed isdigit(), then int() raised
@example("http://cdn.example.com:080/x", RefreshKind.URL, None)
def test_accepted_urls_are_clean_and_round_trip(text: str, kind: RefreshKind, domain: str | None) -> None:
    res = normalize_entry(text, kind, domain)
    if not res.ok:
        assert res.reason and res.value == ""
        return
    _check_accepted(res.value)
    again = normalize_entry(res.value, kind, domain)
    assert again.ok and again.value == res.value, (text, res.value, again)


@SETTINGS
@given(st.lists(st.one_of(entries, st.sampled_from(["", "# comment", "   "]),
                          st.tuples(entries, kinds)), max_size=45), kinds, domains)
def test_plan_refresh_never_crashes_and_chunks_by_kind(lines: list[Any], kind: RefreshKind, domain: str | None) -> None:
    plan = plan_refresh(lines, kind, domain)
    assert sum(len(r.urls) for r in plan.requests) == len(plan.entries)
    assert all(1 <= len(r.urls) <= MAX_CHUNK for r in plan.requests)
    for r in plan.requests:
        for u in r.urls:
            _check_accepted(u)
            assert (r.kind, u) in plan.entries
    assert len(set(plan.entries)) == len(plan.entries)  # duplicates folded
    assert len(plan.entries) + len(plan.problems) + plan.duplicates <= len(lines)
    assert all(1 <= p.line_no <= len(lines) and p.reason for p in plan.problems)


def test_ports_are_ascii_digits_only() -> None:
    """Found by the properties above: non-ASCII digits in a port."""
    for text in ("http://cdn.example.com:\uff18\uff10/x", "http://cdn.example.com:\u00b2/x", "http://cdn.example.com:\u0661/x"):
        res = normalize_entry(text)
        assert not res.ok and "port" in res.reason
    assert normalize_entry("http://cdn.example.com:080/x").value == "http://cdn.example.com/x"
    assert normalize_entry("https://cdn.example.com:0443/x").value == "https://cdn.example.com/x"
    assert normalize_entry("https://cdn.example.com:8443/x").value == "https://cdn.example.com:8443/x"
