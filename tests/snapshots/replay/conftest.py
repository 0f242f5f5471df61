"""Replay snapshot fixtures: the recording and the app over it (tests/replay_support.py)."""

from __future__ import annotations

from tests.replay_support import make_replay, recording

__all__ = ["make_replay", "recording"]
