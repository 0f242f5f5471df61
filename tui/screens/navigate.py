"""The screens the dashboard opens (its `OpenRequested`), each with what a choice there does
back on the dashboard: a domain switch, a top-N drill, an alert's entries, a re-submit.

`app` is tui/app.py's S4TopApp (the screens layer does not import it): its states, desk,
alert book and dashboard. The screens themselves load when first opened (start-up)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.core.logfilter import and_term
from tui.core.models import LogEntry
from tui.core.sanitize import inert
from tui.insight.top import drill_filter
from tui.live.state import RANGES

if TYPE_CHECKING:
    from textual.screen import Screen

if TYPE_CHECKING:
    from tui.insight.alert_log import AlertRecord
    from tui.screens.explain import ExplainDrill
    from tui.screens.top import Drill


def open_refresh(app: Any) -> None:
    app.desk.open_refresh()  # refused in read-only mode; else the desk asks for the modal


def open_refresh_modal(app: Any) -> Screen:
    """The refresh window on the desk (what the desk's OPEN event asks for)."""
    from tui.screens.refresh import RefreshModal

    modal = RefreshModal(app.desk)
    app.push_screen(modal)
    return modal


def open_history(app: Any) -> None:
    from tui.screens.history import HistoryScreen

    app.push_screen(HistoryScreen(app.desk.history.read(limit=500), getattr(app, "purges", None)),
                    app.desk.resubmit)


def open_overview(app: Any) -> None:
    label = RANGES[app.range_index][0]
    from tui.screens.overview import OverviewScreen

    app.push_screen(OverviewScreen(app.states, app.active, app.now, label,
                                   app._dashboard.five_xx_threshold),
                    lambda i: None if i is None else app.switch_domain(i))


def open_top(app: Any) -> None:
    def chosen(drill: Drill | None) -> None:
        if drill is not None:
            shown = app.state.buffer.filter.text  # the drill narrows what top-N counted
            app._dashboard.apply_drill(and_term(shown, drill_filter(drill.by, drill.key)),
                                       f"{drill.by} = {inert(drill.key, 60)}")

    from tui.screens.top import TopScreen

    desk = app.desk
    app.push_screen(TopScreen(app.state, app.now, app.ctx.settings.top_window,
                              tag=lambda url, kind: desk.toggle_tag(LogEntry(0, url=url), kind),
                              tagged=lambda url: desk.tag_of(LogEntry(0, url=url))), chosen)


def open_alerts(app: Any) -> None:
    def chosen(rec: AlertRecord | None) -> None:
        if rec is None:
            return
        domains = [st.domain for st in app.states]
        if rec.domain not in domains:
            app.notify(f"{inert(rec.domain, 80)} is not monitored in this session",
                       severity="warning")
            return
        app.switch_domain(domains.index(rec.domain))
        show_alert(app._dashboard, rec, app.utc, lambda: open_alerts(app))

    from tui.screens.alerts import AlertListScreen, show_alert

    app.push_screen(AlertListScreen(app.alert_book.records, app.utc), chosen)


def open_help(app: Any) -> None:
    from tui.screens.help import HelpScreen

    if not isinstance(app.screen, HelpScreen):
        app.push_screen(HelpScreen(app.binding_rows()))
def open_explain(app: Any, focus: str | None = None) -> None:
    """w: the explanation; Enter there filters the log pane, whose Esc comes back here."""

    def chosen(drill: ExplainDrill | None) -> None:
        if drill is not None:
            app._dashboard.apply_drill(drill.text, drill.label,
                                       lambda: open_explain(app, drill.focus), "the explanation")

    from tui.screens.explain import ExplainScreen

    desk = app.desk
    app.push_screen(ExplainScreen(app.state, app.now, focus=focus,
                                  tag=lambda url, kind: desk.toggle_tag(LogEntry(0, url=url), kind),
                                  tagged=lambda url: desk.tag_of(LogEntry(0, url=url))), chosen)
