"""The one channel through which services tell the user things (STYLE rule 9).

Services call ``messages.error("...")``; they never show anything themselves. The window
subscribes one Qt bridge that puts the text in the status bar or a dialog; tests subscribe a
:class:`MessageRecorder` and assert on what was said.

Subscribers run synchronously in the thread that called :meth:`Messages.info` (and friends):
a service on a worker thread reaches them there, so the Qt bridge must hand the text to the
GUI thread (a queued signal) rather than touch a widget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


Subscriber = Callable[[Level, str], None]


class Messages:
    """Fan-out of user messages to ``subscribers`` (a plain list: append to subscribe).

    A text is one sentence for the user, not a traceback.
    """

    def __init__(self) -> None:
        self.subscribers: list[Subscriber] = []

    def info(self, text: str) -> None:
        self.send(Level.INFO, text)

    def warning(self, text: str) -> None:
        self.send(Level.WARNING, text)

    def error(self, text: str) -> None:
        self.send(Level.ERROR, text)

    def send(self, level: Level, text: str) -> None:
        """Deliver to every subscriber, in the order they subscribed."""
        # A copy: a subscriber may unsubscribe itself (or another) while being called.
        for subscriber in list(self.subscribers):
            subscriber(level, text)


@dataclass(frozen=True, slots=True)
class Message:
    level: Level
    text: str


class MessageRecorder:
    """Records what a :class:`Messages` said, for tests (qutebrowser's ``messagemock``).

    ``with MessageRecorder(messages) as said: ...`` subscribes on entry and unsubscribes on
    exit; ``said.messages`` lists them in order. Thread-safe: services may speak from workers.
    """

    def __init__(self, messages: Messages) -> None:
        self._messages = messages
        self._lock = threading.Lock()
        self.messages: list[Message] = []

    def __call__(self, level: Level, text: str) -> None:
        with self._lock:
            self.messages.append(Message(level, text))

    def __enter__(self) -> MessageRecorder:
        self._messages.subscribers.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._messages.subscribers.remove(self)

    def texts(self, level: Level | None = None) -> list[str]:
        """The texts said, at ``level`` only when given."""
        with self._lock:
            return [m.text for m in self.messages if level is None or m.level is level]

    def last(self) -> Message:
        """The most recent message; AssertionError when nothing was said (for tests)."""
        with self._lock:
            if not self.messages:
                raise AssertionError("no message was sent")
            return self.messages[-1]
