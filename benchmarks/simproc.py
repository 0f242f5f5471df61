"""The simulator in its own process, as the real API is on another machine.

`SimServer` in a thread of the measured process would share its interpreter lock: the server's
JSON encoding would be billed to the dashboard. So the harness runs it here, in a child
(`python -m benchmarks.simproc CONFIG_JSON`), which prints its base URL and then answers one
JSON command per stdin line (counts of served entries, the ground truth of a range, the
clock). Closing stdin stops it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Any

from tui.sim import SimConfig, SimServer, Simulator

from .env import DOMAIN, child_env


class CountingSimulator(Simulator):
    """Counts the log entries it serves, so an ingest rate is measured, not assumed."""

    def __init__(self, config: SimConfig) -> None:
        super().__init__(config)
        self.served = 0
        self.pages = 0
        self._count_lock = threading.Lock()

    def logs(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        page = super().logs(*args, **kwargs)
        with self._count_lock:
            self.served += len(page)
            self.pages += 1
        return page


def _answer(sim: CountingSimulator, cmd: dict[str, Any]) -> Any:
    op = cmd.get("op")
    if op == "stats":
        return {"served": sim.served, "pages": sim.pages, "now_ns": sim.now_ns()}
    if op == "now":
        return {"now_ns": sim.now_ns()}
    if op == "set_now":
        return {"now_ns": sim.set_now(int(cmd["now_ns"]))}
    if op == "truth":
        rows = sim.truth(DOMAIN, int(cmd["start_ns"]), int(cmd["end_ns"]))
        if cmd.get("encode"):  # make the entries' wire JSON now, as the generating is
            rows.encoded()
        out: dict[str, Any] = {"count": len(rows)}
        nth = cmd.get("nth_from_end")
        if nth:
            out["nth_time"] = rows[-nth]["access_time"] if len(rows) >= nth else None
        digit = cmd.get("digit")
        if digit is not None:
            sel = [r for r in rows if r["code"] // 100 == digit]
            out["digit_count"] = len(sel)
            k = int(cmd.get("last", 0))
            out["last"] = [{"t": r["access_time"], "code": r["code"], "path": r["path"]}
                           for r in sel[-k:]] if k else []
        return out
    if op == "faults":  # replace the fault rules (tui/sim/faults.py), e.g. a link's latency
        return {"rules": sim.faults.set(cmd.get("rules", []))}
    if op == "expected_rate":
        a, b = int(cmd["start_s"]), int(cmd["end_s"])
        return {"rate": sum(sim.model.lam(s)[0] for s in range(a, b)) / max(1, b - a)}
    raise ValueError(f"unknown op {op!r}")


def main() -> int:
    cfg = json.loads(sys.argv[1])
    config = SimConfig(domains=(DOMAIN,), **cfg)
    sim = CountingSimulator(config)
    server = SimServer(sim=sim)
    print(server.start(), flush=True)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                reply = {"ok": True, "value": _answer(sim, json.loads(line))}
            except Exception as exc:  # noqa: BLE001 - the harness shows it
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(reply), flush=True)
    finally:
        server.stop()
    return 0


#: set by `--quick` (benchmarks/__main__.py): the simulators' exact series window, unless a
#: scenario sets one. The dashboard asks its series at the start, and the last minute (the
#: simulator's floor) at 5k entries/s is 300k entries made for it: 4 s of a quick run's CPU.
QUICK_EXACT_SERIES_S: int | None = None


class SimProcess:
    """Handle on a simulator child: `base_url`, `ask(op, ...)`, `stop()`; a context manager."""

    def __init__(self, **config: Any) -> None:
        if QUICK_EXACT_SERIES_S is not None:
            config.setdefault("exact_series_s", QUICK_EXACT_SERIES_S)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.simproc", json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=child_env(ours=True),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.base_url = line
        self.pid = self.proc.pid

    def ask(self, op: str, **args: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if not reply["ok"]:
            raise RuntimeError(f"simulator: {reply['error']}")
        return reply["value"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    sys.exit(main())
