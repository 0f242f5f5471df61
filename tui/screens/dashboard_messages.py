"""What the dashboard asks of the app: messages nested on the screen (`Dashboard.TagRequested`
and so on, through this base class), handled in tui/app.py with `@on`."""

from __future__ import annotations

from textual.message import Message

from tui.core.models import LogEntry


class DashboardMessages:
    class TagRequested(Message):
        """space / d: the entry's URL or directory in or out of the refresh batch."""

        def __init__(self, entry: LogEntry, kind: str) -> None:
            super().__init__()
            self.entry, self.kind = entry, kind

    class OpenRequested(Message):
        """A screen of the app's: refresh, history, overview, top, alerts."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        def can_replace(self, message: Message) -> bool:  # a key repeat opens it once
            return (isinstance(message, DashboardMessages.OpenRequested)
                    and message.name == self.name)

    class ExportRequested(Message):
        def __init__(self, plain: bool) -> None:
            super().__init__()
            self.plain = plain

    class DomainStepped(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class PollStepped(Message):
        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    class RetryRequested(Message):
        def can_replace(self, message: Message) -> bool:  # retrying twice is retrying once
            return isinstance(message, DashboardMessages.RetryRequested)

    class RangeCycled(Message):
        pass

    class ReplayStepped(Message):
        """`>` (1) / `<` (-1): the replay's speed; ctrl+g (0): jump to a time."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class UtcToggled(Message):
        pass
