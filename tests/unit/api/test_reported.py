"""Errors a server reports in its body (tui/api/reported.py): inside HTTP 200, or S3-style
codes under an error status, become the typed error their code says."""

from __future__ import annotations

import pytest

from tui.api.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.api.parse import parse_logs, parse_series
from tui.api.wire import RawResponse, status_error
from tui.core.models import Metric

EP = "GET /cdn/data/cdn.example.com/logs"
TOKEN = "tok-SECRET-reported-91"


@pytest.mark.parametrize("body", [
    {"code": 401, "message": "invalid token"},
    {"code": "401", "msg": "invalid token"},
    {"code": 403, "message": "invalid token", "data": None},
    {"success": False, "message": "invalid token"},
    {"msg": "invalid token"},
    {"code": "AccessDenied", "message": "invalid token"},
    {"errcode": 40001, "errmsg": "invalid token"},
])  # fmt: skip
def test_a_refused_token_under_200_is_an_auth_error_with_the_servers_text(body) -> None:
    with pytest.raises(AuthError) as info:
        parse_logs(body, EP)
    assert info.value.endpoint == EP and info.value.server_text == "invalid token"
    assert "invalid token" in str(info.value) and "HTTP 200" in str(info.value)
    assert info.value.status in (401, 403)


@pytest.mark.parametrize(("body", "kind"), [
    ({"code": 429, "message": "slow down"}, RateLimited),
    ({"code": "ReachTheMaxRequests", "message": "slow down"}, RateLimited),
    ({"code": 503, "message": "busy"}, ServerError),
    ({"code": 408, "message": "busy"}, ApiTimeout),
    ({"code": 400, "message": "start_time is required"}, BadRequest),
    ({"code": 10001, "message": "something odd"}, UnexpectedResponse),
    ({"success": False, "message": "something odd"}, UnexpectedResponse),
])  # fmt: skip
def test_other_codes_under_200_map_by_their_code(body, kind: type[ApiError]) -> None:
    with pytest.raises(ApiError) as info:
        parse_logs(body, EP)
    assert type(info.value) is kind and info.value.endpoint == EP
    assert body["message"] in str(info.value)


def test_a_server_error_code_under_200_is_retryable_like_the_status() -> None:
    with pytest.raises(ServerError) as info:
        parse_series({"code": 503, "msg": "busy"}, Metric.REQUEST, "hourly", EP)
    assert info.value.retryable and info.value.status == 503
    with pytest.raises(ServerError) as info:
        parse_series({"code": 501, "msg": "no"}, Metric.REQUEST, "hourly", EP)
    assert not info.value.retryable


def test_the_servers_text_is_redacted_and_made_inert() -> None:
    body = {"code": 401, "message": f"token {TOKEN} refused\x1b]52;c;QUJD\x07\u202e"}
    with pytest.raises(AuthError) as info:
        parse_logs(body, EP, secrets=[TOKEN])
    text = info.value.server_text
    assert TOKEN not in str(info.value) and TOKEN not in text and "***" in text
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


def test_an_s3_rate_code_under_403_is_a_rate_limit_not_an_auth_failure() -> None:
    raw = RawResponse(403, 0.01, b'{"code": "ReachTheMaxRequests", "message": "limit"}',
                      {"retry-after": "7"})
    err = status_error(raw, EP, [])
    assert isinstance(err, RateLimited) and err.retry_after == 7.0 and "limit" in err.message


@pytest.mark.parametrize("status", [401, 404, 500, 503])
def test_an_error_status_with_an_empty_body_names_the_status_and_the_endpoint(status) -> None:
    err = status_error(RawResponse(status, 0.01, b""), EP, [])
    text = str(err)
    assert f"HTTP {status}" in text and EP in text and "empty" in text and err.server_text == ""
