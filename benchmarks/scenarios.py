"""The scenarios, by the name used on the command line, in the order of the issues."""

from __future__ import annotations

from types import ModuleType

from . import bytes_ssh, catchup, link, memory, pipeline, responsiveness, soak, start

#: Issues 6 and 15: what `python -m benchmarks` runs (about 7 minutes).
SCENARIOS: dict[str, ModuleType] = {
    "catchup": catchup,
    "pipeline": pipeline,
    "responsiveness": responsiveness,
    "bytes": bytes_ssh,
    "memory": memory,
    "start": start,
    "link": link,
}

#: Run only when named or with --long: issue 7's 30-minute soak with faults.
LONG_SCENARIOS: dict[str, ModuleType] = {
    "soak": soak,
}

ALL_SCENARIOS: dict[str, ModuleType] = {**SCENARIOS, **LONG_SCENARIOS}
