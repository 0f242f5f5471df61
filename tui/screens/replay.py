"""The dashboard over a recording (`s4top --replay FILE.db`): the replay's clock and keys.

The recording is served by the simulator's HTTP layer on loopback (tui/sim/replay.py, built
in tui/context.py) and read by the real client and the same pollers as live data; only the
clock differs: the app's clock is the replay's, so the tail, the charts and the alerts follow
it. `>`/`<` step its speed, ctrl+g jumps: the pollers start again at the new time, the
buffer filled from the backlog window before it (what a live start does), never by
streaming everything in between. `app` is tui/app.py's S4TopApp (screens do not import it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.core.buffer import LogBuffer
from tui.core.replaytime import format_replay_time, parse_at, speed_label, step_speed
from tui.core.sanitize import inert
from tui.live.pollers import series_loop, tail_loop
from tui.live.state import DomainState

REFRESH_DISABLED = "replay: refresh is disabled (a recording is the past)"
MIN_POLL_S = 0.1
NO_POLL = "replay: + and - have no effect (the recording has no poll; > and < set the speed)"


class ReplayClockSource(Protocol):
    """The replay's simulator as the app sees it (tui/sim/replay.py's ReplaySimulator)."""

    @property
    def speed(self) -> float: ...
    def set_speed(self, speed: float) -> None: ...
    def replay_now_ns(self) -> int: ...
    def jump(self, at_ns: int) -> int: ...


class ReplayControl:
    """The replay's side of the app: the header badge, the speed keys, the jump."""

    def __init__(self, app: Any, source: Any) -> None:
        self.app = app
        self.source: ReplayClockSource = source
        span = source.span
        self.start_ns, self.end_ns = span.start_ns, span.end_ns
        app.clock_ns = source.replay_now_ns
        app.hooks.clock_ns = source.replay_now_ns
        app.desk.refused = REFRESH_DISABLED
        # the tail polls as often in replay time as it would live: at 10x ten times a second
        # (never faster than MIN_POLL_S), so the rates, the rows and the alerts keep up
        live_poll = app.hooks.poll_s
        app.hooks.poll_s = lambda st: max(MIN_POLL_S,
                                          live_poll(st) / max(1.0, self.source.speed))
        self._hold: Any = None  # the timer that ends a jump's hold on the frames
        self._jumped_to: int | None = None  # the time of the jump being held (for its toast)
        # a jump's hold ends as soon as the backlog is in (the tail says so when it hands the
        # last rows over), not at the fallback timer's next tick
        arrived = app.hooks.entries_arrived

        def entries_arrived(st: Any) -> None:
            arrived(st)
            if self._hold is not None and st is app.state and st.caught_up:
                self._release()

        app.hooks.entries_arrived = entries_arrived

    def badge(self) -> str:
        """`2026-11-20 14:02:11 ×10` in the original times (the header prefixes REPLAY)."""
        now = self.source.replay_now_ns()
        end = "  end" if now >= self.end_ns else ""
        return (f"{format_replay_time(now, self.app.utc)} "
                f"{speed_label(self.source.speed)}{end}")

    def handle(self, step: int) -> None:
        """`>` (1), `<` (-1), ctrl+g (0)."""
        if step == 0:
            self.app.push_screen(JumpScreen(self.parse), self.jump)
            return
        speed = step_speed(self.source.speed, step)
        self.source.set_speed(speed)
        self.app.hooks.wake_tails()  # a tail asleep on the old interval re-reads it now
        self.app.notify(f"replay speed: {speed_label(speed)}", timeout=2)
        self.app._dashboard.frame()

    def no_poll(self) -> None:
        self.app.notify(NO_POLL, timeout=3)

    def parse(self, text: str) -> int:
        return parse_at(text, self.start_ns, self.end_ns, self.app.utc)

    def jump(self, at_ns: int | None) -> None:
        """To a recorded time: the pollers start anew there (backlog first)."""
        if at_ns is None:
            return
        at = self.source.jump(at_ns)
        app = self.app
        dash = app._dashboard
        dash.hold_frames = True  # the screen keeps the old frame until the new one is whole
        for st in app.states:
            reset_state(st)
        dash.switch_domain()  # the pane on the emptied buffer
        # scrolling from the old rows to the top of the empty buffer read as a scroll up by
        # the user (tui/widgets/logview.py stops following then): follow again
        app._dashboard.log_view.go_live()
        self._restart("tail", tail_loop)  # the charts follow once the rows are in
        self._jumped_to = at  # said with the new frame: a toast laid out now delays its rows
        if self._hold is not None:
            self._hold.stop()
        # the fallback: a backlog with no rows, or a tail that failed, says so only here
        self._hold = app.set_interval(0.05, self._release, name="replay-jump")

    def _release(self) -> None:
        """The shown domain's backlog is in (or its tail failed): draw the new time."""
        st = self.app.state
        if not (st.caught_up or st.log_health.state not in ("ok", "connecting")):
            return
        if self._hold is not None:
            self._hold.stop()
            self._hold = None
        app = self.app
        dash = app._dashboard
        dash.hold_frames = False
        dash.frame()
        self._restart("series", series_loop)
        at, self._jumped_to = self._jumped_to, None
        if at is not None:  # after the new frame is on the screen
            app.call_after_refresh(app.notify, f"replay: at {format_replay_time(at, app.utc)}",
                                   timeout=2)

    def _restart(self, kind: str, loop: Callable[..., Any]) -> None:
        """Every domain's poll loop of this kind anew; exclusive: the old one of the group is
        cancelled first (it cannot deliver into the reset state after)."""
        app = self.app
        client = app._get_client()
        for st in app.states:
            app.run_worker(loop(st, client, app.hooks), group=f"{kind}:{st.domain}",
                           exclusive=True, exit_on_error=False)


def replay_step(app: Any, step: int) -> None:
    """A replay key pressed: handled by the replay, or said to need one."""
    if app.replay is None:
        app.notify("not a replay: > < ctrl+g move a replay's clock (s4top --replay FILE.db)",
                   timeout=3)
        return
    app.replay.handle(step)


def reset_state(st: DomainState) -> None:
    """A domain as before its first poll (its filter kept): a jump starts the tail anew."""
    fresh = DomainState(domain=st.domain, buffer=LogBuffer(st.buffer.capacity))
    fresh.buffer.set_filter(st.buffer.filter)
    for f in fields(DomainState):
        setattr(st, f.name, getattr(fresh, f.name))
    st.dirty = True


class JumpScreen(ModalScreen[int | None]):
    """ctrl+g: a small box for the time to jump to. A bad time is said below it and the text
    stays, so nothing typed is lost."""

    DEFAULT_CSS = """
    JumpScreen { align: center middle; }
    JumpScreen > Vertical { width: 64; height: auto; border: round $accent;
                            background: $panel; padding: 0 1; }
    JumpScreen #jump-error { color: $error; height: auto; }
    JumpScreen Input { border: none; height: 1; padding: 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="replay_jump.cancel")]

    def __init__(self, parse: Callable[[str], int]) -> None:
        super().__init__()
        self._parse = parse

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("jump to: 14:02, -10m (before the end), 2026-11-20T14:02  "
                         "(Enter jumps, Esc cancels)")
            yield Input(placeholder="14:02", id="jump-input")
            yield Static("", id="jump-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            at = self._parse(event.value)
        except ValueError as exc:
            self.query_one("#jump-error", Static).update(Text(inert(str(exc), 200)))
            return
        self.dismiss(at)

    def action_cancel(self) -> None:
        self.dismiss(None)
