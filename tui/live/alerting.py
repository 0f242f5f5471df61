"""Alert checking for every domain, shown or not, and the throttled error toasts of the
pollers: plain objects (no Textual) that toast through the callables the app gives them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tui.api.errors import ApiError, AuthError
from tui.insight.alert_log import AlertBook, restored_state
from tui.insight.alerts import AlertState
from tui.live.state import DomainState, alert_events


class AlertWatch:
    """Fires and resolves the alerts of every domain once a second and keeps the alert list
    (`!`, tui/insight/alert_log.py) in step."""

    def __init__(self, states: list[DomainState], rules: Any, book: AlertBook, *,
                 now: Callable[[], float], notify: Callable[..., None],
                 bell: Callable[[], None], bell_on: bool) -> None:
        self.states = states
        self.rules = rules
        self.alert_book = book
        self.now = now
        self.notify = notify
        self.bell = bell
        self.bell_on = bell_on
        self._alert_write_warned = False
        for st in self.states:  # left unresolved by the last run: stale until evidence comes
            for rec in sorted(self.alert_book.unresolved(st.domain), key=lambda r: r.start_s):
                st.alerts[rec.kind] = restored_state(rec)
        self._alerting = self._count_alerting()

    def _count_alerting(self) -> set[str]:
        return {st.domain for st in self.states if any(a.active for a in st.alerts.values())}

    def others_alerting(self, domain: str) -> int:
        """How many other domains have an active alert (as of the last check: the header's
        badge reads it every frame, the states change only once a second)."""
        return len(self._alerting - {domain})

    def check(self) -> None:
        """Once a second, every domain (shown or not): one toast when an alert fires, one when
        it is back to normal on evidence; going stale says nothing (the header shows it)."""
        now_s = int(self.now()) - 1  # the current second is still filling
        for st in self.states:
            for a, event in alert_events(st, self.rules, now_s):
                self._alert_changed(st, a, event)
            for a in st.alerts.values():
                if a.active:  # the list shows the live peak; the file gets it with the next change
                    self.alert_book.track(st.domain, a, write=False)
        self._alerting = self._count_alerting()

    def _alert_changed(self, st: DomainState, a: AlertState, event: str) -> None:
        if not self.alert_book.track(st.domain, a) and not self._alert_write_warned:
            self._alert_write_warned = True
            self.notify(f"could not save the alert list to {self.alert_book.path}",
                        severity="warning")
        if event == "fired":
            # imported at the first alert: the explain code is not on the first frame's path
            from tui.insight.explain_fmt import alert_hint

            hint = alert_hint(st.buffer, a.kind, a.since_s, self.now(), st.domain)
            self.notify(f"{st.domain}: ALERT {a.label()}: {hint}", title="spike",
                        severity="error", timeout=10)
            if self.bell_on:
                self.bell()
        elif event == "resolved":
            self.notify(f"{st.domain}: {a.kind.upper()} back to normal", title="spike", timeout=5)
        st.dirty = True

    def save_active(self) -> None:
        """At exit: the latest figures of what is still active survive a restart."""
        for st in self.states:
            for a in st.alerts.values():
                if a.active:
                    self.alert_book.track(st.domain, a)


class ErrorToasts:
    """One toast per kind of trouble per domain: both pollers hitting the same 401 is one
    problem to the user, and the status line keeps showing it."""

    def __init__(self, notify: Callable[..., None], describe: Callable[[ApiError], str],
                 token_source: str) -> None:
        self.notify = notify
        self.describe = describe
        self.token_source = token_source
        self._toasted: dict[tuple[str, str], float] = {}

    def __call__(self, domain: str, error: ApiError) -> None:
        key = (domain, type(error).__name__)
        now = time.monotonic()
        if now - self._toasted.get(key, -1e9) < 30:
            return
        self._toasted[key] = now
        if isinstance(error, AuthError):
            # one message whichever poller met the 401 first: the token is the domain's problem
            msg = (f"authentication failed ({error.status}): check BITIFUL_API_TOKEN "
                   f"or --token-file (token from {self.token_source})")
            self.notify(f"{domain}: {msg}", severity="error", timeout=8)
            return
        self.notify(f"{domain}: {self.describe(error)}", severity="warning", timeout=8)
