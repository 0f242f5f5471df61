"""The refresh desk: the shown domain's batch (draft), tagging, sending, and what the charts
mark. A plain object the app wires to the screens: it never imports Textual, and tells the
app what happened through `DeskHooks.on_event` (the app invalidates rows, opens the modal)."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tui.api.errors import ApiError
from tui.core.files import HistoryStore
from tui.core.models import LogEntry
from tui.refresh.drafts import BatchBook
from tui.refresh.job import SendJob
from tui.refresh.lines import count_entries, join_lines, plan_text
from tui.refresh.pacing import Pacer
from tui.refresh.plan import RefreshKind, RefreshPlan
from tui.refresh.sender import Refresher, recent_sends

if TYPE_CHECKING:  # the client's module is imported when the client is built
    from tui.api.client import S4Client

#: on_event's events: the draft of `domain` changed (rows show their tags anew), a send to
#: `domain` ended (the charts mark it), the refresh window should open.
DRAFT, SENT, OPEN = "draft", "sent", "open"


class DeskSettings(Protocol):
    """The settings the desk reads (tui/config.py's Settings)."""

    readonly: Any
    origins: dict[str, str]
    refresh_limit: Any
    refresh_window: Any


@dataclass
class DeskHooks:
    """What the desk needs from the app, as plain callables."""

    domain: Callable[[], str]  # the shown domain
    notify: Callable[..., None]  # a toast: (message, title=, severity=, timeout=)
    client: Callable[[], S4Client]  # the app's one client, built on first use
    describe: Callable[[Exception], str]  # an error in words (tui/context.py)
    run: Callable[[Coroutine[Any, Any, None]], object]  # a send, in the background
    on_event: Callable[[str, str], None]  # (DRAFT | SENT | OPEN, domain)
    modal_open: Callable[[], bool]  # is the refresh window showing
    # a send ended (some or all of it accepted): the purge tracker starts (watch.py)
    accepted: Callable[[SendJob], None] = lambda _job: None


class RefreshDesk:
    def __init__(self, data_dir: Any, settings: DeskSettings, hooks: DeskHooks) -> None:
        self.settings = settings
        self.hooks = hooks
        self.history = HistoryStore(data_dir / "history.jsonl")  # shared with `s4top refresh`
        self.batches = BatchBook(data_dir / "drafts")
        self._job: SendJob | None = None
        self._marks: dict[str, tuple[float, ...]] | None = None
        self._refresher: Refresher | None = None
        self._pending_memo: tuple[str, RefreshKind, str, int] | None = None
        #: when set, every refresh key says this and does nothing (a replay: the past)
        self.refused = ""

    def notify(self, message: str, **kw: Any) -> None:
        self.hooks.notify(message, **kw)

    def close(self) -> None:
        self.batches.close()  # the draft stays for the next instance; this one's lock goes

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

    def tag_of(self, entry: LogEntry) -> str | None:
        return self.batches.tag_of(self.refresh_domain, entry)

    # ---- the refresh batch (draft), tagging, sending -----------------------------------
    def _set_draft(self, domain: str, text: str, kind: RefreshKind) -> None:
        """Every change is saved at once, atomically: a SIGKILL loses nothing typed. A save
        the disk refuses keeps the text in memory, shows in the status line until a later
        change saves, and is tried again with that change (as are unwritten history lines)."""
        was = self.batches.save_error
        try:
            self.batches.save(domain, text, kind)
        except OSError as exc:
            if not was:  # one toast; the status line says it for as long as it lasts
                self.notify(f"could not save the refresh draft: {exc.strerror}; it is kept "
                            "in memory and saved again on the next change", severity="error")
        self._retry_history()
        self.hooks.on_event(DRAFT, domain)

    def _retry_history(self) -> None:
        """History lines the disk refused are written with the next change of the batch."""
        if self._refresher is not None and self._refresher.unwritten:
            self._refresher.write_history()

    def disk_warning(self) -> str:
        """What could not be written, for the status line ("" when everything is on disk)."""
        parts = []
        if self.batches.save_error:
            parts.append(f"draft NOT saved ({self.batches.save_error}): kept in memory")
        r = self._refresher
        if r is not None and r.unwritten:
            n = len(r.unwritten)
            lines = "1 history line" if n == 1 else f"{n} history lines"
            parts.append(f"{lines} NOT written ({r.history_error}): kept in memory")
        return "; ".join(parts)

    @property
    def refresh_domain(self) -> str:
        return self.hooks.domain()

    def load_draft(self) -> tuple[str, RefreshKind]:
        """Opening the batch adopts what s4top instances that are gone left
        (tui/refresh/drafts.py)."""
        domain = self.refresh_domain
        for other in self.batches.open(domain):
            text = other.data.get("text")
            n = count_entries(text) if isinstance(text, str) else 0
            if n:
                entries = "1 entry" if n == 1 else f"{n} entries"
                self.notify(f"another running s4top (pid {other.pid}) has {entries} of {domain} "
                            "in its own batch; they join this one once it exits", timeout=6)
        return self.batches.draft(domain)

    def save_draft(self, text: str, kind: RefreshKind) -> None:
        self._set_draft(self.refresh_domain, text, kind)

    @property
    def refresh_job(self) -> SendJob | None:
        return self._job

    def toggle_tag(self, entry: LogEntry, kind: str) -> None:
        if self._refuse_readonly():
            return
        was = self.batches.save_error
        text, added = self.batches.toggle(self.refresh_domain, entry, RefreshKind(kind))
        if self.batches.save_error and not was:
            self.notify(f"could not save the refresh draft: {self.batches.save_error}; it is "
                        "kept in memory and saved again on the next change", severity="error")
        self._retry_history()
        self.hooks.on_event(DRAFT, self.refresh_domain)
        verb = "added to" if added else "removed from"
        pending = self.pending_count(self.refresh_domain)
        self.notify(f"{kind} {verb} the refresh batch ({pending} pending; r to review)", timeout=3)

    def _refuse_readonly(self) -> bool:
        if self.refused:
            self.notify(self.refused, severity="warning", timeout=3)
            return True
        if self.settings.readonly:
            origin = self.settings.origins.get("readonly", "")
            self.notify(f"refresh is disabled: read-only mode ({origin})", severity="warning")
            return True
        return False

    def open_refresh(self) -> None:
        if self._refuse_readonly():
            return
        self.hooks.on_event(OPEN, self.refresh_domain)

    def resubmit(self, rec: dict | None) -> None:
        """A history record chosen: its URLs join the batch and the refresh window opens."""
        if not rec:
            return
        reqs = rec.get("requests") if isinstance(rec.get("requests"), list) else []
        pairs = [(str(r.get("type", "url")), str(u)) for r in reqs if isinstance(r, dict)
                 for u in (r.get("urls") or []) if isinstance(u, str)]
        text, kind = self.batches.draft(self.refresh_domain)
        extra = join_lines(pairs)
        self._set_draft(self.refresh_domain,
                        (text + "\n" + extra).strip("\n") if text.strip() else extra, kind)
        self.open_refresh()

    def start_send(self, plan: RefreshPlan) -> SendJob:
        job = SendJob.of(self.refresh_domain, plan.requests)
        self._job = job
        self.hooks.run(self._send(job, plan))
        return job

    def retry_failed(self, job: SendJob) -> None:
        if job.running or not job.failed():
            return
        job.running = True
        self.hooks.run(self._send(job, None, only=job.failed()))

    def _get_refresher(self) -> Refresher:
        if self._refresher is None:
            client = self.hooks.client()
            s = self.settings
            pacer = Pacer(s.refresh_limit, s.refresh_window)
            # the vendor's window spans processes: count what this machine sent lately
            pacer.seed(recent_sends(self.history.read(limit=2000)), time.time())
            self._refresher = Refresher(client, self.history, pacer, describe=self.hooks.describe)
        return self._refresher

    async def _send(self, job: SendJob, plan: RefreshPlan | None,
                    only: list[int] | None = None) -> None:
        refresher = self._get_refresher()
        try:
            job.submission = await refresher.submit(
                job.domain, job.refresh_requests, job.on_event, only=only, previous=job.submission)
        except ApiError as exc:
            job.error = self.hooks.describe(exc)
        except Exception as exc:  # noqa: BLE001 - a send must end in a visible state, never a crash
            job.error = f"refresh failed: {type(exc).__name__}"
        finally:
            job.running = False
            for st in job.requests:
                if st.phase in ("queued", "waiting", "sending", "retrying"):
                    st.phase, st.detail = "failed", job.error or "not sent"
            job.notify()
        self._drop_sent(job)  # what was accepted leaves the batch; what failed stays in it
        self.hooks.accepted(job)
        self._marks = None  # the charts mark the new refresh
        self.hooks.on_event(SENT, job.domain)
        if refresher.unwritten:
            self.notify(f"the refresh history could not be written ({refresher.history_error}); "
                        "the line is kept in memory and written with the next change",
                        severity="warning", timeout=8)
        if job.ok:
            self.notify(job.summary() + " (accepted, not yet purged everywhere)", title="refresh",
                        timeout=6)
        else:
            msg = job.error or job.summary()
            if not self.hooks.modal_open():
                msg += "; r opens the refresh window"
            self.notify(msg, title="refresh", severity="error", timeout=10)

    def _drop_sent(self, job: SendJob) -> None:
        sent = {(st.request.kind.value, u) for st in job.requests if st.phase == "ok"
                for u in st.request.urls}
        try:
            self.batches.drop_sent(job.domain, sent)
        except OSError as exc:
            self.notify(f"could not save the refresh draft: {exc.strerror}; it is kept in "
                        "memory and saved again on the next change", severity="error")
        self.hooks.on_event(DRAFT, job.domain)

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
