"""Typed API errors. Each is mapped once, above the API layer, to what the user sees.

Messages never contain the token: the client redacts every excerpt it puts in an error.
"""

from __future__ import annotations

from tui.core.tail import FetchError


class ApiError(FetchError):
    """Base of every error the API layer raises (a FetchError: the log tail retries it)."""

    retryable = False
    #: The server's own words about the failure (redacted, inert), when it sent any.
    server_text = ""

    def __init__(self, message: str, *, endpoint: str = "") -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.message = message

    def __str__(self) -> str:
        return f"{self.endpoint}: {self.message}" if self.endpoint else self.message


class AuthError(ApiError):
    """401/403: the token is missing, wrong or expired."""

    def __init__(self, message: str, *, endpoint: str = "", status: int = 401) -> None:
        super().__init__(message, endpoint=endpoint)
        self.status = status


class RateLimited(ApiError):
    """429. `retry_after` is seconds from the Retry-After header, if any."""

    retryable = True
    rate_limited = True

    def __init__(self, message: str, *, endpoint: str = "",
                 retry_after: float | None = None) -> None:
        super().__init__(message, endpoint=endpoint)
        self.retry_after = retry_after


class ApiTimeout(ApiError):
    """Connect or read timed out. `sent` is True when the request may have reached the server."""

    retryable = True

    def __init__(self, message: str, *, endpoint: str = "", sent: bool = False) -> None:
        super().__init__(message, endpoint=endpoint)
        self.sent = sent


class NetworkError(ApiError):
    """Connection refused/reset, DNS failure, TLS failure, broken transfer."""

    retryable = True

    def __init__(self, message: str, *, endpoint: str = "", sent: bool = False) -> None:
        super().__init__(message, endpoint=endpoint)
        self.sent = sent


class ServerError(ApiError):
    """5xx."""

    retryable = True

    def __init__(self, message: str, *, endpoint: str = "", status: int = 500) -> None:
        super().__init__(message, endpoint=endpoint)
        self.status = status


class BadRequest(ApiError):
    """4xx other than 401/403/429, with the server's own message."""

    def __init__(self, message: str, *, endpoint: str = "", status: int = 400) -> None:
        super().__init__(message, endpoint=endpoint)
        self.status = status


class UnexpectedResponse(ApiError):
    """The body matched no known shape. `excerpt` is short and token-free."""

    def __init__(self, message: str, *, endpoint: str = "", excerpt: str = "") -> None:
        super().__init__(f"{message}; got: {excerpt}" if excerpt else message, endpoint=endpoint)
        self.excerpt = excerpt


class InvalidDomain(ValueError):
    """A CDN domain that is not a plain host name (rejected before any request)."""
