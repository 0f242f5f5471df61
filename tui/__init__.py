"""s4top: a terminal live monitor for the Bitiful S4 static CDN."""

from __future__ import annotations

__version__ = "0.1.0"
