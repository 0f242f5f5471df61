"""Replay fixtures: a recording of the simulator's truth, and the real app over it."""

from __future__ import annotations

from tests.replay_support import OTHER, REC_END, REC_START, make_replay, recording, window

__all__ = ["OTHER", "REC_END", "REC_START", "make_replay", "recording", "window"]
