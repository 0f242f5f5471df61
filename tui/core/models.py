"""Typed records shared by every layer. The API layer builds them; nothing above it sees JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class StatusClass(StrEnum):
    """HTTP status class as the vendor's `codes` parameter names it."""

    S2XX = "2XX"
    S3XX = "3XX"
    S4XX = "4XX"
    S5XX = "5XX"

    @classmethod
    def of(cls, status: int) -> StatusClass | None:
        """Class of an HTTP status code; None for codes outside 200-599 (or unknown, 0)."""
        return _BY_HUNDRED.get(status // 100) if status else None

    @property
    def digit(self) -> int:
        return int(self.value[0])


_BY_HUNDRED = {2: StatusClass.S2XX, 3: StatusClass.S3XX, 4: StatusClass.S4XX, 5: StatusClass.S5XX}

#: Values the logs endpoint accepts for `codes`.
LOG_CODES = ("2XX", "3XX", "4XX", "5XX", "ALL")


class Metric(StrEnum):
    """The four time-series endpoints; the value is the path segment."""

    TRAFFIC = "traffic"
    TRAFFIC_ORIGIN = "traffic_origin"
    REQUEST = "request"
    REQUEST_ORIGIN = "request_origin"

    @property
    def unit(self) -> str:
        return "bytes" if self in (Metric.TRAFFIC, Metric.TRAFFIC_ORIGIN) else "requests"


PERIODS = ("hourly", "daily", "monthly")


@dataclass(slots=True)
class LogEntry:
    """One access-log entry, normalised.

    `extra` keeps every field of the source entry that did not map to a known one, under its
    original key. `source_keys` maps normalised field name -> original key for the fields that
    were found (an interned dict shared by all entries of one shape), so the raw JSON can be
    rebuilt for the detail view without keeping the raw text per entry.
    """

    time_ns: int
    status: int = 0
    method: str = ""
    client_ip: str = ""
    size: int = 0
    url: str = ""
    country: str = ""
    cache: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    source_keys: dict[str, str] = field(default_factory=dict)

    @property
    def status_class(self) -> StatusClass | None:
        return StatusClass.of(self.status)

    def to_json_obj(self) -> dict[str, Any]:
        """Normalised JSON object (the `--json` line shape)."""
        obj: dict[str, Any] = {
            "time_ns": self.time_ns,
            "status": self.status,
            "method": self.method,
            "client_ip": self.client_ip,
            "size": self.size,
            "url": self.url,
        }
        if "country" in self.source_keys or self.country:
            obj["country"] = self.country
        if "cache" in self.source_keys or self.cache:
            obj["cache"] = self.cache
        obj["extra"] = self.extra
        return obj

    def raw_obj(self) -> dict[str, Any]:
        """The entry as the server sent it (original key names), rebuilt."""
        raw: dict[str, Any] = {}
        for name, key in self.source_keys.items():
            raw[key] = getattr(self, name)
        raw.update(self.extra)
        return raw


@dataclass(slots=True)
class Series:
    """A time series: (unix seconds, value) points in ascending time."""

    metric: Metric
    period: str
    points: list[tuple[int, float]]

    @property
    def unit(self) -> str:
        return self.metric.unit


#: The vendor's limit of entries per refresh request.
MAX_CHUNK = 20


class RefreshKind(StrEnum):
    """The vendor's refresh `type`."""

    URL = "url"
    DIRECTORY = "directory"


@dataclass(slots=True)
class RefreshRequest:
    """One refresh POST: 1 to MAX_CHUNK encoded entries of one kind.

    The one shape of a request from the plan (tui/refresh/plan.py, which checks and encodes
    every entry) through the sender, the job and the client to the history file. It refuses
    to exist with a kind or a count the vendor would refuse, so nothing downstream re-checks.
    """

    kind: RefreshKind
    urls: list[str]

    def __post_init__(self) -> None:
        try:
            self.kind = RefreshKind(self.kind)
        except ValueError:
            raise ValueError("refresh type must be 'url' or 'directory'") from None
        self.urls = list(self.urls)
        if not 1 <= len(self.urls) <= MAX_CHUNK:
            raise ValueError(f"a refresh request holds 1 to {MAX_CHUNK} entries")
        if not all(isinstance(u, str) and u for u in self.urls):
            raise ValueError("refresh entries must be non-empty strings")

    def to_body(self) -> dict[str, object]:
        """The JSON body of the POST (the only place it is built)."""
        return {"type": self.kind.value, "url_list": list(self.urls)}


@dataclass(slots=True)
class RefreshOutcome:
    """What one refresh POST came to."""

    ok: bool
    status: int | None  # HTTP status; None when no response was read
    message: str
    latency_s: float
    attempts: int = 1
    unknown: bool = False  # sent, but no answer was read (timeout after sending)
