"""The token never leaves the API layer: not in a message, an excerpt, a repr or an arg."""

from __future__ import annotations

import json

import httpx
import pytest

from tui.api.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.api.parse import parse_logs, parse_refresh_answer, parse_series
from tui.api.redact import MASK, excerpt, redact
from tui.api.wire import RawResponse, decode_json, status_error, transport_error
from tui.core.models import Metric

TOKEN = "tok-SECRET-0123456789abcdef"
TAIL = "0123456789abcdef"
EP = "GET /cdn/data/cdn.example.com/logs"


def all_text(e: BaseException) -> list[str]:
    return [
        str(e), repr(e), *(str(a) for a in e.args), *(repr(a) for a in e.args),
        getattr(e, "message", ""), getattr(e, "excerpt", ""),
    ]  # fmt: skip


def assert_clean(e: BaseException) -> None:
    for text in all_text(e):
        assert TOKEN not in text, text
        assert TAIL not in text, text
    assert e.__context__ is None and e.__cause__ is None


# ----------------------------------------------------------------------------- redact / excerpt


def test_redact_replaces_every_occurrence_of_every_secret() -> None:
    text = f"a {TOKEN} b {TOKEN} c other-secret"
    assert redact(text, [TOKEN, "other-secret"]) == f"a {MASK} b {MASK} c {MASK}"


def test_redact_ignores_secrets_shorter_than_four() -> None:
    assert redact("abc ab a", ["abc", "", "ab"]) == "abc ab a"
    assert redact("abcd", ["abcd"]) == MASK


def test_redact_masks_the_longest_secret_whole() -> None:
    assert redact("xx-secret-long-yy", ["secret", "xx-secret-long"]) == f"{MASK}-yy"


def test_redact_masks_escaped_forms() -> None:
    token = 'tok/with"odd+chars'
    for form in [json.dumps(token)[1:-1], "tok%2Fwith%22odd%2Bchars"]:
        assert token[4:12] not in redact(f"echo {form} end", [token])


def test_excerpt_is_one_short_printable_line() -> None:
    body = ("line1\nline2\r\n\tESC\x1b[31m BEL\x07 NUL\x00 DEL\x7f C1\x9b bidi\u202e zw\u200b " * 40).encode()
    out = excerpt(body, [], limit=300)
    assert len(out) <= 301 and out.endswith("…")
    assert out.isprintable()
    assert "\\n" in out and "\\x1b" in out and "\\u202e" in out


def test_excerpt_tolerates_invalid_utf8_and_redacts() -> None:
    out = excerpt(b"\xff\xfe" + TOKEN.encode() + b"\x80", [TOKEN])
    assert TOKEN not in out and MASK in out and "\ufffd" in out


def test_excerpt_never_leaves_a_token_prefix_at_the_cut() -> None:
    for pad in range(280, 300):
        out = excerpt("x" * pad + TOKEN, [TOKEN], limit=300)
        assert "tok-S" not in out


def test_excerpt_of_an_empty_body_says_so() -> None:
    assert excerpt(b"  ", []) == "(empty body)"


# ----------------------------------------------------------------------------- HTTP status errors


def raw(status: int, body: str, **headers: str) -> RawResponse:
    return RawResponse(status=status, latency_s=0.01, body=body.replace("TOKEN", TOKEN).encode(),
                       headers={k.lower().replace("_", "-"): v.replace("TOKEN", TOKEN) for k, v in headers.items()})  # fmt: skip


@pytest.mark.parametrize(("status", "kind"), [
    (400, BadRequest), (401, AuthError), (403, AuthError), (404, BadRequest), (408, ApiTimeout),
    (409, BadRequest), (429, RateLimited), (500, ServerError), (502, ServerError),
    (503, ServerError), (504, ServerError), (501, ServerError), (302, UnexpectedResponse),
    (101, UnexpectedResponse),
])  # fmt: skip
@pytest.mark.parametrize("body", [
    '{"message": "your token TOKEN is bad"}',
    '{"msg": "TOKEN"}',
    '{"error": {"message": "TOKEN"}}',
    "<html>TOKEN</html>",
    "x" * 190 + "TOKEN",  # the token straddles the 200-character cut
    "TOKEN\x1b]52;c;AAAA\x07",
])  # fmt: skip
def test_status_errors_never_carry_the_token(status: int, kind: type, body: str) -> None:
    err = status_error(raw(status, body, location="https://x.example/?t=TOKEN", retry_after="1"), EP, [TOKEN])
    assert isinstance(err, kind)
    assert err.endpoint == EP
    assert_clean(err)
    assert "\x1b" not in str(err)


def test_bad_request_keeps_the_server_message() -> None:
    err = status_error(raw(400, '{"code": 40001, "message": "limit must be <= 1000"}'), EP, [TOKEN])
    assert isinstance(err, BadRequest) and "limit must be <= 1000" in err.message and err.status == 400


# ----------------------------------------------------------------------------- body and shape errors


@pytest.mark.parametrize("body", [
    b"<html>TOKEN</html>", b'{"data": [{"ua": "TOKEN", "pa', b"TOKEN", b"\xff\xfeTOKEN{", b"[" * 5000 + b"TOKEN",
    b'{"ua": "TOKEN", "n": ' + b"9" * 5000 + b"}",
])  # fmt: skip
def test_json_decoding_errors_never_carry_the_token(body: bytes) -> None:
    with pytest.raises(UnexpectedResponse) as info:
        decode_json(body.replace(b"TOKEN", TOKEN.encode()), EP, [TOKEN])
    assert_clean(info.value)
    assert info.value.endpoint == EP and info.value.excerpt


@pytest.mark.parametrize("body", [
    {"weird": TOKEN},
    {"code": 401, "message": f"invalid token {TOKEN}"},
    {"success": False, "error": {"message": TOKEN}},
    [{"path": "/a", "ua": TOKEN}],
    [{"access_time": 1, "ua": TOKEN}, TOKEN],
    {"data": TOKEN},
])  # fmt: skip
def test_log_shape_errors_never_carry_the_token(body) -> None:
    with pytest.raises(ApiError) as info:  # the 401 is an AuthError now
        parse_logs(body, EP, secrets=[TOKEN])
    assert_clean(info.value)


@pytest.mark.parametrize("body", [
    {"weird": TOKEN},
    {"timestamps": [1, 2], "values": [TOKEN]},
    [{"time": 1723046400, "value": TOKEN}],
    [{"time": TOKEN, "value": 1}],
    {"code": 500, "message": TOKEN},
])  # fmt: skip
def test_series_shape_errors_never_carry_the_token(body) -> None:
    with pytest.raises(ApiError) as info:  # the code 500 is a ServerError now
        parse_series(body, Metric.TRAFFIC, "hourly", EP, secrets=[TOKEN])
    assert_clean(info.value)


def test_refresh_shape_errors_never_carry_the_token() -> None:
    with pytest.raises(UnexpectedResponse) as info:
        parse_refresh_answer([TOKEN], "POST /cdn/cache/refresh", secrets=[TOKEN])
    assert_clean(info.value)


# ----------------------------------------------------------------------------- transport errors


@pytest.mark.parametrize("exc_type", [
    httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout,
    httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, httpx.LocalProtocolError,
    httpx.ProxyError, httpx.UnsupportedProtocol, httpx.DecodingError,
])  # fmt: skip
def test_transport_errors_never_carry_the_token(exc_type: type[httpx.HTTPError]) -> None:
    exc = exc_type(f"failure while sending Authorization: {TOKEN}")
    err = transport_error(exc, EP, [TOKEN], "api.bitiful.com", 15.0)
    assert isinstance(err, ApiError)
    assert_clean(err)
    if isinstance(err, ApiTimeout | NetworkError):
        assert err.sent is (exc_type not in (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout,
                                             httpx.ProxyError, httpx.UnsupportedProtocol,
                                             httpx.LocalProtocolError))  # fmt: skip


def test_certificate_failures_are_not_retried() -> None:
    exc = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    err = transport_error(exc, EP, [TOKEN], "api.bitiful.com", 15.0)
    assert isinstance(err, NetworkError) and err.retryable is False
    assert NetworkError("x").retryable is True  # the instance flag did not leak to the class
