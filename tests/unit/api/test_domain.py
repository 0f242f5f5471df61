"""validate_domain: the CDN domain goes into the URL path, so only plain host names pass."""

from __future__ import annotations

import pytest

from tui.api.domain import validate_domain
from tui.api.errors import InvalidDomain

VALID = [
    ("cdn.example.com", "cdn.example.com"),
    ("CDN.Example.COM", "cdn.example.com"),
    ("cdn.example.com.", "cdn.example.com"),  # one trailing dot: the same name
    ("a-b.example.org", "a-b.example.org"),
    ("1cdn.example.com", "1cdn.example.com"),
    ("static.s3.bitiful.net", "static.s3.bitiful.net"),
    ("localhost", "localhost"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("Bücher.Example", "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ("cdn.例え.jp", "cdn.xn--r8jz45g.jp"),
    ("ｃｄｎ。example.com", "cdn.example.com"),  # full-width letters and ideographic dot
    ("a" * 63 + ".com", "a" * 63 + ".com"),
    (".".join(["a" * 61] * 4), ".".join(["a" * 61] * 4)),  # 247 characters
]

INVALID = [
    "",
    "cdn.example.com/x",
    "a/../b",
    "..",
    "cdn..example.com",
    ".example.com",
    "x?y=1",
    "a#b",
    "cdn example.com",
    " cdn.example.com",
    "cdn.example.com\n",
    "cdn\texample.com",
    "cdn\x00.example.com",
    "cdn\x1b.example.com",
    "http://cdn.example.com",
    "https://cdn.example.com",
    "ftp:/cdn.example.com",
    "cdn.example.com:443",
    "cdn.example.com:",
    "user@cdn.example.com",
    "a\\b.example.com",
    "a%2fb.example.com",
    "*.example.com",
    "[::1]",
    "-cdn.example.com",
    "cdn-.example.com",
    "cdn_x.example.com",
    "a" * 64 + ".com",
    ".".join(["a" * 63] * 4) + ".com",  # 260 characters
    "1.2.3.4",
    "cdn.example.123",
    "xn--zz.example",
    "\u202ecdn.example.com",  # bidi override
    "cdn.example.com\u200b",  # zero-width space
    "cdn\u00ad.example.com",  # soft hyphen
    "ex\u2028ample.com",  # line separator
]


@pytest.mark.parametrize(("given", "expected"), VALID)
def test_valid_domains_are_normalised(given: str, expected: str) -> None:
    assert validate_domain(given) == expected


@pytest.mark.parametrize("bad", INVALID)
def test_invalid_domains_are_refused(bad: str) -> None:
    with pytest.raises(InvalidDomain):
        validate_domain(bad)


def test_result_is_safe_in_a_url_path() -> None:
    for given, _ in VALID:
        out = validate_domain(given)
        assert out.isascii() and out == out.lower()
        assert not set(out) & set("/?#%@:\\ ")


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidDomain):
        validate_domain(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidDomain):
        validate_domain(b"cdn.example.com")  # type: ignore[arg-type]


def test_invalid_domain_is_a_value_error_with_a_clear_reason() -> None:
    with pytest.raises(ValueError, match="port"):
        validate_domain("cdn.example.com:8080")
    with pytest.raises(ValueError, match="scheme"):
        validate_domain("https://cdn.example.com")
    with pytest.raises(ValueError, match="empty"):
        validate_domain("")


def test_error_messages_do_not_carry_invisible_characters() -> None:
    for bad in INVALID:
        try:
            validate_domain(bad)
        except InvalidDomain as e:
            text = str(e)
            assert text.isprintable(), repr(text)
