"""The one Qt bridge of the services' message channel (console.services.messages).

Services may speak from a worker thread; the bridge hands each message to the GUI thread
with a queued signal, where the window shows it in the status bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from console.services.messages import Level, Messages


class MessagesBridge(QObject):
    """Subscribes to a :class:`~console.services.messages.Messages` channel.

    Signals:
        said(str level, str text): one message, delivered on the GUI thread.
    """

    said = Signal(str, str)

    def __init__(self, messages: Messages, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._messages = messages
        messages.subscribers.append(self._relay)

    def _relay(self, level: Level, text: str) -> None:
        # Emitted on the caller's thread; Qt queues it to this object's (the GUI) thread.
        self.said.emit(str(level), text)

    def detach(self) -> None:
        if self._relay in self._messages.subscribers:
            self._messages.subscribers.remove(self._relay)
