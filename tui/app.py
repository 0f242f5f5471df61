"""The Textual app: owns the API client, the pollers (one long-lived worker per loop), the
monitor model, and the screens. Workers only fetch and feed the model; screens draw."""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui.api.client import RetryPolicy, S4Client
from tui.api.errors import ApiError, AuthError
from tui.context import Context, describe_error
from tui.core.buffer import LogBuffer, and_term
from tui.core.files import HistoryStore, atomic_write_text
from tui.core.logfmt import format_json, format_line
from tui.core.models import LogEntry
from tui.core.sanitize import inert, inert_lines
from tui.insight.alert_log import AlertBook, AlertRecord, restored_state
from tui.insight.alerts import AlertState
from tui.insight.top import drill_filter
from tui.live.pollers import PollerHooks, series_loop, tail_loop
from tui.live.state import POLL_STEPS, RANGES, DomainState, alert_events, alert_rules, alert_text
from tui.refresh.drafts import BatchBook
from tui.refresh.job import SendJob
from tui.refresh.lines import count_entries, join_lines, plan_text
from tui.refresh.pacing import Pacer
from tui.refresh.plan import RefreshKind, RefreshPlan
from tui.refresh.sender import Refresher, recent_sends
from tui.screens.dashboard import Dashboard
from tui.screens.stylesheet import stylesheet

if TYPE_CHECKING:
    from tui.screens.top import Drill

# The other screens are imported when first opened: the dashboard's first frame does not wait
# for them (start-up is measured in benchmarks/start.py).


class S4TopApp(App[int]):
    TITLE = "s4top"
    CSS_PATH = [stylesheet()]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="quit (ctrl+c too)", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
        Binding("question_mark", "help", "Help", tooltip="this help", id="app.help"),
        # priority: a modal screen (detail, refresh, help) cuts the app's other bindings off
        Binding("f8", "screenshot", "Screenshot", show=False, priority=True, tooltip="save an SVG screenshot to export_dir", id="app.screenshot"),
    ]

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
        self.active = 0
        self._poll_s = s.poll_interval
        self._range_index = 2  # 24h
        self._utc = s.utc
        self._start_pollers = start_pollers
        self.clock_ns = clock_ns
        self._toasted: dict[tuple[str, str], float] = {}
        self.hooks = PollerHooks(
            clock_ns=clock_ns,
            poll_s=self._poll_for,
            chart_range=lambda: RANGES[self._range_index][1:],
            describe=lambda e: describe_error(e, self.ctx),
            toast_error=self._toast_error,
            toast=lambda m: self.notify(m, timeout=4),
            backlog_s=s.backlog,
            tail_delay_s=s.tail_delay,
            backoff_base_s=s.backoff_base,
            backoff_cap_s=s.backoff_cap,
            auth_backoff_s=s.auth_backoff,
            entries_arrived=self._entries_arrived,
        )
        self.rules = alert_rules(s)
        self.alert_book = AlertBook(ctx.data_dir / "alerts.jsonl")  # the alert list (`!`)
        self._alert_write_warned = False
        for st in self.states:  # left unresolved by the last run: stale until evidence comes
            for rec in sorted(self.alert_book.unresolved(st.domain), key=lambda r: r.start_s):
                st.alerts[rec.kind] = restored_state(rec)
        self.client: S4Client | None = None
        self._ui_state_path = ctx.data_dir / "ui.json"  # ctx.data_dir: the demo keeps its own
        self.history = HistoryStore(ctx.data_dir / "history.jsonl")  # shared with `s4top refresh`
        self.batches = BatchBook(ctx.data_dir / "drafts")
        self._job: SendJob | None = None
        self._gc_frozen_backlog = False
        self._marks: dict[str, tuple[float, ...]] | None = None
        self._refresher: Refresher | None = None
        self.keymap_warnings: list[str] = []
        self._pending_memo: tuple[str, RefreshKind, str, int] | None = None
        if s.keymap:
            from tui.screens.keymap import keymap_warnings, screen_bindings

            self.keymap_warnings = keymap_warnings(s.keymap, self.BINDINGS, screen_bindings())
            self.set_keymap(s.keymap)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast is plain, inert text: messages can quote servers and log fields."""
        del markup
        super().notify(inert_lines(message), title=inert(title), severity=severity, timeout=timeout, markup=False)

    # ---- DashboardHost -----------------------------------------------------------------
    @property
    def state(self) -> DomainState:
        return self.states[self.active]

    @property
    def poll_s(self) -> float:
        return self._poll_s

    @property
    def range_index(self) -> int:
        return self._range_index

    @property
    def utc(self) -> bool:
        return self._utc

    def now(self) -> float:
        return self.clock_ns() / 1e9

    def _poll_for(self, st: DomainState) -> float:
        """The shown domain polls at the chosen interval; hidden ones 5x slower (>= 10 s)."""
        return self._poll_s if st is self.state else max(10.0, 5 * self._poll_s)

    @property
    def five_xx_threshold(self) -> float:
        """The 5XX share past which the 5XX figure is marked (the absolute alert threshold)."""
        return self.ctx.settings.alert_5xx_absolute

    @property
    def max_fps(self) -> float:
        return self.ctx.settings.max_fps

    def status_extras(self) -> dict[str, Any]:
        return {
            "domain_index": self.active,
            "domain_count": len(self.states),
            "token_source": self.ctx.token.description,
            "readonly": self.ctx.settings.readonly,
            "pending_tags": self.pending_count(self.state.domain),
            "alert": alert_text(self.state),
            "other_alerts": sum(1 for st in self.states if st is not self.state and alert_text(st)),
        }

    def pending_count(self, domain: str) -> int:
        """What a submit would send (the modal's plan: valid, encoded, de-duplicated), not the
        raw line count. Planned again only when the draft changes: this runs every frame."""
        text, kind = self.batches.draft(domain)
        memo = self._pending_memo
        if memo is not None and memo[0] == domain and memo[1] is kind and memo[2] == text:
            return memo[3]
        count = len(plan_text(text, kind, domain).entries)
        self._pending_memo = (domain, kind, text, count)
        return count

    def _check_alerts(self) -> None:
        """Once a second, every domain (shown or not): one toast when an alert fires, one when
        it is back to normal on evidence; going stale says nothing (the header shows it)."""
        now_s = int(self.now()) - 1  # the current second is still filling
        for st in self.states:
            for a, event in alert_events(st, self.rules, now_s):
                self._alert_changed(st, a, event)
            for a in st.alerts.values():
                if a.active:  # the list shows the live peak; the file gets it with the next change
                    self.alert_book.track(st.domain, a, write=False)

    def _alert_changed(self, st: DomainState, a: AlertState, event: str) -> None:
        if not self.alert_book.track(st.domain, a) and not self._alert_write_warned:
            self._alert_write_warned = True
            self.notify(f"could not save the alert list to {self.alert_book.path}",
                        severity="warning")
        if event == "fired":
            self.notify(f"{st.domain}: ALERT {a.label()}", title="spike", severity="error",
                        timeout=10)
            if self.ctx.settings.bell:
                self.bell()
        elif event == "resolved":
            self.notify(f"{st.domain}: {a.kind.upper()} back to normal", title="spike", timeout=5)
        st.dirty = True

    def open_alerts(self) -> None:
        def chosen(rec: AlertRecord | None) -> None:
            if rec is None:
                return
            domains = [st.domain for st in self.states]
            if rec.domain not in domains:
                self.notify(f"{inert(rec.domain, 80)} is not monitored in this session",
                            severity="warning")
                return
            self.switch_domain(domains.index(rec.domain))
            if isinstance(self.screen, Dashboard):
                show_alert(self.screen, rec, self._utc, self.open_alerts)

        from tui.screens.alerts import AlertListScreen, show_alert

        self.push_screen(AlertListScreen(self.alert_book.records, self._utc), chosen)

    def tag_of(self, entry: LogEntry) -> str | None:
        return self.batches.tag_of(self.state.domain, entry)

    # ---- the refresh batch (draft), tagging, sending -----------------------------------
    def _set_draft(self, domain: str, text: str, kind: RefreshKind) -> None:
        """Every change is saved at once, atomically: a SIGKILL loses nothing typed."""
        try:
            self.batches.save(domain, text, kind)
        except OSError as exc:
            self.notify(f"could not save the refresh draft: {exc.strerror}", severity="error")
        if domain == self.state.domain and isinstance(self.screen, Dashboard):
            self.screen.log_view.invalidate()

    @property
    def refresh_domain(self) -> str:
        return self.state.domain

    def load_draft(self) -> tuple[str, RefreshKind]:
        """Opening the batch adopts what s4top instances that are gone left (tui/refresh/drafts.py)."""
        domain = self.state.domain
        for other in self.batches.open(domain):
            text = other.data.get("text")
            n = count_entries(text) if isinstance(text, str) else 0
            if n:
                entries = "1 entry" if n == 1 else f"{n} entries"
                self.notify(f"another running s4top (pid {other.pid}) has {entries} of {domain} "
                            "in its own batch; they join this one once it exits", timeout=6)
        return self.batches.draft(domain)

    def save_draft(self, text: str, kind: RefreshKind) -> None:
        self._set_draft(self.state.domain, text, kind)

    @property
    def refresh_job(self) -> SendJob | None:
        return self._job

    def toggle_tag(self, entry: LogEntry, kind: str) -> None:
        if self._refuse_readonly():
            return
        try:
            text, added = self.batches.toggle(self.state.domain, entry, RefreshKind(kind))
        except OSError as exc:
            self.notify(f"could not save the refresh draft: {exc.strerror}", severity="error")
            return
        if isinstance(self.screen, Dashboard):
            self.screen.log_view.invalidate()
        verb = "added to" if added else "removed from"
        pending = self.pending_count(self.state.domain)
        self.notify(f"{kind} {verb} the refresh batch ({pending} pending; r to review)", timeout=3)

    def _refuse_readonly(self) -> bool:
        if self.ctx.settings.readonly:
            origin = self.ctx.settings.origins.get("readonly", "")
            self.notify(f"refresh is disabled: read-only mode ({origin})", severity="warning")
            return True
        return False

    def open_refresh(self) -> None:
        if self._refuse_readonly():
            return
        from tui.screens.refresh import RefreshModal

        self.push_screen(RefreshModal(self))

    def open_history(self) -> None:
        def chosen(rec: dict | None) -> None:
            if not rec:
                return
            reqs = rec.get("requests") if isinstance(rec.get("requests"), list) else []
            pairs = [(str(r.get("type", "url")), str(u)) for r in reqs if isinstance(r, dict)
                     for u in (r.get("urls") or []) if isinstance(u, str)]
            text, kind = self.batches.draft(self.state.domain)
            extra = join_lines(pairs)
            self._set_draft(self.state.domain, (text + "\n" + extra).strip("\n") if text.strip() else extra, kind)
            self.open_refresh()

        from tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(self.history.read(limit=500)), chosen)

    def start_send(self, plan: RefreshPlan) -> SendJob:
        job = SendJob.of(self.state.domain, plan.requests)
        self._job = job
        self.run_worker(self._send(job, plan), group="refresh", exit_on_error=False)
        return job

    def retry_failed(self, job: SendJob) -> None:
        if job.running or not job.failed():
            return
        job.running = True
        self.run_worker(self._send(job, None, only=job.failed()), group="refresh", exit_on_error=False)

    def _get_refresher(self) -> Refresher:
        if self._refresher is None:
            if self.client is None:
                self.client = self.ctx.client(retry=RetryPolicy(attempts=1))
            s = self.ctx.settings
            pacer = Pacer(s.refresh_limit, s.refresh_window)
            # the vendor's window spans processes: count what this machine sent lately
            pacer.seed(recent_sends(self.history.read(limit=2000)), time.time())
            self._refresher = Refresher(self.client, self.history, pacer,
                                        describe=lambda e: describe_error(e, self.ctx))
        return self._refresher

    async def _send(self, job: SendJob, plan: RefreshPlan | None, only: list[int] | None = None) -> None:
        refresher = self._get_refresher()
        try:
            job.submission = await refresher.submit(
                job.domain, job.refresh_requests, job.on_event, only=only, previous=job.submission)
        except ApiError as exc:
            job.error = describe_error(exc, self.ctx)
        except Exception as exc:  # noqa: BLE001 - a send must end in a visible state, never a crash
            job.error = f"refresh failed: {type(exc).__name__}"
        finally:
            job.running = False
            for st in job.requests:
                if st.phase in ("queued", "waiting", "sending", "retrying"):
                    st.phase, st.detail = "failed", job.error or "not sent"
            job.notify()
        self._drop_sent(job)  # what was accepted leaves the batch; what failed stays in it
        self._marks = None  # the charts mark the new refresh
        for st in self.states:
            if st.domain == job.domain:
                st.series_version += 1
                st.dirty = True
        if job.ok:
            self.notify(job.summary() + " (accepted, not yet purged everywhere)", title="refresh", timeout=6)
        else:
            msg = job.error or job.summary()
            from tui.screens.refresh import RefreshModal

            if not isinstance(self.screen, RefreshModal):
                msg += "; r opens the refresh window"
            self.notify(msg, title="refresh", severity="error", timeout=10)

    def _drop_sent(self, job: SendJob) -> None:
        sent = {(st.request.kind.value, u) for st in job.requests if st.phase == "ok"
                for u in st.request.urls}
        try:
            self.batches.drop_sent(job.domain, sent)
        except OSError as exc:
            self.notify(f"could not save the refresh draft: {exc.strerror}", severity="error")
        if isinstance(self.screen, Dashboard):
            self.screen.log_view.invalidate()

    def change_poll(self, direction: int) -> None:
        """One step slower (+1) or faster (-1); a value between steps moves to the next one."""
        cur = self._poll_s
        if direction > 0:
            slower = [s for s in POLL_STEPS if s > cur]
            self._poll_s = slower[0] if slower else cur
        else:
            faster = [s for s in POLL_STEPS if s < cur]
            self._poll_s = faster[-1] if faster else cur
        if self._poll_s != cur:
            self.hooks.wake_tails()  # a loop asleep on the old interval re-reads it now

    def retry_now(self) -> None:
        """ctrl+r: the shown domain's pollers that wait after an error try again now."""
        if not self.hooks.retry_now(self.state):
            self.notify("nothing to retry: no request is waiting after an error", timeout=3)

    def cycle_range(self) -> None:
        self._range_index = (self._range_index + 1) % len(RANGES)
        for st in self.states:
            st.series = {}
            st.series_version += 1
            st.dirty = True
        self.hooks.wake_series()

    def switch_domain(self, index: int) -> None:
        if not self.states or index == self.active:
            return
        self.active = index % len(self.states)
        self.hooks.wake_tails()  # the shown and the hidden domain poll at other intervals now
        if isinstance(self.screen, Dashboard):
            self.screen.switch_domain()
        elif self.screen_stack and isinstance(self.screen_stack[0], Dashboard):
            self.screen_stack[0].switch_domain()
        self.notify(f"domain {self.active + 1}/{len(self.states)}: {self.state.domain}", timeout=2)

    def cycle_domain(self, step: int) -> None:
        if len(self.states) > 1:
            self.switch_domain((self.active + step) % len(self.states))

    def open_overview(self) -> None:
        def chosen(index: int | None) -> None:
            if index is not None:
                self.switch_domain(index)

        label = RANGES[self._range_index][0]
        from tui.screens.overview import OverviewScreen

        self.push_screen(OverviewScreen(self.states, self.active, self.now, label,
                                        self.five_xx_threshold), chosen)

    def refresh_marks(self, domain: str) -> tuple[float, ...]:
        """When refreshes of this domain were made from s4top (history), for the charts."""
        if self._marks is None:
            marks: dict[str, list[float]] = {}
            for rec in self.history.read(limit=1000):
                t = rec.get("time_s")
                if isinstance(t, (int, float)) and isinstance(rec.get("domain"), str):
                    marks.setdefault(rec["domain"], []).append(float(t))
            self._marks = {d: tuple(v) for d, v in marks.items()}
        return self._marks.get(domain, ())

    def open_top(self) -> None:
        def chosen(drill: Drill | None) -> None:
            if drill is None or not isinstance(self.screen, Dashboard):
                return
            shown = self.state.buffer.filter.text  # the drill narrows what top-N counted
            self.screen.apply_drill(and_term(shown, drill_filter(drill.by, drill.key)),
                                    f"{drill.by} = {inert(drill.key, 60)}")

        from tui.screens.top import TopScreen

        def tagged(url: str) -> str | None:
            return self.batches.tag_of(self.state.domain, LogEntry(0, url=url))

        self.push_screen(TopScreen(self.state, self.now, self.ctx.settings.top_window,
                                   tag=lambda url, kind: self.toggle_tag(LogEntry(0, url=url), kind),
                                   tagged=tagged), chosen)

    def toggle_utc(self) -> None:
        self._utc = not self._utc

    def export_entries(self, plain: bool) -> None:
        st = self.state
        folder = Path(self.ctx.settings.export_dir).expanduser()
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = folder / f"s4top-{st.domain}-{stamp}.{'log' if plain else 'jsonl'}"
        fmt = (lambda e: format_line(e, self._utc)) if plain else format_json
        try:
            folder.mkdir(parents=True, exist_ok=True)
            n = 0
            with open(path, "w", encoding="utf-8") as f:
                for e in st.buffer.matching():
                    f.write(fmt(e) + "\n")
                    n += 1
        except OSError as exc:
            self.notify(f"export failed: {exc.strerror} ({path})", severity="error")
            return
        self.notify(f"exported {n} entries to {path}", title="export", timeout=8)

    # ---- lifecycle ---------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        self._dashboard = Dashboard(self)
        return self._dashboard

    def _entries_arrived(self, st: DomainState) -> None:
        dash = getattr(self, "_dashboard", None)
        if dash is not None and st is self.state:
            dash.wake()
        if st.caught_up and not self._gc_frozen_backlog:
            self._gc_frozen_backlog = True
            gc.freeze()  # see _begin_polling

    def _begin_polling(self) -> None:
        # What exists after the first frame (widgets, styles, modules) and again after the
        # backlog is in lives as long as the app: moved out of the collector's sight, a full
        # collection no longer walks it. Measured while ingesting 5k entries/s: full passes
        # over ~100k tracked objects paused the UI for 40-90 ms each, several times a
        # minute, which was most of the key-to-screen p95. Reference counting still frees
        # anything that was frozen once it is dropped.
        gc.freeze()
        self._start_polling()

    def on_mount(self) -> None:
        saved = self._load_ui_state()
        theme = saved.get("theme") or self.ctx.settings.theme
        if theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, lambda t: self._save_ui_state(theme=t.name))
        # printed to stderr before the screen opened, where the full-screen app hides them:
        # a token file others can read, TLS verification off, a plain-http API base
        for warning in [*self.ctx.warnings, *self.keymap_warnings]:
            self.notify(warning, title="warning", severity="warning", timeout=15)
        if self._start_pollers:
            # after the first frame: the screen is up before the HTTP client is built
            self.call_after_refresh(self._begin_polling)

    def _start_polling(self) -> None:
        if self.client is None:
            self.client = self.ctx.client(retry=RetryPolicy(attempts=1))
        for st in self.states:
            self.run_worker(tail_loop(st, self.client, self.hooks), group=f"tail:{st.domain}",
                            exclusive=True, exit_on_error=False)
            self.run_worker(series_loop(st, self.client, self.hooks), group=f"series:{st.domain}",
                            exclusive=True, exit_on_error=False)
        self.set_interval(1.0, self._check_alerts)

    async def on_unmount(self) -> None:
        gc.unfreeze()  # what was frozen can be collected again once the app is gone
        self.batches.close()  # the draft stays for the next instance; this one's lock goes
        for st in self.states:  # the latest figures of what is still active survive a restart
            for a in st.alerts.values():
                if a.active:
                    self.alert_book.track(st.domain, a)
        if self.client is not None:
            await self.client.aclose()

    def _load_ui_state(self) -> dict[str, Any]:
        try:
            data = json.loads(self._ui_state_path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save_ui_state(self, **changes: Any) -> None:
        data = self._load_ui_state()
        data.update(changes)
        try:
            atomic_write_text(self._ui_state_path, json.dumps(data))
        except OSError:
            pass  # a read-only home must not break the monitor

    def _toast_error(self, domain: str, error: ApiError) -> None:
        """One toast per kind of trouble per domain: both pollers hitting the same 401 is one
        problem to the user, and the status line keeps showing it."""
        key = (domain, type(error).__name__)
        now = time.monotonic()
        if now - self._toasted.get(key, -1e9) < 30:
            return
        self._toasted[key] = now
        if isinstance(error, AuthError):
            # one message whichever poller met the 401 first: the token is the domain's problem
            msg = (f"authentication failed ({error.status}): check BITIFUL_API_TOKEN or --token-file "
                   f"(token from {self.ctx.token.description})")
            self.notify(f"{domain}: {msg}", severity="error", timeout=8)
            return
        self.notify(f"{domain}: {describe_error(error, self.ctx)}", severity="warning", timeout=8)

    # ---- app actions -------------------------------------------------------------------
    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.binding_rows()))

    def action_screenshot(self) -> None:
        folder = Path(self.ctx.settings.export_dir).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as exc:
            self.notify(f"screenshot failed: {exc.strerror}", severity="error")
            return
        self.notify(f"screenshot saved: {path}", title="F8", timeout=6)

    def binding_rows(self) -> list[tuple[str, str, str]]:
        """(keys, description, id) of every binding, after the user's keymap."""
        keymap = self._keymap if hasattr(self, "_keymap") else {}
        rows = []
        for b in [*Dashboard.BINDINGS, *self.BINDINGS]:
            assert isinstance(b, Binding)
            keys = keymap.get(b.id, b.key) if b.id else b.key
            rows.append((keys, b.tooltip or b.description, b.id or ""))
        return rows

    def get_system_commands(self, screen: Screen) -> Any:
        yield from super().get_system_commands(screen)
        if isinstance(screen, Dashboard):
            from tui.screens.help import key_label

            keymap = self._keymap if hasattr(self, "_keymap") else {}
            for b in Dashboard.BINDINGS:
                assert isinstance(b, Binding)
                if b.description:
                    # '[' as typed, not 'left_square_bracket'
                    keys = key_label(keymap.get(b.id, b.key) if b.id else b.key)
                    yield SystemCommand(f"{b.description} ({keys})", f"binding {b.id}",
                                        partial(screen.run_action, b.action))
        yield SystemCommand("Help: keys", "list every binding", self.action_help)
        yield SystemCommand("Save screenshot (F8)", "SVG of the screen", self.action_screenshot)


def run_app(ctx: Context) -> int:
    from tui.context import UsageError

    if not ctx.domains:
        raise UsageError("no CDN domain: use --domain D, S4TOP_DOMAIN, 'domain' in the config file, or --demo")
    ctx.token.read()  # a missing token is a one-line error before the screen opens
    app = S4TopApp(ctx)
    for warning in app.keymap_warnings:  # also left on the terminal once the screen closes
        print(f"s4top: {inert(warning, 300)}", file=sys.stderr)
    app.run()
    return 0
