"""The tolerant parser: every accepted shape, and loud failure on everything else.

The simulator serves one shape; these tests cover the other plausible ones (docs/api.md).
"""

from __future__ import annotations

import pytest

from tui.api.errors import AuthError, UnexpectedResponse
from tui.api.parse import parse_logs, parse_refresh_answer, parse_series
from tui.core.models import LogEntry, Metric, Series

EP = "GET /cdn/data/cdn.example.com/logs"
SEP = "GET /cdn/data/cdn.example.com/traffic"
TOKEN = "tok-SECRET-77aa88bb99"
NS = 1_723_046_499_123_456_789
S = 1_723_046_400

SIM_ENTRY = {
    "path": "https://cdn.example.com/img/a.png",
    "size": 5120,
    "access_time": NS,
    "code": 200,
    "method": "GET",
    "ip": "203.0.113.7",
    "country": "CN",
    "referer": "https://example.org/",
    "ua": "Mozilla/5.0",
    "cache": "HIT",
}


def entry(**fields):
    return {"access_time": NS, **fields}


def series(obj, metric: Metric = Metric.TRAFFIC) -> list[tuple[int, float]]:
    out = parse_series(obj, metric, "hourly", SEP)
    assert isinstance(out, Series) and out.metric is metric and out.period == "hourly"
    return out.points


# ----------------------------------------------------------------------------- log envelopes


def test_logs_simulator_shape() -> None:
    [e] = parse_logs({"data": [SIM_ENTRY], "message": "ok"}, EP)
    assert isinstance(e, LogEntry)
    assert (e.time_ns, e.status, e.method, e.client_ip, e.size, e.url, e.country, e.cache) == (
        NS, 200, "GET", "203.0.113.7", 5120, "https://cdn.example.com/img/a.png", "CN", "HIT",
    )  # fmt: skip
    assert e.extra == {"referer": "https://example.org/", "ua": "Mozilla/5.0"}


def test_logs_envelope_with_code_and_message() -> None:
    assert len(parse_logs({"code": 0, "message": "success", "data": [SIM_ENTRY]}, EP)) == 1


def test_logs_envelope_without_message_or_code() -> None:
    assert len(parse_logs({"data": [SIM_ENTRY, SIM_ENTRY]}, EP)) == 2


def test_logs_envelope_with_capitalised_keys() -> None:
    # Go's encoding/json without tags: {"Code": 200, "Message": "OK", "Data": [...]}
    assert len(parse_logs({"Code": 200, "Message": "OK", "Data": [SIM_ENTRY]}, EP)) == 1


def test_logs_bare_list() -> None:
    assert [e.status for e in parse_logs([SIM_ENTRY], EP)] == [200]


def test_logs_result_envelope() -> None:
    assert len(parse_logs({"result": [SIM_ENTRY], "success": True}, EP)) == 1


@pytest.mark.parametrize("inner", ["list", "items", "records", "logs", "entries"])
def test_logs_nested_list_under_data(inner: str) -> None:
    assert len(parse_logs({"code": 0, "data": {"total": 1, inner: [SIM_ENTRY]}}, EP)) == 1


def test_logs_list_key_without_envelope() -> None:
    assert len(parse_logs({"logs": [SIM_ENTRY], "next": None}, EP)) == 1


@pytest.mark.parametrize(
    "empty",
    [{"data": []}, {"data": None, "message": "ok"}, {"code": 0, "message": "ok"}, [],
     {"code": 0, "data": {"list": None, "total": 0}}],
)  # fmt: skip
def test_logs_empty_answers(empty) -> None:
    assert parse_logs(empty, EP) == []


@pytest.mark.parametrize(
    "body",
    [{"code": 401, "message": "invalid token"}, {"success": False, "msg": "invalid token"},
     {"error": "invalid token"}, {"code": 1001, "message": "invalid token", "data": None}],
)  # fmt: skip
def test_logs_error_envelope_under_200_raises_with_the_message(body) -> None:
    # a refused token under HTTP 200 is an auth failure (tests/unit/api/test_reported.py)
    with pytest.raises(AuthError, match="invalid token") as info:
        parse_logs(body, EP)
    assert info.value.endpoint == EP


# ----------------------------------------------------------------------------- log key variants


def _one(raw: dict) -> LogEntry:
    [e] = parse_logs({"data": [raw]}, EP)
    return e


@pytest.mark.parametrize("key", ["code", "status", "http_code", "status_code", "httpcode", "statusCode", "HttpCode"])
def test_status_key_variants(key: str) -> None:
    e = _one(entry(**{key: 503}))
    assert e.status == 503 and e.source_keys["status"] == key and key not in e.extra


@pytest.mark.parametrize("key", ["ip", "client_ip", "remote_addr", "clientip", "clientIP", "remoteAddr"])
def test_ip_key_variants(key: str) -> None:
    e = _one(entry(**{key: "2001:db8::1"}))
    assert e.client_ip == "2001:db8::1" and e.source_keys["client_ip"] == key


@pytest.mark.parametrize("key", ["access_time", "time", "timestamp", "ts", "accessTime"])
def test_time_key_variants(key: str) -> None:
    [e] = parse_logs([{key: NS, "path": "/a"}], EP)
    assert e.time_ns == NS and e.source_keys["time_ns"] == key


@pytest.mark.parametrize("key", ["path", "url", "uri"])
def test_url_key_variants(key: str) -> None:
    assert _one(entry(**{key: "https://cdn.example.com/x?y=1"})).url == "https://cdn.example.com/x?y=1"


@pytest.mark.parametrize("key", ["size", "bytes", "body_bytes_sent", "bodyBytesSent"])
def test_size_key_variants(key: str) -> None:
    assert _one(entry(**{key: 42})).size == 42


@pytest.mark.parametrize("key", ["method", "http_method", "request_method"])
def test_method_key_variants(key: str) -> None:
    assert _one(entry(**{key: "HEAD"})).method == "HEAD"


@pytest.mark.parametrize("key", ["country", "country_code", "geo", "region"])
def test_country_key_variants(key: str) -> None:
    e = _one(entry(**{key: "DE"}))
    assert e.country == "DE" and e.to_json_obj()["country"] == "DE"


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("cache", "MISS", "MISS"), ("cache_status", "HIT", "HIT"), ("hit", True, "HIT"), ("hit", False, "MISS"),
])  # fmt: skip
def test_cache_key_variants(key: str, value, expected: str) -> None:
    assert _one(entry(**{key: value})).cache == expected


def test_numbers_as_strings_are_read() -> None:
    e = _one({"access_time": str(NS), "code": "404", "size": "2048"})
    assert (e.time_ns, e.status, e.size) == (NS, 404, 2048)


def test_first_usable_variant_wins_and_the_rest_is_kept() -> None:
    e = _one(entry(status="n/a", http_code=502))
    assert e.status == 502 and e.source_keys["status"] == "http_code"
    assert e.extra == {"status": "n/a"}


def test_missing_fields_get_defaults() -> None:
    e = _one({"ts": NS})
    assert (e.status, e.method, e.client_ip, e.size, e.url, e.country, e.cache) == (0, "", "", 0, "", "", "")
    assert e.status_class is None and e.extra == {}


# ----------------------------------------------------------------------------- log timestamps


@pytest.mark.parametrize(("value", "expected"), [
    (1_723_046_499, 1_723_046_499_000_000_000),  # seconds
    (1_723_046_499_123, 1_723_046_499_123_000_000),  # milliseconds
    (1_723_046_499_123_456, 1_723_046_499_123_456_000),  # microseconds
    (NS, NS),  # nanoseconds (the documented unit)
    (1_723_046_499.5, 1_723_046_499_500_000_000),  # fractional seconds
    ("1723046499", 1_723_046_499_000_000_000),
    (str(NS), NS),
    ("1723046499.25", 1_723_046_499_250_000_000),
    ("2024-08-07T15:21:39Z", 1_723_044_099_000_000_000),
    ("2024-08-07T23:21:39+08:00", 1_723_044_099_000_000_000),
    ("2024-08-07 23:21:39.5", 1_723_044_099_500_000_000),  # no zone: Beijing time (default)
])  # fmt: skip
def test_time_units_are_scaled_to_ns(value, expected: int) -> None:
    assert _one({"time": value}).time_ns == expected


@pytest.mark.parametrize("bad", [None, "yesterday", -5, 0, True, [], 10**25])
def test_entry_without_a_usable_time_fails_loudly(bad) -> None:
    with pytest.raises(UnexpectedResponse, match="entry 1 has no usable time") as info:
        parse_logs([SIM_ENTRY, {"time": bad, "path": "/x"}], EP)
    assert info.value.endpoint == EP


# ----------------------------------------------------------------------------- extra, raw, interning


def test_unknown_fields_are_kept_in_extra() -> None:
    raw = entry(code=200, referer="r", ua="u", edge_node="sh-01", tls={"v": "1.3"}, rt=0.012)
    e = _one(raw)
    assert e.extra == {"referer": "r", "ua": "u", "edge_node": "sh-01", "tls": {"v": "1.3"}, "rt": 0.012}
    assert e.to_json_obj()["extra"] == e.extra


def test_raw_obj_round_trips_the_simulator_shape() -> None:
    [e] = parse_logs({"data": [SIM_ENTRY]}, EP)
    assert e.raw_obj() == SIM_ENTRY


def test_raw_obj_round_trips_other_key_names() -> None:
    raw = {"timestamp": NS, "status_code": 301, "client_ip": "198.51.100.2", "uri": "/r",
           "bytes": 0, "request_method": "GET", "country_code": "US", "cache_status": "MISS",
           "x_custom": [1, 2]}  # fmt: skip
    assert _one(raw).raw_obj() == raw


def test_source_keys_are_shared_by_entries_of_one_shape() -> None:
    a, b, c = parse_logs([SIM_ENTRY, dict(SIM_ENTRY, code=404), {"ts": NS, "status": 200}], EP)
    assert a.source_keys is b.source_keys
    assert c.source_keys is not a.source_keys
    assert c.source_keys == {"time_ns": "ts", "status": "status"}


def test_repeated_short_strings_are_interned() -> None:
    a, b = parse_logs([dict(SIM_ENTRY, method="".join(["PU", "T"])), dict(SIM_ENTRY, method="".join(["P", "UT"]))], EP)
    assert a.method is b.method


# ----------------------------------------------------------------------------- unknown log shapes


@pytest.mark.parametrize(
    "body",
    [{}, {"foo": 1}, "not a list", 42, None, {"data": "text"}, {"data": 7},
     {"result": {"rows": [SIM_ENTRY]}}],
    ids=["empty-object", "unknown-key", "string", "number", "null", "data-string", "data-number",
         "sim-unknown-shape"],
)  # fmt: skip
def test_unknown_log_shapes_raise_unexpected_response(body) -> None:
    with pytest.raises(UnexpectedResponse) as info:
        parse_logs(body, EP)
    assert info.value.endpoint == EP and EP in str(info.value)


def test_non_object_entries_raise() -> None:
    with pytest.raises(UnexpectedResponse, match="entry 1 is not an object"):
        parse_logs({"data": [SIM_ENTRY, "GET /a 200"]}, EP)


def test_excerpt_is_short_redacted_and_one_line() -> None:
    body = {"weird": [{"token": TOKEN, "note": "x" * 5000, "ctl": "\x1b]52;c;AAAA\x07\n\r"}] * 50}
    with pytest.raises(UnexpectedResponse) as info:
        parse_logs(body, EP, secrets=[TOKEN])
    e = info.value
    assert 0 < len(e.excerpt) <= 301
    assert TOKEN not in str(e) and TOKEN not in repr(e) and "***" in e.excerpt
    assert e.excerpt.isprintable() and "\x1b" not in str(e)


def test_token_cut_by_the_excerpt_leaves_no_prefix() -> None:
    body = {"a": "y" * 100 + TOKEN}  # the token straddles the string shortening at 120
    with pytest.raises(UnexpectedResponse) as info:
        parse_logs(body, EP, secrets=[TOKEN])
    assert "tok-SEC" not in info.value.excerpt


def test_error_envelope_message_is_redacted() -> None:
    with pytest.raises(AuthError) as info:
        parse_logs({"code": 401, "message": f"bad token {TOKEN}"}, EP, secrets=[TOKEN])
    assert TOKEN not in str(info.value) and "bad token ***" in str(info.value)


def test_absurdly_long_numbers_do_not_crash() -> None:
    big = "9" * 5000  # int() refuses more than 4300 digits
    [e] = parse_logs([{"time": 1_723_046_499, "code": big, "size": big}], EP)
    assert (e.status, e.size, e.extra) == (0, 0, {"code": big, "size": big})
    for body in ([{"time": big}], {"code": big, "data": None}):
        with pytest.raises(UnexpectedResponse) as info:
            parse_logs(body, EP)
        assert len(str(info.value)) < 1000
    with pytest.raises(UnexpectedResponse):
        parse_series({big: 1}, Metric.TRAFFIC, "hourly", SEP)


def test_deeply_nested_body_does_not_crash() -> None:
    obj: object = [1]
    for _ in range(2000):
        obj = {"x": obj}
    with pytest.raises(UnexpectedResponse):
        parse_logs(obj, EP)


# ----------------------------------------------------------------------------- series shapes


@pytest.mark.parametrize("tkey", ["time", "timestamp", "ts", "t", "date"])
@pytest.mark.parametrize("vkey", ["value", "val", "v", "bytes", "count", "requests", "traffic"])
def test_series_list_of_objects_key_variants(tkey: str, vkey: str) -> None:
    assert series({"data": [{tkey: S, vkey: 5}, {tkey: S + 3600, vkey: 7.5}]}) == [(S, 5.0), (S + 3600, 7.5)]


def test_series_bare_list_of_objects() -> None:
    assert series([{"time": S, "value": 1}]) == [(S, 1.0)]


def test_series_timestamp_map() -> None:
    assert series({str(S + 3600): 2, str(S): 1}) == [(S, 1.0), (S + 3600, 2.0)]


def test_series_timestamp_map_in_envelope() -> None:
    assert series({"code": 0, "message": "ok", "data": {str(S): "3"}}) == [(S, 3.0)]


@pytest.mark.parametrize(("tkey", "vkey"), [
    ("timestamps", "values"), ("time", "value"), ("times", "data"), ("x", "y"), ("ts", "counts"),
    ("time_list", "traffic"),
])  # fmt: skip
def test_series_parallel_arrays(tkey: str, vkey: str) -> None:
    assert series({"data": {tkey: [S, S + 3600], vkey: [10, 20]}}) == [(S, 10.0), (S + 3600, 20.0)]


def test_series_bare_parallel_arrays() -> None:
    assert series({"timestamps": [S], "values": [4]}) == [(S, 4.0)]


def test_series_pairs() -> None:
    assert series({"data": [[S, 1], [S + 3600, 2]]}) == [(S, 1.0), (S + 3600, 2.0)]
    assert series([[S, 9]]) == [(S, 9.0)]


@pytest.mark.parametrize(("t", "expected"), [
    (S, S), (S * 1000, S), (S * 1000 + 999, S), (S * 10**6, S), (S * 10**9, S), (str(S * 1000), S),
    ("2024-08-07T16:00:00Z", S), ("2024-08-07T16:00:00+00:00", S), ("2024-08-07", 1_722_988_800 - 8 * 3600),
    ("2024-08", 1_722_470_400 - 8 * 3600),  # naive dates: midnight in Beijing (api_timezone)
])  # fmt: skip
def test_series_timestamps_in_s_ms_us_ns_and_text(t, expected: int) -> None:
    assert series([{"time": t, "value": 1}]) == [(expected, 1.0)]


def test_series_null_values_are_gaps() -> None:
    assert series({"data": [{"time": S, "value": None}, {"time": S + 3600, "value": 1}]}) == [(S + 3600, 1.0)]
    assert series({"timestamps": [S, S + 1], "values": [None, 2]}) == [(S + 1, 2.0)]


def test_series_is_sorted_and_a_repeated_time_keeps_the_last_value() -> None:
    assert series([[S + 7200, 3], [S, 1], [S + 7200, 4]]) == [(S, 1.0), (S + 7200, 4.0)]


@pytest.mark.parametrize("body", [{"data": []}, {"data": None}, {"data": {}}, [], {"code": 0, "message": "ok"}])
def test_series_empty_answers(body) -> None:
    assert series(body) == []


@pytest.mark.parametrize("container", ["list", "points", "series", "items"])
def test_series_nested_containers(container: str) -> None:
    assert series({"data": {container: [{"time": S, "value": 1}]}}) == [(S, 1.0)]


def test_series_under_the_metric_name() -> None:
    body = {"data": {"request_origin": [{"time": S, "count": 12}]}}
    assert series(body, Metric.REQUEST_ORIGIN) == [(S, 12.0)]


def test_series_single_unnamed_numeric_field_is_the_value() -> None:
    assert series([{"time": S, "flow_total_bytes": 77, "label": "x"}]) == [(S, 77.0)]


@pytest.mark.parametrize(("body", "reason"), [
    ({"timestamps": [S, S + 1], "values": [1]}, "2 items"),
    ([{"time": S, "value": "lots"}], "not a number"),
    ([{"time": S, "value": 1}, {"value": 2}], "point 1 has no usable time"),
    ([{"time": S, "a": 1, "b": 2}], "no value field"),
    ([["soon", 1]], "does not start with a timestamp"),
    ({"0": 1, "1": 2}, "no time series"),
    ({}, "no time series"),
    ([1, 2, 3], "no time series"),
    ({"code": 1500, "message": "stats backend down"}, "stats backend down"),  # a code of its own: no type to give it
])  # fmt: skip
def test_series_unknown_or_broken_shapes_raise(body, reason: str) -> None:
    with pytest.raises(UnexpectedResponse, match=reason) as info:
        parse_series(body, Metric.TRAFFIC, "hourly", SEP, secrets=[TOKEN])
    assert info.value.endpoint == SEP and info.value.excerpt


def test_series_failure_excerpt_is_redacted() -> None:
    with pytest.raises(UnexpectedResponse) as info:
        parse_series({"who": TOKEN}, Metric.TRAFFIC, "daily", SEP, secrets=[TOKEN])
    assert TOKEN not in str(info.value) and info.value.__context__ is None


# ----------------------------------------------------------------------------- refresh


@pytest.mark.parametrize(("body", "accepted", "message"), [
    ({"message": "ok"}, True, "ok"),
    ({"code": 0, "msg": "success"}, True, "success"),
    ({"Code": 200, "Message": "OK"}, True, "OK"),
    ({"success": True}, True, "ok"),
    ({"code": 0}, True, "ok"),
    ("ok", True, "ok"),
    ({"code": 1001, "message": "daily quota exceeded"}, False, "daily quota exceeded"),
    ({"success": False, "message": "url contains '*'"}, False, "url contains '*'"),
    ({"message": "submitted"}, False, "submitted"),  # no positive evidence: not claimed as ok
    ({"error": {"message": "forbidden"}}, False, "forbidden"),
    ({"message": "see error", "error": "quota"}, False, "see error"),
    ({"message": "ok", "error": None}, True, "ok"),
])  # fmt: skip
def test_refresh_answers(body, accepted: bool, message: str) -> None:
    answer = parse_refresh_answer(body, "POST /cdn/cache/refresh")
    assert (answer.accepted, answer.message) == (accepted, message)


@pytest.mark.parametrize("body", [{}, [], None, 5, {"data": [1]}])
def test_refresh_unknown_shapes_raise(body) -> None:
    with pytest.raises(UnexpectedResponse) as info:
        parse_refresh_answer(body, "POST /cdn/cache/refresh")
    assert info.value.endpoint == "POST /cdn/cache/refresh"
