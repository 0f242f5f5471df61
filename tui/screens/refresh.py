"""The refresh modal: compose (type, entries, live validation, plan), confirm, send.

Esc closes and keeps the draft (saved on every change by the host). Sending runs in the
app, so the modal may be closed while it sends; the outcome arrives as a toast and in the
history either way.
"""

from __future__ import annotations

from typing import Protocol

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    ProgressBar,
    RadioButton,
    RadioSet,
    Static,
    TextArea,
)

from tui.core.sanitize import inert
from tui.refresh.job import SendJob
from tui.refresh.lines import plan_text, scope_warnings
from tui.refresh.plan import RefreshKind, RefreshPlan

PHASE_STYLE = {
    "ok": Style(color="green", bold=True),
    "failed": Style(color="red", bold=True),
    "unknown": Style(color="yellow", bold=True),
    "retrying": Style(color="yellow"),
    "waiting": Style(color="yellow"),
    "sending": Style(color="cyan"),
    "queued": Style(dim=True),
}


class RefreshHost(Protocol):
    @property
    def refresh_domain(self) -> str: ...
    def load_draft(self) -> tuple[str, RefreshKind]: ...
    def save_draft(self, text: str, kind: RefreshKind) -> None: ...
    def start_send(self, plan: RefreshPlan) -> SendJob: ...
    def retry_failed(self, job: SendJob) -> None: ...
    @property
    def refresh_job(self) -> SendJob | None: ...


def plan_summary(plan: RefreshPlan) -> Text:
    t = Text()
    n, m = len(plan.entries), len(plan.requests)
    if n:
        t.append(f"plan: {n} entr{'y' if n == 1 else 'ies'} -> "
                 f"{m} request{'s' if m != 1 else ''} of at most 20", Style(bold=True))
        kinds = sorted({str(k) for k, _ in plan.entries})
        t.append(f"  ({', '.join(kinds)})")
    else:
        t.append("plan: nothing to send yet (one URL per line; prefix a line with 'dir ' "
                 "for a directory)", Style(dim=True))
    if plan.duplicates:
        t.append(f"  {plan.duplicates} duplicate{'s' if plan.duplicates != 1 else ''} folded",
                 Style(dim=True))
    for p in plan.problems[:50]:
        t.append(f"\n✖ line {p.line_no}: ", Style(color="red", bold=True))
        t.append(f"{p.reason}: ", Style(color="red"))
        t.append(inert(p.text, 80), Style(dim=True))
    if len(plan.problems) > 50:
        t.append(f"\n… and {len(plan.problems) - 50} more invalid lines", Style(color="red"))
    for note in plan.notes[:8]:
        t.append(f"\n• {inert(note, 120)}", Style(dim=True))
    return t


def kind_words(kind: RefreshKind) -> Text:
    """The default type in words that change with it, not only the radio button's colour
    (never colour alone)."""
    now = "directories" if kind is RefreshKind.DIRECTORY else "URLs"
    t = Text("lines without a 'url ' or 'dir ' prefix are ")
    t.append(now, Style(bold=True))
    t.append("  (ctrl+t switches)")
    return t


#: Batches up to this many lines are checked on every key; bigger ones once typing pauses
#: for CHECK_DELAY_S (Submit always checks first).
LIVE_CHECK_LINES = 1000
CHECK_DELAY_S = 0.15



class KindButton(RadioButton):
    """A radio button whose state shows without colour: Textual draws the same dot for on and
    off, told apart only by colour (docs/ux.md: never colour alone)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 (Textual's name)
        return "●" if self.value else " "

class RefreshModal(ModalScreen[None]):
    DEFAULT_CSS = """
    RefreshModal { align: center middle; }
    RefreshModal > Vertical#frame {
        width: 96%; max-width: 130; height: 92%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    RefreshModal #kind { height: auto; width: auto; layout: horizontal; border: none; padding: 0; }
    RefreshModal #kind RadioButton { width: auto; margin: 0 2 0 0; }
    RefreshModal #kind-help { width: 1fr; color: $text-muted; padding: 0 0 0 2; }
    RefreshModal #kind-row { height: auto; }
    RefreshModal #entries { height: 1fr; min-height: 4; }
    RefreshModal #plan { height: auto; max-height: 10; }
    RefreshModal #buttons { height: 3; }
    RefreshModal #buttons Button { margin: 0 1 0 0; }
    RefreshModal #confirm-text, RefreshModal #send-summary { height: auto; }
    RefreshModal .req-row { height: 1; }
    RefreshModal .req-row ProgressBar { width: 24; }
    RefreshModal .req-row Static { width: 1fr; }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit", id="refresh.submit"),
        Binding("escape,q", "back", "Back / close (keeps the draft)", id="refresh.back"),
        Binding("y", "confirm", "Send", show=False, id="refresh.confirm"),
        Binding("n", "back", "Back", show=False, id="refresh.cancel"),
        Binding("R", "retry", "Retry failed", show=False, id="refresh.retry"),
        Binding("ctrl+t", "toggle_kind", "url/dir", id="refresh.toggle_type"),
    ]

    def __init__(self, host: RefreshHost) -> None:
        super().__init__()
        self.host = host
        self.plan: RefreshPlan | None = None
        self.job: SendJob | None = None
        text, kind = host.load_draft()
        self._text = text
        self._kind = kind
        self._pending_check: Timer | None = None

    # ---- compose -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="frame") as frame:
            frame.border_title = f"refresh cache: {self.host.refresh_domain}"
            with ContentSwitcher(initial="page-compose", id="pages"):
                with Vertical(id="page-compose"):
                    with Horizontal(id="kind-row"):
                        with RadioSet(id="kind"):
                            yield KindButton("url", value=self._kind is RefreshKind.URL,
                                             id="kind-url")
                            yield KindButton("directory",
                                             value=self._kind is RefreshKind.DIRECTORY,
                                             id="kind-dir")
                        yield Static(kind_words(self._kind), id="kind-help")
                    entries = TextArea(self._text, id="entries", soft_wrap=False,
                                       show_line_numbers=True, tab_behavior="focus")
                    # nothing blinks when nothing changes
                    entries.set_reactive(TextArea.cursor_blink, False)
                    yield entries
                    yield Static("", id="plan")
                    with Horizontal(id="buttons"):
                        yield Button("Submit (ctrl+s)", id="submit", variant="primary")
                        yield Button("Close (Esc)", id="close")
                with VerticalScroll(id="page-confirm"):
                    yield Static("", id="confirm-text")
                    with Horizontal(id="confirm-buttons"):
                        yield Button("Send (y)", id="send", variant="error")
                        yield Button("Back (n)", id="back")
                with VerticalScroll(id="page-send"):
                    yield Static("", id="send-summary")
                    yield Vertical(id="req-rows")
        yield Footer()

    def on_mount(self) -> None:
        job = self.host.refresh_job
        if job is not None and job.running:
            self._watch_job(job)
        else:
            self._revalidate()
            ta = self.query_one("#entries", TextArea)
            ta.focus()
            # ready to type a new entry below what is already in the batch
            if ta.text and not ta.text.endswith("\n"):
                ta.insert("\n", ta.document.end)
            ta.move_cursor(ta.document.end)

    @property
    def page(self) -> str:
        return self.query_one("#pages", ContentSwitcher).current or ""

    def _show(self, page: str) -> None:
        self.query_one("#pages", ContentSwitcher).current = page
        self.refresh_bindings()

    # ---- compose page ------------------------------------------------------------------
    def _revalidate(self) -> None:
        if self._pending_check is not None:
            self._pending_check.stop()
            self._pending_check = None
        self.plan = plan_text(self._text, self._kind, self.host.refresh_domain)
        self.query_one("#plan", Static).update(plan_summary(self.plan))

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._text = event.text_area.text
        self.host.save_draft(self._text, self._kind)  # at once: a kill loses nothing typed
        if self._text.count("\n") < LIVE_CHECK_LINES:
            self._revalidate()
        else:  # a big batch is checked when typing pauses, so each key stays quick
            if self._pending_check is not None:
                self._pending_check.stop()
            self._pending_check = self.set_timer(CHECK_DELAY_S, self._revalidate)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._kind = RefreshKind.DIRECTORY if event.pressed.id == "kind-dir" else RefreshKind.URL
        self.query_one("#kind-help", Static).update(kind_words(self._kind))
        self.host.save_draft(self._text, self._kind)
        self._revalidate()

    def action_toggle_kind(self) -> None:
        target = "kind-url" if self._kind is RefreshKind.DIRECTORY else "kind-dir"
        self.query_one(f"#{target}", RadioButton).value = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"submit": self.action_submit, "close": self.action_back,
                   "send": self.action_confirm,
                   "back": self.action_back}
        if event.button.id in actions:
            actions[event.button.id]()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        page = self.page
        if action in ("confirm", "cancel"):
            return page == "page-confirm"
        if action == "retry":
            return (page == "page-send" and self.job is not None and not self.job.running
                    and bool(self.job.failed()))
        if action in ("submit", "toggle_kind"):
            return page == "page-compose"
        return True

    def action_submit(self) -> None:
        self._revalidate()
        plan = self.plan
        assert plan is not None
        if plan.problems:
            self.notify(f"{len(plan.problems)} invalid line(s): fix or remove them first; "
                        "nothing was sent", severity="error")
            return
        if not plan.requests:
            self.notify("nothing to send: type one URL per line", severity="warning")
            return
        t = Text()
        t.append(f"Send {len(plan.entries)} entr{'y' if len(plan.entries) == 1 else 'ies'} "
                 f"in {len(plan.requests)} request(s) to {self.host.refresh_domain}?\n\n",
                 Style(bold=True))
        for w in scope_warnings(plan):
            t.append(f"⚠ {w}\n", Style(color="yellow", bold=True))
        if scope_warnings(plan):
            t.append("\n")
        for i, r in enumerate(plan.requests, 1):
            t.append(f"request {i}: {r.kind} x{len(r.urls)}\n", Style(bold=True))
            for u in r.urls[:6]:
                t.append(f"  {inert(u, 200)}\n")
            if len(r.urls) > 6:
                t.append(f"  … {len(r.urls) - 6} more\n", Style(dim=True))
        t.append("\ny sends · n or Esc goes back (the CDN answers 'accepted', "
                 "not 'purged everywhere')", Style(dim=True))
        self.query_one("#confirm-text", Static).update(t)
        self._show("page-confirm")
        self.query_one("#send", Button).focus()

    def action_confirm(self) -> None:
        if self.page != "page-confirm" or self.plan is None:
            return
        self._watch_job(self.host.start_send(self.plan))

    def action_back(self) -> None:
        page = self.page
        if page == "page-confirm":
            self._show("page-compose")
            self.query_one("#entries", TextArea).focus()
            return
        self.dismiss(None)

    # ---- sending page ------------------------------------------------------------------
    def _watch_job(self, job: SendJob) -> None:
        if self.job is not None and self._on_job in self.job.listeners:
            self.job.listeners.remove(self._on_job)
        self.job = job
        job.listeners.append(self._on_job)
        rows = self.query_one("#req-rows", Vertical)
        rows.remove_children()
        for i, st in enumerate(job.requests):
            row = Horizontal(classes="req-row", id=f"req-{i}")
            rows.mount(row)
            row.mount(Static(f"{i + 1}/{len(job.requests)} {st.request.kind} "
                             f"x{len(st.request.urls)} ", classes="req-label"))
            row.mount(ProgressBar(total=1.0, show_eta=False, show_percentage=False))
            row.mount(Static("", classes="req-detail"))
        self._show("page-send")
        self.call_after_refresh(self._on_job, job)

    def _on_job(self, job: SendJob) -> None:
        if not self.is_mounted:
            return
        summary = Text(job.summary(), Style(bold=True, color="green" if job.ok else None))
        if not job.running:
            summary.append("\nEsc closes"
                           + (" · R retries the failed requests" if job.failed() else ""),
                           Style(dim=True))
        else:
            summary.append("\nEsc closes this window; sending goes on and the result arrives "
                           "as a toast", Style(dim=True))
        self.query_one("#send-summary", Static).update(summary)
        for i, st in enumerate(job.requests):
            try:
                row = self.query_one(f"#req-{i}", Horizontal)
            except Exception:  # rows not mounted yet; the next event redraws
                return
            row.query_one(ProgressBar).update(progress=st.progress)
            detail = Text(st.phase.upper() + " ", PHASE_STYLE.get(st.phase, Style()))
            detail.append(inert(st.detail, 160))
            row.query_one(".req-detail", Static).update(detail)
        self.refresh_bindings()

    def action_retry(self) -> None:
        if self.job is not None and not self.job.running and self.job.failed():
            self.host.retry_failed(self.job)

    def on_unmount(self) -> None:
        if self._pending_check is not None:
            self._pending_check.stop()
        if self.job is not None and self._on_job in self.job.listeners:
            self.job.listeners.remove(self._on_job)
