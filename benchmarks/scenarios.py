"""The scenarios, by the name used on the command line, in the order of the issues."""

from __future__ import annotations

from types import ModuleType

from . import (
    bytes_ssh,
    catchup,
    explain,
    exporter,
    link,
    memory,
    pipeline,
    replay,
    responsiveness,
    soak,
    start,
)

#: Issues 6 and 15: what `python -m benchmarks` runs (about 7 minutes).
SCENARIOS: dict[str, ModuleType] = {
    "catchup": catchup,
    "pipeline": pipeline,
    "responsiveness": responsiveness,
    "bytes": bytes_ssh,
    "memory": memory,
    "start": start,
    "link": link,
    #: issue 13: `s4top exporter` on 20 domains at 5k entries/s (about 3 minutes)
    "exporter": exporter,
    "replay": replay,  # issue 15: --replay of a 1M-entry recording
    "explain": explain,
}

#: Run only when named or with --long: issue 7's 30-minute soak with faults.
LONG_SCENARIOS: dict[str, ModuleType] = {
    "soak": soak,
}

ALL_SCENARIOS: dict[str, ModuleType] = {**SCENARIOS, **LONG_SCENARIOS}

#: --quick runs in two lanes at once, one after another in each: these in a process of their
#: own, the rest in the harness's; about half of the quick run's wall time each (the link
#: scenario mostly waits on its simulated latency). On an idle 2-core machine, 2026-12-01:
#: one lane took 25 s (33 s of CPU), two take 16-19 s.
QUICK_ASIDE = ("link", "start", "exporter", "replay")
