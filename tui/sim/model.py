"""The rate model: how many requests per second, and what an average request looks like.

One model drives both the log generator (it draws a count around `lam(s)` each second) and
the time series (they sum the model's expectation, or the generated entries themselves for
the recent past), so the two always agree.

Shape of a day: rate(t) = rate * (1 + 0.55 * cos(2*pi*(t_utc_hours - 13) / 24)), a mean of
`rate` with the peak at 13:00 UTC (21:00 in China, where the vendor is) and the trough at
01:00 UTC. Scheduled incidents (when `incidents` is on), at fixed offsets in every UTC hour:

- 5xx burst, minutes 40:00-42:59: 1.3x requests, 30% of them hit BURST_PATH and get
  502/503/504 (cache MISS).
- origin storm, minutes 15:00-19:59: a scheduled purge of PURGE_DIR, so every 2xx/3xx
  request under it is a MISS (origin requests and origin traffic spike).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .catalog import (
    BURST_5XX,
    BURST_PATH,
    ERR_5XX,
    HIT_404,
    P_5XX,
    P_HEAD,
    PROFILES,
    PURGE_DIR,
    SIZE_403,
    SIZE_404,
    PathSpec,
)

NORMAL, PURGE, BURST = 0, 1, 2
PURGE_AT_S, PURGE_LEN_S = 15 * 60, 300
BURST_AT_S, BURST_LEN_S = 40 * 60, 180
BURST_MULT = 1.3
P_BURST = 0.30
DAY_AMPLITUDE = 0.55
PEAK_UTC_S = 13 * 3600

_TWO_PI_DAY = 2.0 * math.pi / 86400.0


@dataclass(slots=True, frozen=True)
class Mix:
    """Expected values per request: body bytes, P(MISS), body bytes of misses."""

    size: float
    miss: float
    miss_size: float


def _err_size(table: tuple[tuple[int, float, int], ...]) -> float:
    return sum(p * size for _, p, size in table)


def _path_mix(spec: PathSpec, purged: bool) -> Mix:
    """Expectation of one request for this path, mirroring LogGenerator's draws."""
    hit = 0.0 if purged else spec.hit
    size = miss = miss_size = 0.0
    for code, p in PROFILES[spec.profile]:
        if code == 200:
            es, m = float(spec.size), 1.0 - hit
        elif code == 206:
            es, m = (spec.range_lo + spec.range_hi) / 2.0, 1.0 - hit
        elif code == 304:
            es, m = 0.0, 1.0 - hit
        elif code == 404:
            es, m = float(SIZE_404), 1.0 - HIT_404
        else:  # 403
            es, m = float(SIZE_403), 1.0
        size += p * es
        miss += p * m
        miss_size += p * m * es
    e5 = _err_size(ERR_5XX)
    body = 1.0 - P_HEAD
    return Mix(
        size=body * ((1 - P_5XX) * size + P_5XX * e5),
        miss=(1 - P_5XX) * miss + P_5XX,
        miss_size=body * ((1 - P_5XX) * miss_size + P_5XX * e5),
    )


def build_mixes(paths: list[tuple[PathSpec, float]]) -> dict[int, Mix]:
    """Average request per mode (normal, purge, burst)."""
    total = sum(w for _, w in paths)

    def average(purge: bool) -> Mix:
        s = m = ms = 0.0
        for spec, w in paths:
            mix = _path_mix(spec, purge and spec.path.startswith(PURGE_DIR))
            s += w * mix.size
            m += w * mix.miss
            ms += w * mix.miss_size
        return Mix(s / total, m / total, ms / total)

    normal = average(False)
    eb = (1 - P_HEAD) * _err_size(BURST_5XX)
    burst = Mix(
        size=(1 - P_BURST) * normal.size + P_BURST * eb,
        miss=(1 - P_BURST) * normal.miss + P_BURST,
        miss_size=(1 - P_BURST) * normal.miss_size + P_BURST * eb,
    )
    return {NORMAL: normal, PURGE: average(True), BURST: burst}


Sums = tuple[float, float, float, float]  # (requests, bytes, origin requests, origin bytes)


class RateModel:
    """Requests per second over time, incidents, and expected sums over ranges."""

    def __init__(self, rate: float, incidents: bool, paths: list[tuple[PathSpec, float]]):
        self.rate = float(rate)
        self.incidents_on = incidents
        self.mixes = build_mixes(paths)
        self._hours: dict[int, Sums] = {}

    def mode(self, s: int) -> int:
        if not self.incidents_on:
            return NORMAL
        off = s % 3600
        if PURGE_AT_S <= off < PURGE_AT_S + PURGE_LEN_S:
            return PURGE
        if BURST_AT_S <= off < BURST_AT_S + BURST_LEN_S:
            return BURST
        return NORMAL

    def day_factor(self, t: float) -> float:
        return 1.0 + DAY_AMPLITUDE * math.cos((t - PEAK_UTC_S) * _TWO_PI_DAY)

    def lam(self, s: int) -> tuple[float, int]:
        """Expected number of entries in whole second `s`, and the incident mode there."""
        mode = self.mode(s)
        lam = self.rate * self.day_factor(s + 0.5)
        return (lam * BURST_MULT if mode == BURST else lam), mode

    def _span(self, a: int, b: int) -> Sums:
        """Expected sums over [a, b) inside one minute (one mode, midpoint rate)."""
        mode = self.mode(a)
        n = self.rate * self.day_factor((a + b) / 2.0) * (b - a)
        if mode == BURST:
            n *= BURST_MULT
        mix = self.mixes[mode]
        return n, n * mix.size, n * mix.miss, n * mix.miss_size

    def _hour(self, h0: int) -> Sums:
        got = self._hours.get(h0)
        if got is None:
            acc = [0.0, 0.0, 0.0, 0.0]
            for m in range(60):
                for i, v in enumerate(self._span(h0 + 60 * m, h0 + 60 * m + 60)):
                    acc[i] += v
            got = (acc[0], acc[1], acc[2], acc[3])
            if len(self._hours) > 50_000:
                self._hours.clear()
            self._hours[h0] = got
        return got

    def expected(self, a: int, b: int) -> Sums:
        """Expected sums over whole seconds [a, b)."""
        acc = [0.0, 0.0, 0.0, 0.0]
        s = a
        while s < b:
            if s % 3600 == 0 and s + 3600 <= b:
                part = self._hour(s)
                s += 3600
            else:
                e = min(b, s - s % 60 + 60)
                part = self._span(s, e)
                s = e
            for i, v in enumerate(part):
                acc[i] += v
        return acc[0], acc[1], acc[2], acc[3]

    def incidents(self, start_s: int, end_s: int) -> list[dict[str, object]]:
        """Scheduled incident windows overlapping [start_s, end_s), oldest first."""
        if not self.incidents_on:
            return []
        out: list[dict[str, object]] = []
        h = start_s - start_s % 3600
        while h < end_s:
            for kind, at, length, target in (
                ("origin_storm", PURGE_AT_S, PURGE_LEN_S, PURGE_DIR),
                ("5xx_burst", BURST_AT_S, BURST_LEN_S, BURST_PATH),
            ):
                a, b = h + at, h + at + length
                if b > start_s and a < end_s:
                    out.append({"kind": kind, "start_s": a, "end_s": b, "path": target})
            h += 3600
        return out
