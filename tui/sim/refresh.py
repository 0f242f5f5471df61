"""Cache refresh: the vendor's validation, a record of every request, and its effect.

Validation follows the vendor page (type url|directory, url_list a non-empty list of at
most 20 strings, no '*') plus checks the page implies but does not state (assumptions):
each entry must be an http(s) URL with a host; whitespace, control characters, non-ASCII
and a '%' not followed by two hex digits are refused ("encode special characters first");
a directory must end with '/'. Hosts are not checked against the simulated domains (a
CDN may serve several names). Error messages name the entry by index, never echo it.

Effect: for `refresh_miss_s` seconds after an accepted refresh, every 2xx/3xx request for
a refreshed URL (query string ignored) or for anything under a refreshed directory is a
cache MISS, so origin requests and origin traffic rise (an origin storm when the path is
popular). Scheme and the case of %XX escapes are ignored when matching.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_URLS = 20
_BAD_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PCT = re.compile(r"%[0-9a-f]{2}")


class RefreshInvalid(ValueError):
    """A refresh body the vendor would refuse with 400."""


def decode_body(body: Any) -> Any:
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", errors="strict")
    if isinstance(body, str):
        return json.loads(body)
    return body


def validate(obj: Any) -> tuple[str, list[str]]:
    """(kind, urls) of a valid body; RefreshInvalid with the vendor-like message otherwise."""
    if not isinstance(obj, dict):
        raise RefreshInvalid("request body must be a JSON object")
    kind = obj.get("type")
    if kind not in ("url", "directory"):
        raise RefreshInvalid('type must be "url" or "directory"')
    urls = obj.get("url_list")
    if not isinstance(urls, list):
        raise RefreshInvalid("url_list must be a list of strings")
    if not urls:
        raise RefreshInvalid("url_list must not be empty")
    if len(urls) > MAX_URLS:
        raise RefreshInvalid(f"url_list holds at most {MAX_URLS} entries")
    for i, url in enumerate(urls):
        if not isinstance(url, str):
            raise RefreshInvalid(f"url_list[{i}] must be a string")
        if "*" in url:
            raise RefreshInvalid(f"url_list[{i}]: '*' is not allowed")
        if any(c.isspace() or not 0x21 <= ord(c) <= 0x7E for c in url) or _BAD_PCT.search(url):
            raise RefreshInvalid(f"url_list[{i}]: special characters must be URL-encoded")
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            host = None
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not host:
            raise RefreshInvalid(f"url_list[{i}]: must be an http or https URL with a host")
        if kind == "directory" and not parts.path.endswith("/"):
            raise RefreshInvalid(f"url_list[{i}]: a directory must end with '/'")
    return kind, list(urls)


def url_key(url: str) -> str:
    """host/path without scheme, query or fragment; %xx upper-cased."""
    rest = url.split("://", 1)[-1]
    rest = rest.split("#", 1)[0].split("?", 1)[0]
    host, sep, path = rest.partition("/")
    host = host.rsplit("@", 1)[-1].lower()
    return host + sep + _PCT.sub(lambda m: m.group(0).upper(), path)


@dataclass(slots=True, frozen=True)
class Overlay:
    start_ns: int
    end_ns: int
    urls: frozenset[str]
    dirs: tuple[str, ...]

    def matches(self, key: str) -> bool:
        return key in self.urls or any(key.startswith(d) for d in self.dirs)


class RefreshBook:
    """Records every refresh request and answers 'is this entry a forced MISS?'."""

    def __init__(self, miss_s: int):
        self._miss_ns = int(miss_s * 1_000_000_000)
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._overlays: list[Overlay] = []
        self._keys: dict[str, str] = {}
        self.version = 0  # bumps on every accepted refresh (aggregate caches depend on it)

    def record(self, now_ns: int, obj: Any, status: int, message: str, *, applied: bool,
               fault: str | None = None) -> None:
        rec = {
            "time_ns": now_ns,
            "type": obj.get("type") if isinstance(obj, dict) else None,
            "url_list": obj.get("url_list") if isinstance(obj, dict) else None,
            "status": status,
            "message": message,
            "applied": applied,
            "fault": fault,
        }
        with self._lock:
            self._records.append(rec)

    def apply(self, now_ns: int, kind: str, urls: list[str]) -> None:
        keys = [url_key(u) for u in urls]
        ov = Overlay(
            now_ns,
            now_ns + self._miss_ns,
            frozenset(keys) if kind == "url" else frozenset(),
            tuple(keys) if kind == "directory" else (),
        )
        with self._lock:
            self._overlays.append(ov)
            self.version += 1

    @property
    def records(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._records]

    def active(self, lo_ns: int, hi_ns: int) -> list[Overlay]:
        """Overlays in force at some time in [lo_ns, hi_ns]."""
        with self._lock:
            return [o for o in self._overlays if o.start_ns <= hi_ns and o.end_ns > lo_ns]

    def key(self, url: str) -> str:
        k = self._keys.get(url)
        if k is None:
            k = url_key(url)
            if len(self._keys) > 100_000:
                self._keys.clear()
            self._keys[url] = k
        return k

    def forced_miss(self, overlays: list[Overlay], t_ns: int, url: str) -> bool:
        key = None
        for o in overlays:
            if o.start_ns <= t_ns < o.end_ns:
                if key is None:
                    key = self.key(url)
                if o.matches(key):
                    return True
        return False
