"""The user-message channel: services speak, subscribers (the Qt bridge, tests) listen."""

from __future__ import annotations

import threading

import pytest

from console.services.messages import Level, Message, MessageRecorder, Messages


def test_every_subscriber_hears_every_level_in_order() -> None:
    messages = Messages()
    heard: list[tuple[Level, str]] = []
    messages.subscribers.append(lambda level, text: heard.append((level, text)))
    with MessageRecorder(messages) as said:
        messages.info("Draft saved.")
        messages.warning("The team store is unreachable; 2 packages wait to be sent.")
        messages.error("Ticket HD-7Q2M9XK is already escalated.")
    assert said.messages == [
        Message(Level.INFO, "Draft saved."),
        Message(Level.WARNING, "The team store is unreachable; 2 packages wait to be sent."),
        Message(Level.ERROR, "Ticket HD-7Q2M9XK is already escalated."),
    ]
    assert [level for level, _ in heard] == [Level.INFO, Level.WARNING, Level.ERROR]
    assert said.texts(Level.ERROR) == ["Ticket HD-7Q2M9XK is already escalated."]
    assert said.last().level is Level.ERROR


def test_a_recorder_stops_listening_when_its_block_ends() -> None:
    messages = Messages()
    with MessageRecorder(messages) as said:
        messages.info("one")
    messages.info("two")
    assert said.texts() == ["one"]
    assert messages.subscribers == []
    with pytest.raises(AssertionError, match="no message was sent"):
        MessageRecorder(messages).last()


def test_a_subscriber_may_unsubscribe_while_being_called() -> None:
    messages = Messages()
    calls: list[str] = []

    def once(level: Level, text: str) -> None:
        calls.append(text)
        messages.subscribers.remove(once)

    messages.subscribers.append(once)
    with MessageRecorder(messages) as said:
        messages.info("first")
        messages.info("second")
    assert calls == ["first"]
    assert said.texts() == ["first", "second"]


def test_services_may_speak_from_worker_threads() -> None:
    messages = Messages()

    def speak(n: int) -> None:
        for i in range(200):
            messages.info(f"{n}-{i}")

    with MessageRecorder(messages) as said:
        workers = [threading.Thread(target=speak, args=(n,)) for n in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert len(said.texts()) == 800
    assert sorted(said.texts()) == sorted(f"{n}-{i}" for n in range(4) for i in range(200))
