"""Built-in simulator of the Bitiful S4 static CDN API (demo, tests, `s4top simulate`).

`Simulator` is the pure model (clock, log generation, series, refresh, faults);
`SimServer` serves it over real loopback HTTP. See README.md beside this file for what
the simulator assumes where the vendor documents nothing.
"""

from __future__ import annotations

from .faults import FaultRule, FaultSet
from .incidents import Incident
from .outage import Outage
from .server import SimServer
from .simulator import DEMO_TOKEN, SimConfig, SimError, Simulator
from .variants import SHAPES

__all__ = [
    "DEMO_TOKEN",
    "SHAPES",
    "FaultRule",
    "FaultSet",
    "Incident",
    "Outage",
    "SimConfig",
    "SimError",
    "SimServer",
    "Simulator",
]
