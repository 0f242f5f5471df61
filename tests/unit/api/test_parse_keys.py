"""Key names and value forms seen in CDN log APIs (issue 16): one test per variant, and the
compiled fast reader agrees with the general path on each."""

from __future__ import annotations

import pytest

from tui.api import parse
from tui.api.parse import parse_logs
from tui.core.models import LogEntry

EP = "GET /cdn/data/cdn.example.com/logs"
NS = 1_723_046_499_123_456_789


def one(raw: dict) -> LogEntry:
    """The entry through parse_logs (the fast reader where it applies) and through the general
    path alone: both must agree."""
    [fast] = parse_logs([raw], EP)
    assert fast == parse._entry(raw, 0, EP, []), "fast reader and general path differ"
    return fast


@pytest.mark.parametrize("key", ["httpStatusCode", "http_status_code", "status_code"])
def test_status_key_variants(key: str) -> None:
    e = one({"access_time": NS, key: 503, "path": "https://cdn.example.com/a"})
    assert e.status == 503 and e.source_keys["status"] == key and key not in e.extra


@pytest.mark.parametrize("key", ["location", "area", "ip_country", "region"])
def test_country_key_variants(key: str) -> None:
    e = one({"access_time": NS, "code": 200, key: "CN"})
    assert e.country == "CN" and e.source_keys["country"] == key


def test_a_location_object_is_kept_in_extra_not_taken_as_the_country() -> None:
    e = one({"access_time": NS, "location": {"lat": 1.0, "lon": 2.0}})
    assert e.country == "" and e.extra == {"location": {"lat": 1.0, "lon": 2.0}}


@pytest.mark.parametrize("path_key", ["uri", "request_uri", "path"])
def test_host_and_a_bare_path_are_joined_into_the_url(path_key: str) -> None:
    raw = {"access_time": NS, "code": 200, "host": "cdn.example.com", path_key: "/img/a.png?v=2"}
    e = one(raw)
    assert e.url == "https://cdn.example.com/img/a.png?v=2"
    # nothing the server sent is lost: the host and the bare path stay as they came
    assert e.extra == {"host": "cdn.example.com", path_key: "/img/a.png?v=2"}
    assert e.raw_obj() == raw


def test_a_full_url_is_not_joined_again_with_the_host() -> None:
    e = one({"access_time": NS, "host": "cdn.example.com", "path": "https://cdn.example.com/a"})
    assert e.url == "https://cdn.example.com/a" and e.source_keys["url"] == "path"
    assert e.extra == {"host": "cdn.example.com"}


def test_join_per_entry_within_one_shape() -> None:
    a, b = parse_logs([
        {"access_time": NS, "host": "h.example.com", "uri": "/a"},
        {"access_time": NS, "host": "h.example.com", "uri": "https://other.example.com/b"},
    ], EP)  # fmt: skip
    assert a.url == "https://h.example.com/a" and b.url == "https://other.example.com/b"


@pytest.mark.parametrize(("value", "expected"), [
    (2048.0, 2048), (2047.6, 2048), ("2048", 2048), ("2048.0", 2048), ("1.5e3", 1500), (0.0, 0),
])  # fmt: skip
def test_size_as_a_float_or_numeric_text(value, expected: int) -> None:
    e = one({"access_time": NS, "size": value})
    assert e.size == expected and e.source_keys["size"] == "size"


@pytest.mark.parametrize("bad", [-1.0, "-5", "big", float("inf"), 1e30])
def test_a_size_that_is_no_byte_count_is_kept_in_extra(bad) -> None:
    e = one({"access_time": NS, "size": bad})
    assert e.size == 0 and e.extra == {"size": bad}


@pytest.mark.parametrize(("value", "expected"), [
    (str(NS), NS),  # ns as digits: exact (a float would lose the last three digits)
    ("1723046499.123456789", NS),  # seconds as decimal text: exact too
    ("2024-08-07T16:01:39.123456789Z", NS),
    ("2024-08-08T00:01:39.123456789+08:00", NS),
])  # fmt: skip
def test_access_time_as_text_keeps_nanoseconds_exact(value, expected: int) -> None:
    assert float(NS) != NS  # the point of the test: a float cannot hold it
    assert one({"access_time": value, "code": 200}).time_ns == expected


def test_a_status_as_text_is_read_on_the_fast_path_too() -> None:
    entries = parse_logs([{"access_time": str(NS), "code": "404", "size": "12.0"}] * 3, EP)
    assert [(e.time_ns, e.status, e.size) for e in entries] == [(NS, 404, 12)] * 3
