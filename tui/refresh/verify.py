"""Did the purge reach the edge, and did it help: a tracker fed by the log stream.

A refresh answered "ok" was accepted, not purged. After every accepted refresh the tracker
watches the log entries for the refreshed URLs (query ignored) and directories (prefix) and
keeps, per refreshed entry: the requests seen since, the first 2xx/3xx MISS (the evidence that
the cached copy was dropped; an error MISS proves nothing), the first HIT after that MISS (the
edge refilled), figures before and after, and for a directory the distinct URLs seen under it
and how many of them showed that MISS. Verdicts (the same words everywhere, docs/ux.md):

- `purged`: a 2xx/3xx MISS was seen after the refresh;
- `not_requested`: not requested yet (or fewer than N requests, none a MISS);
- `no_miss`: N requests (3 by default) with a cache status and no MISS: the refresh may not
  have reached the edges serving it;
- `cannot_tell`: the entries carry no cache status, so only request and error figures exist.

Memory is bounded: a track keeps counters and, for a directory, at most URL_CAP distinct
URLs; never the entries. Tracks stop counting `window_s` after their refresh and stay, with
their final verdicts, for the history (verify_store.py persists them). Pure: no Textual, no
HTTP; time comes from the caller (a fake clock in tests).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tui.core.models import LogEntry

VERDICTS = ("purged", "not_requested", "no_miss", "cannot_tell")
URL_CAP = 5000  # distinct URLs kept per directory (the counts go on beyond it)
BEFORE_S = 300.0  # "before" figures: this long before the refresh, from the buffer
GRACE_S = 120.0  # entries of the window may arrive this late (log delivery delay)
NS = 1_000_000_000
_PCT = re.compile(r"%[0-9a-f]{2}")
CANNOT_TELL_REASON = "the log entries carry no cache status, so a purge cannot be seen"


def verdict_words(verdict: str, needed: int) -> str:
    """The verdict as the screens and the CLI table say it."""
    return {"purged": "purged", "not_requested": "not requested yet",
            "no_miss": f"no MISS after {needed} requests",
            "cannot_tell": "cannot tell"}.get(verdict, verdict)


def match_key(url: str, domain: str = "") -> str:
    """host/path, without scheme, query or fragment, %xx upper-cased; a bare path (some log
    shapes give no host) is taken as on `domain`."""
    rest = url.split("#", 1)[0].split("?", 1)[0]
    if rest.startswith("/"):
        rest = domain.lower() + rest
    else:
        rest = rest.split("://", 1)[-1]
    host, sep, path = rest.partition("/")
    host = host.rsplit("@", 1)[-1].lower()
    return host + sep + _PCT.sub(lambda m: m.group(0).upper(), path)


def cache_of(entry: LogEntry) -> str:
    """"HIT", "MISS" or "" (no cache status, or one we cannot read)."""
    c = entry.cache.upper() if entry.cache else ""
    if "MISS" in c:
        return "MISS"
    if "HIT" in c:
        return "HIT"
    return ""


@dataclass
class Figures:
    """Counts over a span: requests, errors, MISSes and origin bytes (sizes of MISSes)."""

    requests: int = 0
    e4: int = 0
    e5: int = 0
    cached: int = 0  # entries that carried a cache status
    miss: int = 0
    origin_bytes: int = 0
    span_s: float = 0.0

    def add(self, e: LogEntry, cache: str) -> None:
        self.requests += 1
        if 400 <= e.status < 500:
            self.e4 += 1
        elif e.status >= 500:
            self.e5 += 1
        if cache:
            self.cached += 1
            if cache == "MISS":
                self.miss += 1
                self.origin_bytes += max(0, e.size)

    def share(self, n: int, of: int | None = None) -> float | None:
        total = self.requests if of is None else of
        return n / total if total else None

    def to_json(self) -> dict[str, Any]:
        rate = self.requests / self.span_s if self.span_s > 0 else None
        return {"requests": self.requests, "rate": None if rate is None else round(rate, 3),
                "share_5xx": self.share(self.e5), "share_4xx": self.share(self.e4),
                "miss_share": self.share(self.miss, self.cached),
                "origin_bytes": self.origin_bytes, "span_s": round(self.span_s, 1)}

    @classmethod
    def from_json(cls, obj: Any) -> Figures:
        if not isinstance(obj, dict):
            return cls()
        f = cls()
        for name in ("requests", "e4", "e5", "cached", "miss", "origin_bytes"):
            v = obj.get(name)
            setattr(f, name, v if isinstance(v, int) and not isinstance(v, bool) and v >= 0
                    else 0)
        span = obj.get("span_s")
        f.span_s = float(span) if isinstance(span, (int, float)) and span >= 0 else 0.0
        return f

    def raw(self) -> dict[str, Any]:
        return {"requests": self.requests, "e4": self.e4, "e5": self.e5, "cached": self.cached,
                "miss": self.miss, "origin_bytes": self.origin_bytes, "span_s": self.span_s}


@dataclass
class Target:
    """One refreshed entry (a URL or a directory) and what the stream showed since."""

    kind: str  # "url" | "directory"
    url: str  # as refreshed
    key: str  # match_key of it
    requests: int = 0
    judged: int = 0  # requests with a cache status, error MISSes left out
    first_miss_ns: int | None = None
    refill_ns: int | None = None
    urls_seen: int = 0
    urls_missed: int = 0
    seen: set[str] = field(default_factory=set)
    missed: set[str] = field(default_factory=set)
    before: Figures = field(default_factory=Figures)
    after: Figures = field(default_factory=Figures)

    def matches(self, key: str) -> bool:
        return key.startswith(self.key) if self.kind == "directory" else key == self.key

    def see(self, e: LogEntry, key: str, cache: str) -> None:
        self.requests += 1
        self.after.add(e, cache)
        ok = 200 <= e.status < 400
        if cache and (ok or cache == "HIT"):
            self.judged += 1
        if self.kind == "directory" and key not in self.seen:
            self.urls_seen += 1
            if len(self.seen) < URL_CAP:
                self.seen.add(key)
        if cache == "MISS" and ok:
            if self.first_miss_ns is None:
                self.first_miss_ns = e.time_ns
            if self.kind == "directory" and key not in self.missed:
                self.urls_missed += 1
                if len(self.missed) < URL_CAP:
                    self.missed.add(key)
        elif cache == "HIT" and self.first_miss_ns is not None and self.refill_ns is None:
            self.refill_ns = e.time_ns

    def verdict(self, needed: int, stream_has_cache: bool | None) -> str:
        """`stream_has_cache`: did the domain's entries carry a cache status (None: none seen)."""
        if self.first_miss_ns is not None:
            return "purged"
        if (self.requests and not self.after.cached) or stream_has_cache is False:
            return "cannot_tell"
        if self.judged >= needed:
            return "no_miss"
        return "not_requested"


@dataclass
class Track:
    """One accepted refresh submission being watched."""

    id: str  # "<domain>@<time_s>": the history record it belongs to
    domain: str
    start_ns: int
    targets: list[Target]
    before: Figures = field(default_factory=Figures)
    after: Figures = field(default_factory=Figures)
    last_ns: int = 0  # the newest entry time (or clock) the figures reach
    done: bool = False  # the window (and its grace) is over: the verdicts are final
    fed_ns: int = 0  # the newest entry fed: a restarted dashboard's backlog is not fed twice
    _index: Any = field(default=None, repr=False, compare=False)

    def age_s(self, now_ns: int) -> float:
        return (now_ns - self.start_ns) / NS

    def counts(self, needed: int, stream_has_cache: bool | None) -> Counter[str]:
        return Counter(t.verdict(needed, stream_has_cache) for t in self.targets)

    def matching(self, key: str) -> list[Target]:
        """The targets an entry's key belongs to (URLs by a dict, directories by prefix)."""
        index = self._index
        if index is None or index[0] is not self.targets or index[1] != len(self.targets):
            urls: dict[str, list[Target]] = {}
            for t in self.targets:
                if t.kind != "directory":
                    urls.setdefault(t.key, []).append(t)
            dirs = [t for t in self.targets if t.kind == "directory"]
            index = self._index = (self.targets, len(self.targets), urls, dirs)
        got = index[2].get(key, [])
        return got + [t for t in index[3] if key.startswith(t.key)] if index[3] else got


class PurgeTracker:
    """Tracks accepted refreshes against the log stream of their domains."""

    def __init__(self, window_s: float = 600.0, needed: int = 3, keep: int = 200) -> None:
        self.window_s = float(window_s)
        self.needed = int(needed)
        self.keep = keep
        self.tracks: list[Track] = []
        # per domain: [entries seen, entries with a cache status]
        self.stream: dict[str, list[int]] = {}
        self.version = 0  # bumps when anything a screen shows may have changed
        self._keys: dict[str, dict[str, str]] = {}  # domain -> URL -> match_key (bounded)

    # -- starting ------------------------------------------------------------------------

    def track(self, domain: str, targets: Iterable[tuple[str, str]], start_ns: int,
              track_id: str = "", before: Iterable[LogEntry] = (),
              before_span_s: float | None = None) -> Track:
        """Start watching `targets` [(kind, url)] refreshed at `start_ns`; `before` are the
        buffered entries of the domain (those of the BEFORE_S before the refresh count).
        `before_span_s`: how long `before` covers, when it holds only matching entries."""
        tr = Track(track_id or f"{domain}@{start_ns / NS:.3f}", domain, start_ns,
                   [Target(k, u, match_key(u, domain)) for k, u in targets])
        lo = start_ns - int(BEFORE_S * NS)
        oldest: int | None = None
        for e in before:
            if not lo <= e.time_ns < start_ns:
                continue
            oldest = e.time_ns if oldest is None else min(oldest, e.time_ns)
            key = match_key(e.url, domain)
            cache = cache_of(e)
            hit = tr.matching(key)
            for t in hit:
                t.before.add(e, cache)
            if hit:
                tr.before.add(e, cache)
        span = (start_ns - oldest) / NS if oldest is not None else 0.0
        if before_span_s is not None:
            span = before_span_s
        for f in (tr.before, *(t.before for t in tr.targets)):
            f.span_s = span
        self.tracks = [t for t in self.tracks if t.id != tr.id] + [tr]
        del self.tracks[:-self.keep]
        self.version += 1
        return tr

    # -- feeding -------------------------------------------------------------------------

    def feed(self, domain: str, entries: Iterable[LogEntry]) -> bool:
        """New entries of `domain`'s stream (each once, oldest first); True if a track changed."""
        tracks = [t for t in self.tracks if t.domain == domain and not t.done]
        seen = self.stream.setdefault(domain, [0, 0])
        changed = False
        limit = int(self.window_s * NS)
        keys = self._keys.setdefault(domain, {})  # a bare path's key depends on the domain
        if len(keys) > 50_000:
            keys.clear()
        for e in entries:
            cache = cache_of(e)
            seen[0] += 1
            seen[1] += bool(cache)
            if not tracks:
                continue
            key = keys.get(e.url)
            if key is None:
                key = keys[e.url] = match_key(e.url, domain)
            for tr in tracks:
                age = e.time_ns - tr.start_ns
                if age < 0 or age > limit or e.time_ns < tr.fed_ns:
                    continue
                tr.fed_ns = e.time_ns
                tr.last_ns = max(tr.last_ns, e.time_ns)
                hit = tr.matching(key)
                for t in hit:
                    t.see(e, key, cache)
                if hit:
                    tr.after.add(e, cache)
                    changed = True
        if changed:
            self.version += 1
        return changed

    def tick(self, now_ns: int) -> None:
        """The clock moved: the after-spans grow even when no entry arrives."""
        window = int(self.window_s * NS)
        for tr in self.tracks:
            if tr.done:
                continue
            tr.last_ns = max(tr.last_ns, min(now_ns, tr.start_ns + window))
            span = max(0.0, (tr.last_ns - tr.start_ns) / NS)
            for f in (tr.after, *(t.after for t in tr.targets)):
                f.span_s = span
            if now_ns - tr.start_ns > window + GRACE_S * NS:
                tr.done = True
                self.version += 1

    # -- reading -------------------------------------------------------------------------

    def stream_has_cache(self, domain: str) -> bool | None:
        seen = self.stream.get(domain)
        if not seen or not seen[0]:
            return None
        return seen[1] > 0

    def get(self, track_id: str) -> Track | None:
        return next((t for t in self.tracks if t.id == track_id), None)

    def young(self, now_ns: int, domain: str | None = None) -> Track | None:
        """The newest track younger than the window (the status line shows it)."""
        for tr in reversed(self.tracks):
            if (domain is None or tr.domain == domain) and \
                    0 <= now_ns - tr.start_ns <= self.window_s * NS:
                return tr
        return None

    def counts(self, tr: Track) -> Counter[str]:
        return tr.counts(self.needed, self.stream_has_cache(tr.domain))

    def rows(self, tr: Track) -> list[dict[str, Any]]:
        """One JSON object per refreshed entry: the verdict table."""
        has_cache = self.stream_has_cache(tr.domain)
        out = []
        for t in tr.targets:
            v = t.verdict(self.needed, has_cache)
            row: dict[str, Any] = {
                "submission": tr.id, "domain": tr.domain, "type": t.kind, "url": t.url,
                "refreshed_ns": tr.start_ns, "verdict": v,
                "words": verdict_words(v, self.needed), "requests": t.requests,
                "first_miss_ns": t.first_miss_ns, "refilled_ns": t.refill_ns,
                "before": t.before.to_json(), "after": t.after.to_json(),
            }
            if t.kind == "directory":
                row["urls_seen"], row["urls_missed"] = t.urls_seen, t.urls_missed
            if v == "cannot_tell":
                row["reason"] = CANNOT_TELL_REASON
            out.append(row)
        return out


def _pct(share: float | None) -> str:
    if share is None:
        return "-"
    p = share * 100
    return f"{p:.0f}%" if p >= 10 or p == 0 else f"{p:.1f}%"


def status_text(tracker: PurgeTracker, tr: Track, hhmm: str) -> str:
    """The status-area line: `refresh 14:02 · 18/20 purged · 5XX on them 34% -> 0.4%`; the
    error class shown is the one larger before the refresh (4XX for a cached error)."""
    counts = tracker.counts(tr)
    n = len(tr.targets)
    if counts.get("cannot_tell"):
        middle = "cannot tell (no cache status)"
    else:
        middle = f"{counts.get('purged', 0)}/{n} purged"
    b, a = tr.before, tr.after
    if b.requests and b.e4 > b.e5:
        label, before, after = "4XX", b.share(b.e4), a.share(a.e4)
    else:
        label, before, after = "5XX", b.share(b.e5), a.share(a.e5)
    return f"refresh {hhmm} · {middle} · {label} on them {_pct(before)} -> {_pct(after)}"
