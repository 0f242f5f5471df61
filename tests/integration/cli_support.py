"""Helpers for the CLI tests: run the REAL installed `s4top` in a subprocess against a
simulator on a real loopback port, and talk to the simulator's admin API over HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import DOMAIN, cli_env
from tui.sim import SimConfig, SimServer

S4TOP = Path(sys.executable).parent / "s4top"
NS = 1_000_000_000

__all__ = ["DOMAIN", "NS", "S4TOP", "Admin", "Result", "cli_env", "recent_frozen_sim", "run", "run_many", "start"]

# Characters that must never reach a terminal raw (checked here independently of tui.core).
_FORBIDDEN = (
    {chr(c) for c in range(0x20) if c != 0x0A}
    | {chr(0x7F)}
    | {chr(c) for c in range(0x80, 0xA0)}
    | {"\u061c", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2028", "\u2029", "\u2060", "\ufeff"}
    | {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
)


def raw_controls(data: bytes) -> list[str]:
    """Every control/bidi/invisible character in output bytes (must be empty)."""
    text = data.decode("utf-8", errors="surrogateescape")
    return sorted({f"U+{ord(c):04X}" for c in text if c in _FORBIDDEN or 0xD800 <= ord(c) <= 0xDFFF})


@dataclass
class Result:
    rc: int
    out_bytes: bytes
    err_bytes: bytes

    @property
    def out(self) -> str:
        return self.out_bytes.decode("utf-8", errors="replace")

    @property
    def err(self) -> str:
        return self.err_bytes.decode("utf-8", errors="replace")

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def check_clean(out: bytes, err: bytes) -> None:
    """No traceback, ever, on either channel."""
    assert b"Traceback" not in out and b"Traceback" not in err, (out[-2000:], err[-2000:])


def run(
    args: list[str],
    env: dict[str, str],
    *,
    stdin: bytes | None = None,
    timeout: float = 20.0,
    cwd: str | Path | None = None,
) -> Result:
    """Run `s4top ARGS` to the end, in its own session (no controlling terminal, so a
    question on /dev/tty fails instead of hanging)."""
    proc = subprocess.run(
        [str(S4TOP), *args],
        env=env,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        start_new_session=True,
        cwd=cwd,
    )
    check_clean(proc.stdout, proc.stderr)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_many(jobs: list[tuple[list[str], dict[str, str]]], workers: int = 3) -> list[Result]:
    """Independent runs side by side (each waits mostly on its own start-up and sockets)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: run(job[0], job[1]), jobs))


class Running:
    """A long-running `s4top` (e.g. `logs --follow`) with stdout/stderr going to files, so a
    full pipe never stalls it and the test can watch stderr while it runs."""

    def __init__(self, args: list[str], env: dict[str, str], workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.out_path = workdir / "stdout"
        self.err_path = workdir / "stderr"
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(
            [str(S4TOP), *args], env=env, stdin=subprocess.DEVNULL, stdout=self._out,
            stderr=self._err, start_new_session=True,
        )

    @property
    def err(self) -> str:
        return self.err_path.read_bytes().decode("utf-8", errors="replace")

    @property
    def out_bytes(self) -> bytes:
        return self.out_path.read_bytes()

    def wait_for(self, predicate: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"s4top exited ({self.proc.returncode}) while waiting for {what}: {self.err[-2000:]}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; stderr so far:\n{self.err[-3000:]}")

    def wait_err(self, needle: str, count: int = 1, timeout: float = 10.0) -> None:
        self.wait_for(lambda r: r.err.count(needle) >= count, timeout, f"{count}x {needle!r} on stderr")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10.0) -> Result:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"s4top did not stop on signal {sig}: {self.err[-2000:]}") from None
        finally:
            self._out.close()
            self._err.close()
        out, err = self.out_bytes, self.err_path.read_bytes()
        check_clean(out, err)
        return Result(self.proc.returncode, out, err)


@contextmanager
def start(args: list[str], env: dict[str, str], workdir: Path) -> Iterator[Running]:
    r = Running(args, env, workdir)
    try:
        yield r
    finally:
        if r.proc.poll() is None:
            r.proc.kill()
            r.proc.wait(5)
        r._out.close()
        r._err.close()


def now_floor_ns(step_s: int = 60) -> int:
    return (time.time_ns() // (step_s * NS)) * step_s * NS


def configured_rate(per_s: float, at_s: float | None = None) -> float:
    """The simulator `rate` that gives `per_s` entries/s at `at_s` (default now): its model
    has a daily shape, 0.45x at 01:00 UTC to 1.55x at 13:00, and a test that needs so many
    entries must not depend on the hour it runs at."""
    from tui.sim.catalog import build_paths
    from tui.sim.model import RateModel

    when = time.time() if at_s is None else at_s
    return per_s / RateModel(1.0, False, build_paths()).day_factor(when)


@contextmanager
def recent_frozen_sim(*, rate: float = 20.0, seed: int = 7, back_s: int = 600, **kw: Any) -> Iterator[SimServer]:
    """A frozen simulator whose clock stands a little before real now: the CLI computes its
    windows from the real clock (and clamps starts older than 3 days), so a fixed date long
    ago would be out of range."""
    cfg = SimConfig(seed=seed, rate=rate, start_ns=now_floor_ns(1) - back_s * NS, frozen=True, domains=(DOMAIN,), **kw)
    with SimServer(cfg) as server:
        yield server


class Admin:
    """The simulator's controls, over HTTP like any client."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _call(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        content = None if body is None else json.dumps(body).encode("ascii")  # lone surrogates too
        r = httpx.request(method, self.base_url + path, content=content, params=params, timeout=10.0,
                          headers={"Content-Type": "application/json"})
        assert r.status_code == 200, r.text
        return r.json()

    def fault(self, **rule: Any) -> None:
        self._call("POST", "/_sim/faults", rule)

    def clear(self) -> None:
        self._call("DELETE", "/_sim/faults")

    def refreshes(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_sim/refreshes")["data"]

    def truth(self, start_ns: int, end_ns: int | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"domain": DOMAIN, "start_ns": start_ns}
        if end_ns is not None:
            params["end_ns"] = end_ns
        return self._call("GET", "/_sim/truth", params=params)["data"]

    def inject(self, entries: list[dict[str, Any]]) -> None:
        self._call("POST", "/_sim/inject", {"domain": DOMAIN, "entries": entries})

    def now_ns(self) -> int:
        return self._call("GET", "/_sim/clock")["now_ns"]


def key_of_wire(e: dict[str, Any]) -> tuple[Any, ...]:
    """Identity of a default-shape wire entry (what /_sim/truth returns)."""
    return (e["access_time"], e["code"], e["method"], e["ip"], e["size"], e["path"], e.get("referer"), e.get("ua"))


def key_of_json(e: dict[str, Any]) -> tuple[Any, ...]:
    """The same identity from one line of `s4top logs --json`."""
    extra = e.get("extra", {})
    return (e["time_ns"], e["status"], e["method"], e["client_ip"], e["size"], e["url"], extra.get("referer"), extra.get("ua"))


def write_config(path: Path, **values: Any) -> Path:
    lines = []
    for k, v in values.items():
        lines.append(f"{k} = {json.dumps(v)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def base_env(server_url: str, **extra: str) -> dict[str, str]:
    """cli_env plus no stray user config: S4TOP_CONFIG only when a test sets one."""
    env = cli_env(server_url, **extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def ps_argv(pid: int) -> list[str]:
    """What `ps` shows for a process: its argv."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")


def children_argv() -> list[list[str]]:
    """argv of every process on the machine we may read (for the no-token-in-argv check)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                out.append((d / "cmdline").read_bytes().decode(errors="replace").split("\0"))
            except OSError:
                continue
    return out

