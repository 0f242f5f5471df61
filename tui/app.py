"""The Textual app: owns the API client, the pollers (one long-lived worker per loop), the
monitor model, and the screens. It wires the features together (the refresh desk, the alert
watch, the pollers) and answers the dashboard's messages; it does not implement them."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from functools import cached_property
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen

from tui.api.retry import RetryPolicy
from tui.context import Context, describe_error
from tui.core.buffer import LogBuffer
from tui.core.longlived import LongLived
from tui.core.sanitize import inert, inert_lines
from tui.core.uistate import UiState
from tui.live.export import export_shown
from tui.live.state import RANGES, DomainState, alert_rules, alert_text, poll_step
from tui.screens import navigate
from tui.screens.commands import binding_rows, keep_theme, screenshot, system_commands
from tui.screens.dashboard import Dashboard
from tui.screens.stylesheet import stylesheet

if TYPE_CHECKING:  # the client's module is imported when the client is built
    from tui.api.client import S4Client
    from tui.insight.alert_log import AlertBook
    from tui.live.alerting import AlertWatch
    from tui.live.pollers import PollerHooks
    from tui.refresh.desk import RefreshDesk
    from tui.refresh.watch import PurgeWatch
    from tui.screens.replay import ReplayControl

# The other screens are imported when first opened, and the features behind the dashboard
# (the refresh desk, the purge watch, the alert watch, the pollers) are built at their first
# use, at the latest right after the first frame (`_after_first_frame`): the first frame does
# not wait for their modules (start-up is measured in benchmarks/start.py).


class S4TopApp(App[int]):
    TITLE = "s4top"
    CSS_PATH = [stylesheet()]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="quit (ctrl+c too)", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
        Binding("question_mark", "help", "Help", tooltip="this help", id="app.help"),
        # priority: a modal screen (detail, refresh, help) cuts the app's other bindings off
        Binding("f8", "screenshot", "Screenshot", show=False, priority=True,
                tooltip="save an SVG screenshot to export_dir", id="app.screenshot"),
    ]

    #: what the dashboard watches: the shown domain, the clock's zone, the poll interval,
    #: the batch's tags
    active: var[int] = var(0)
    utc: var[bool] = var(False)
    poll_s: var[float] = var(1.0)
    draft_version: var[int] = var(0)

    def __init__(
        self,
        ctx: Context,
        *,
        start_pollers: bool = True,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        s = ctx.settings
        # the buffer budget is shared by the domains (docs/ux.md): each gets an equal part
        per_domain = max(1_000, s.buffer_size // max(1, len(ctx.domains)))
        self.states = [DomainState(domain=d, buffer=LogBuffer(per_domain)) for d in ctx.domains]
        self.set_reactive(S4TopApp.poll_s, s.poll_interval)
        self._range_index = 2  # 24h
        self.set_reactive(S4TopApp.utc, s.utc)
        self._start_pollers = start_pollers
        self.clock_ns = clock_ns
        self._wall_clock_ns = clock_ns  # a replay's clock replaces clock_ns, not this
        self.client: S4Client | None = None
        self.ui_state = UiState(ctx.data_dir / "ui.json")  # ctx.data_dir: the demo keeps its own
        self._refresh_modal: Screen | None = None
        self._long_lived = LongLived()  # gc.freeze after the first frame and the backlog
        self.keymap_warnings: list[str] = []
        if s.keymap:  # the check reads every screen's keys: imported only then
            from tui.screens.keymap import apply_keymap

            self.keymap_warnings = apply_keymap(self, s.keymap)
        # a replay's clock and keys (tui/screens/replay.py); None when live
        self.replay: ReplayControl | None = None
        if ctx.replay is not None:
            from tui.screens.replay import ReplayControl

            self.replay = ReplayControl(self, ctx.replay)

    # ---- the features (built at first use: see the module's head) ----------------------
    @cached_property
    def hooks(self) -> PollerHooks:
        """What the pollers read and call back (tui/live/pollers.py)."""
        from tui.live.alerting import ErrorToasts
        from tui.live.pollers import PollerHooks

        return PollerHooks.from_settings(
            self.ctx.settings,
            clock_ns=self._wall_clock_ns,
            poll_s=self._poll_for,
            chart_range=lambda: RANGES[self._range_index][1:],
            describe=lambda e: describe_error(e, self.ctx),
            toast_error=ErrorToasts(self.notify, lambda e: describe_error(e, self.ctx),
                                    self.ctx.token.description),
            toast=lambda m: self.notify(m, timeout=4),
            entries_arrived=self._entries_arrived,
        )

    @cached_property
    def alerts(self) -> AlertWatch:
        """The alert rules over every domain, and the list kept on disk (`!`)."""
        from tui.insight.alert_log import AlertBook
        from tui.live.alerting import AlertWatch

        s = self.ctx.settings
        book = AlertBook(self.ctx.data_dir / "alerts.jsonl")
        return AlertWatch(self.states, alert_rules(s), book, now=self.now, notify=self.notify,
                          bell=self.bell, bell_on=s.bell)

    @property
    def alert_book(self) -> AlertBook:
        return self.alerts.alert_book

    @cached_property
    def desk(self) -> RefreshDesk:
        """The refresh workflow: tags, the typed batch (kept on disk), sends (tui/refresh)."""
        from tui.refresh.desk import DeskHooks, RefreshDesk

        return RefreshDesk(self.ctx.data_dir, self.ctx.settings, DeskHooks(
            domain=lambda: self.state.domain, notify=self.notify, client=self._get_client,
            describe=lambda e: describe_error(e, self.ctx), run=self._run_send,
            on_event=self._desk_event, modal_open=lambda: self.screen is self._refresh_modal,
            accepted=self._purge_accepted))

    @cached_property
    def purges(self) -> PurgeWatch:
        """Did the purge work: every accepted refresh tracked against the log (verify.py)."""
        from tui.refresh.watch import PurgeWatch

        s = self.ctx.settings
        return PurgeWatch(self.ctx.data_dir, s.verify_window, s.verify_requests,
                          self._wall_clock_ns, on_error=lambda m: self.notify(m, severity="error"))

    def _built(self, name: str) -> Any:
        """The feature `name` if it was built already, else None (never builds it)."""
        return self.__dict__.get(name)

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every toast is plain, inert text: messages can quote servers and log fields."""
        super().notify(inert_lines(message), title=inert(title), severity=severity,
                       timeout=timeout, markup=False)

    # ---- DashboardHost: what the dashboard reads every frame ---------------------------
    @property
    def state(self) -> DomainState:
        return self.states[self.active]

    @property
    def range_index(self) -> int:
        return self._range_index

    def now(self) -> float:
        return self.clock_ns() / 1e9

    def _poll_for(self, st: DomainState) -> float:
        """The shown domain polls at the chosen interval; hidden ones 5x slower (>= 10 s)."""
        return self.poll_s if st is self.state else max(10.0, 5 * self.poll_s)

    def status_extras(self) -> dict[str, Any]:
        # the first frame is drawn before the features are built: nothing to show of them yet
        desk, alerts, purges = self._built("desk"), self._built("alerts"), self._built("purges")
        domain = self.state.domain
        return {
            "domain_index": self.active,
            "domain_count": len(self.states),
            "token_source": self.ctx.token.description,
            "readonly": self.ctx.settings.readonly,
            "pending_tags": desk.pending_count(domain) if desk is not None else 0,
            "alert": alert_text(self.state),
            "other_alerts": alerts.others_alerting(domain) if alerts is not None else 0,
            "purge": purges.status(domain, self.utc) if purges is not None else "",
            "replay": self.replay.badge() if self.replay is not None else "",
            "disk_warning": desk.disk_warning() if desk is not None else "",
        }

    # ---- the refresh desk's side of Textual --------------------------------------------
    def _get_client(self) -> S4Client:
        if self.client is None:
            # reads never retry here (the pollers back off); a refresh's retries come back
            # as events of its job
            self.client = self.ctx.client(retry=RetryPolicy(attempts=1))
        return self.client

    @work(group="refresh", exit_on_error=False)
    async def _run_send(self, send: Coroutine[Any, Any, None]) -> None:
        await send

    def _desk_event(self, event: str, domain: str) -> None:
        from tui.refresh import desk as desk_events

        if event == desk_events.DRAFT:
            self.draft_version += 1  # the dashboard shows the rows' tags anew
        elif event == desk_events.SENT:  # its mark on the charts
            for st in (st for st in self.states if st.domain == domain):
                st.series_changed()
        elif event == desk_events.OPEN:
            self._refresh_modal = navigate.open_refresh_modal(self)

    def _purge_accepted(self, job: Any) -> None:
        buf = next((st.buffer for st in self.states if st.domain == job.domain), None)
        self.purges.accepted(job, buf)

    # ---- the dashboard's messages ------------------------------------------------------
    @on(Dashboard.TagRequested)
    def _tag(self, msg: Dashboard.TagRequested) -> None:
        self.desk.toggle_tag(msg.entry, msg.kind)

    @on(Dashboard.OpenRequested)
    def _open(self, msg: Dashboard.OpenRequested) -> None:
        getattr(navigate, f"open_{msg.name}")(self)

    @on(Dashboard.DomainStepped)
    def _domain_step(self, msg: Dashboard.DomainStepped) -> None:
        if len(self.states) > 1:
            self.switch_domain((self.active + msg.step) % len(self.states))

    @on(Dashboard.PollStepped)
    def change_poll(self, msg: Dashboard.PollStepped) -> None:
        if self.replay is not None:
            return self.replay.no_poll()
        cur = self.poll_s
        self.poll_s = poll_step(cur, msg.direction)  # the dashboard watches it
        if self.poll_s != cur:
            self.hooks.wake_tails()  # a loop asleep on the old interval re-reads it now

    @on(Dashboard.ReplayStepped)
    def _replay_step(self, msg: Dashboard.ReplayStepped) -> None:
        from tui.screens.replay import replay_step  # says what the keys need when live

        replay_step(self, msg.step)

    @on(Dashboard.RetryRequested)
    def retry_now(self) -> None:
        """ctrl+r: the shown domain's pollers that wait after an error try again now."""
        if not self.hooks.retry_now(self.state):
            self.notify("nothing to retry: no request is waiting after an error", timeout=3)

    @on(Dashboard.RangeCycled)
    def cycle_range(self) -> None:
        self._range_index = (self._range_index + 1) % len(RANGES)
        for st in self.states:
            st.series = {}
            st.series_changed()
        self.hooks.wake_series()
        self.notify(f"chart range: {RANGES[self._range_index][0]}", timeout=2)

    @on(Dashboard.UtcToggled)
    def toggle_utc(self) -> None:
        self.utc = not self.utc

    @on(Dashboard.ExportRequested)
    def export_entries(self, msg: Dashboard.ExportRequested) -> None:
        ok, text = export_shown(self.ctx.settings.export_dir, self.state.domain,
                                self.state.buffer, msg.plain, self.utc,
                                anonymize=self.ctx.settings.anonymize_ip)
        self.notify(text, **({"title": "export", "timeout": 8} if ok else {"severity": "error"}))

    # ---- domains ----------------------------------------------------------------------
    def switch_domain(self, index: int) -> None:
        if not self.states or index == self.active:
            return
        self.hooks.wake_tails()  # the shown and the hidden domain poll at other intervals now
        self.active = index % len(self.states)  # the dashboard watches it
        self.notify(f"domain {self.active + 1}/{len(self.states)}: {self.state.domain}", timeout=2)

    # ---- lifecycle ---------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        s = self.ctx.settings
        self._dashboard = Dashboard(
            self, tag_of=lambda entry: self.desk.tag_of(entry), max_fps=s.max_fps,
            marks=self._chart_marks,
            # the 5XX share past which the 5XX figure is marked (the absolute alert threshold)
            five_xx_threshold=s.alert_5xx_absolute,
            paced_reveal=s.paced_reveal and self.replay is None)  # a replay's rows at once
        return self._dashboard

    def _chart_marks(self, domain: str) -> tuple[Any, ...]:
        """The charts' marks: refreshes sent from s4top, purged or not (none in the first
        frame, drawn before the desk and the purge watch are built)."""
        desk, purges = self._built("desk"), self._built("purges")
        if desk is None or purges is None:
            return ()
        return purges.marks(domain, desk.refresh_marks(domain))

    def _entries_arrived(self, st: DomainState) -> None:
        self.purges.arrived(st.domain, st.buffer)
        dash = getattr(self, "_dashboard", None)
        if dash is not None and st is self.state:
            dash.wake()
        if st.caught_up:
            self._long_lived.backlog_in()

    def _after_first_frame(self) -> None:
        # the features the first frame did without (frozen with it, as long-lived); the
        # status line shows at once what they hold: a batch typed before a restart, an alert
        # still active, a purge being verified
        _built_now = (self.desk, self.purges, self.alerts)
        self._long_lived.first_frame()
        dash = getattr(self, "_dashboard", None)
        if dash is not None:
            dash.wake()
        if self._start_pollers:
            self._start_polling()

    def on_mount(self) -> None:
        keep_theme(self, self.ui_state, self.ctx.settings.theme)
        # printed to stderr before the screen opened, where the full-screen app hides them:
        # a token file others can read, TLS verification off, a plain-http API base
        for warning in [*self.ctx.warnings, *self.keymap_warnings]:
            self.notify(warning, title="warning", severity="warning", timeout=15)
        # after the first frame: the screen is up before the HTTP client and the features
        self.call_after_refresh(self._after_first_frame)

    def _start_polling(self) -> None:
        from tui.live.pollers import series_loop, tail_loop

        client = self._get_client()
        for st in self.states:
            self.run_worker(tail_loop(st, client, self.hooks), group=f"tail:{st.domain}",
                            exclusive=True, exit_on_error=False)
            self.run_worker(series_loop(st, client, self.hooks), group=f"series:{st.domain}",
                            exclusive=True, exit_on_error=False)
        self.set_interval(1.0, self.alerts.check)
        self.set_interval(1.0, self.purges.tick)

    async def on_unmount(self) -> None:
        self._long_lived.release()
        if (desk := self._built("desk")) is not None:
            desk.close()  # the draft stays for the next instance; this one's lock goes
        if (alerts := self._built("alerts")) is not None:
            alerts.save_active()  # the latest figures of what is still active survive a restart
        if self.client is not None:
            await self.client.aclose()

    # ---- app actions -------------------------------------------------------------------
    def action_help(self) -> None:
        navigate.open_help(self)

    def action_screenshot(self) -> None:
        screenshot(self, self.ctx.settings.export_dir)

    def binding_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, id) of every binding, after the user's keymap."""
        return binding_rows(self, [*Dashboard.BINDINGS, *self.BINDINGS])

    def get_system_commands(self, screen: Screen) -> Any:
        yield from super().get_system_commands(screen)
        yield from system_commands(self, screen)

