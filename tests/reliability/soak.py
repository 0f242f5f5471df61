"""The soak: the real dashboard (headless, its own process) follows ~5k entries/s from the
simulator for minutes while a fault is injected every 20 s, then is held to three promises:
it never crashed, every entry the simulator produced in the followed window was delivered
exactly once in order (a running digest, compared with the simulator's truth), and its RSS
stayed flat after warm-up. Used by tests/reliability/test_soak.py (85 s) and by
benchmarks/soak.py (30 minutes).
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import DOMAIN
from tests.integration.cli_support import configured_rate
from tests.reliability.soak_app import entry_key
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

REPO = Path(__file__).resolve().parents[2]
NS = 1_000_000_000

#: Faults in the order they are injected (then again from the top); "restart" stops the
#: server and starts it again on the same port with the same simulated world.
FAULTS: list[tuple[str, dict[str, Any] | None]] = [
    ("HTTP 503", {"status": 503}),
    ("connection reset", {"reset": True}),
    ("latency beyond the read timeout", {"latency_s": 4.0}),
    ("server stopped and restarted", None),
    ("HTTP 429 Retry-After 1", {"status": 429, "retry_after": 1}),
    ("truncated JSON", {"truncate": "json"}),
    ("401", {"status": 401}),
    ("wrong shape", {"shape": "unknown"}),
    ("hang", {"hang": True}),
    ("truncated body", {"truncate": "length"}),
]

#: Short back-off and timeouts (a fault test measures recovery, not patience).
SETTINGS = {"poll_interval": 0.5, "read_timeout": 2.0, "connect_timeout": 1.0, "backoff_base": 0.2,
            "backoff_cap": 1.0, "auth_backoff": 0.5, "backlog": 5.0}


@dataclass
class SoakResult:
    seconds: float
    entries: int = 0
    per_s: float = 0.0
    faults: list[str] = field(default_factory=list)
    recoveries_s: list[float] = field(default_factory=list)
    rss_kb: list[tuple[float, int]] = field(default_factory=list)
    warmup_s: float = 0.0
    exit_code: int | None = None
    crashed: str = ""
    exactly_once: bool = False
    mismatch: str = ""
    buffered: int = 0
    evicted: int = 0

    def rss_after_warmup(self) -> list[int]:
        return [kb for t, kb in self.rss_kb if t >= self.warmup_s]

    @property
    def rss_base_kb(self) -> float:
        after = self.rss_after_warmup()
        return statistics.median(after[:5]) if after else 0.0

    @property
    def rss_drift(self) -> float:
        """Last 5 samples against the first 5 after warm-up (medians), as a fraction."""
        after = self.rss_after_warmup()
        if len(after) < 10:
            return float("nan")
        return statistics.median(after[-5:]) / self.rss_base_kb - 1

    @property
    def rss_peak_over_base(self) -> float:
        after = self.rss_after_warmup()
        return max(after) / self.rss_base_kb - 1 if after else float("nan")

    def summary(self) -> str:
        return (f"{self.seconds:.0f} s, {self.entries} entries ({self.per_s:.0f}/s) checked exactly once: "
                f"{self.exactly_once}{' (' + self.mismatch + ')' if self.mismatch else ''}; faults survived "
                f"{len(self.faults)} ({', '.join(self.faults)}), slowest recovery "
                f"{max(self.recoveries_s, default=0):.1f} s; RSS after {self.warmup_s:.0f} s warm-up "
                f"{self.rss_base_kb / 1024:.1f} MiB, drift {self.rss_drift:+.2%}, peak {self.rss_peak_over_base:+.2%}; "
                f"buffered {self.buffered}, evicted {self.evicted}; exit {self.exit_code}{' ' + self.crashed if self.crashed else ''}")




def run_soak(seconds: float, *, per_s: float = 5000.0, fault_every: float = 20.0, fault_len: float = 3.0,
             warmup_s: float = 40.0, workdir: Path, log: Callable[[str], None] = lambda _m: None,
             settings: dict[str, Any] | None = None) -> SoakResult:
    """`settings` go over SETTINGS (the app's own, e.g. a smaller ring that fills sooner)."""
    res = SoakResult(seconds=seconds, warmup_s=warmup_s)
    server = SimServer(SimConfig(seed=19, rate=configured_rate(per_s), domains=(DOMAIN,), incidents=False))
    server.start()
    port, sim = server.port, server.sim
    cfg = {"api_base": server.base_url, "domain": DOMAIN, "seconds": seconds,
           "settings": {**SETTINGS, **(settings or {})}}
    workdir.mkdir(parents=True, exist_ok=True)
    err_path = workdir / "stderr"
    env = {**os.environ, "BITIFUL_API_TOKEN": DEMO_TOKEN, "PYTHONPATH": str(REPO)}
    reports: list[dict[str, Any]] = []
    with open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tests.reliability.soak_app", json.dumps(cfg)], cwd=REPO,
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        reader = threading.Thread(target=_read_reports, args=(proc, reports), daemon=True)
        reader.start()
        t0 = time.monotonic()
        servers = [server]
        try:
            k = 0
            while True:
                next_fault = t0 + (k + 1) * fault_every
                if next_fault + fault_len + 5 > t0 + seconds:
                    break
                _sleep_until(next_fault, proc)
                name, rule = FAULTS[k % len(FAULTS)]
                log(f"soak: t={time.monotonic() - t0:.0f}s fault: {name}")
                if rule is None:
                    servers[-1].stop()
                    _sleep_until(time.monotonic() + fault_len, proc)
                    again = SimServer(sim=sim, port=port)
                    again.start()
                    servers.append(again)
                else:
                    sim.faults.set(dict(rule))
                    _sleep_until(time.monotonic() + fault_len, proc)
                    sim.faults.clear()
                healed_at = time.monotonic() - t0
                res.faults.append(name)
                res.recoveries_s.append(_recovery(reports, healed_at, t0 + healed_at + 30, proc))
                k += 1
            proc.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            res.crashed = "the app did not end on time"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            reader.join(5)
            res.exit_code = proc.returncode
            try:
                last = reports[-1] if reports else {}
                if last:
                    res.entries = last["count"]
                    res.buffered, res.evicted = last["buffered"], last["evicted"]
                    first, end = last["first"], last["last"]
                    res.per_s = res.entries / max(1e-9, (end - first) / NS) if first and end else 0.0
                    res.rss_kb = [(r["t"], r["rss_kb"]) for r in reports]
                    res.exactly_once, res.mismatch = _check_truth(sim, last)
            finally:
                for s in servers:
                    s.stop()
    stderr = err_path.read_text(errors="replace")
    if "Traceback" in stderr or res.exit_code != 0:
        res.crashed = res.crashed or f"exit {res.exit_code}: {stderr[-1500:]}"
    if reports and not all(r["running"] for r in reports):
        res.crashed = res.crashed or "the app stopped running"
    return res


def _read_reports(proc: subprocess.Popen, reports: list[dict[str, Any]]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            reports.append(json.loads(line))
        except ValueError:
            continue


def _sleep_until(when: float, proc: subprocess.Popen) -> None:
    while time.monotonic() < when:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited during the soak (exit {proc.returncode})")
        time.sleep(min(0.2, max(0.0, when - time.monotonic())))


def _recovery(reports: list[dict[str, Any]], healed_at: float, deadline: float, proc: subprocess.Popen) -> float:
    """Seconds from the end of a fault to the first report that is healthy and has new entries."""
    base = reports[-1]["count"] if reports else 0
    while time.monotonic() < deadline and proc.poll() is None:
        for r in reports:
            if r["t"] > healed_at and r["health"] == "ok" and r["count"] > base:
                return max(0.0, r["t"] - healed_at)
        time.sleep(0.2)
    return float("inf")


def _check_truth(sim: Any, last: dict[str, Any]) -> tuple[bool, str]:
    """The first `count` entries of the truth from the tail's start hash to the app's digest,
    and the count-th one is at the last delivered time (so nothing before it is missing)."""
    count, start, want_last = last["count"], last["start"], last["last"]
    digest = hashlib.blake2b(digest_size=16)
    n, a, last_time = 0, start, None
    step = 2 * NS
    while n < count:
        rows = sim.truth(DOMAIN, a, a + step - 1)
        for e in rows:
            if n == count:
                break
            digest.update(entry_key(e["access_time"], e["code"], e["method"], e["ip"], e["size"], e["path"],
                                    e.get("referer"), e.get("ua")))
            n += 1
            last_time = e["access_time"]
        a += step
        if a > sim.now_ns() + step:
            return False, f"the simulator produced {n} entries, the app delivered {count}"
    if last_time != want_last:
        return False, f"entry {count} is at {last_time}, the app's last at {want_last}"
    if digest.hexdigest() != last["digest"]:
        return False, "the delivered entries differ from the truth (lost, doubled or reordered)"
    return True, ""
