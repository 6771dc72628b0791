"""The queue list: the views it is given, count badges, Ctrl+1..Ctrl+6."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMainWindow, QTextEdit
from pytestqt.qtbot import QtBot

from console.ui.shell.navigation import Navigation, badge_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

AGENT_VIEWS = [
    ("mine", "My open tickets"),
    ("drafts", "Drafts"),
    ("returned", "Returned to me"),
    ("submitted", "Submitted"),
    ("all", "All tickets"),
]
SUPERVISOR_VIEWS = [*AGENT_VIEWS, ("review", "Review queue")]


def shown(qtbot: QtBot, navigation: Navigation) -> Navigation:
    qtbot.addWidget(navigation)
    navigation.resize(240, 300)
    with qtbot.waitExposed(navigation):
        navigation.show()
    with qtbot.waitActive(navigation):
        navigation.activateWindow()
    return navigation


def test_lists_exactly_the_views_it_is_given_in_order(qtbot: QtBot) -> None:
    agent = Navigation(AGENT_VIEWS)
    supervisor = Navigation(SUPERVISOR_VIEWS)
    qtbot.addWidget(agent)
    qtbot.addWidget(supervisor)
    assert [agent.item(i).text() for i in range(agent.count())] == [
        label for _, label in AGENT_VIEWS
    ]
    assert "review" not in agent.view_keys()
    assert supervisor.view_keys()[-1] == "review"
    assert supervisor.label_of("review") == "Review queue"
    assert agent.current_key() == "mine"
    assert [keys for keys, _ in supervisor.shortcuts()] == [f"Ctrl+{n}" for n in range(1, 7)]
    assert len(agent.shortcuts()) == 5
    with pytest.raises(ValueError, match="twice"):
        Navigation([("all", "All"), ("all", "All again")])


def test_ctrl_number_selects_a_view(qtbot: QtBot) -> None:
    navigation = shown(qtbot, Navigation(SUPERVISOR_VIEWS))
    picked: list[str] = []
    navigation.view_selected.connect(picked.append)
    qtbot.keyClick(navigation, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(navigation, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert picked == ["submitted", "review"]
    assert navigation.current_key() == "review"
    # The view already shown: announced again, so the window can bring the list forward.
    qtbot.keyClick(navigation, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert picked == ["submitted", "review", "review"]


def test_an_agent_without_a_sixth_view_has_no_ctrl_6(qtbot: QtBot) -> None:
    navigation = shown(qtbot, Navigation(AGENT_VIEWS))
    picked: list[str] = []
    navigation.view_selected.connect(picked.append)
    qtbot.keyClick(navigation, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(navigation, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert picked == ["drafts"]


def test_shortcuts_on_a_host_work_while_the_list_is_hidden(qtbot: QtBot) -> None:
    window = QMainWindow()
    editor = QTextEdit()
    window.setCentralWidget(editor)
    navigation = Navigation(AGENT_VIEWS, shortcut_host=window)
    navigation.setParent(window)
    navigation.hide()  # a ticket tab is in front
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    picked: list[str] = []
    navigation.view_selected.connect(picked.append)
    qtbot.keyClick(editor, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert picked == ["all"]


def test_clicking_and_arrow_keys_select_views(qtbot: QtBot) -> None:
    navigation = shown(qtbot, Navigation(AGENT_VIEWS))
    picked: list[str] = []
    navigation.view_selected.connect(picked.append)
    rect = navigation.visualItemRect(navigation.item(2))
    qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(navigation, Qt.Key.Key_Down)
    assert picked == ["returned", "submitted"]
    navigation.select_view("mine")
    assert picked[-1] == "mine"


def test_count_badge_is_drawn_and_read_out(qtbot: QtBot) -> None:
    navigation = shown(qtbot, Navigation(AGENT_VIEWS))
    bare = navigation.grab().toImage()
    navigation.set_count("drafts", 3)
    navigation.set_count("returned", 1)
    assert navigation.count_of("drafts") == 3
    drafts = navigation.item(1)
    assert drafts.data(Qt.ItemDataRole.AccessibleTextRole) == "Drafts, 3 tickets"
    assert navigation.item(2).data(Qt.ItemDataRole.AccessibleTextRole) == "Returned to me, 1 ticket"
    assert drafts.toolTip() == "3 tickets"
    badged = navigation.grab().toImage()
    assert badged != bare
    # Only the badged rows changed; the first row looks as it did.
    first = navigation.visualItemRect(navigation.item(0))
    assert _region(badged, first) == _region(bare, first)

    navigation.set_count("drafts", None)
    navigation.set_count("returned", None)
    assert navigation.count_of("drafts") is None
    assert drafts.data(Qt.ItemDataRole.AccessibleTextRole) == "Drafts"
    assert navigation.grab().toImage() == bare


def test_badge_text_caps_large_counts() -> None:
    assert badge_text(7) == "7"
    assert badge_text(999) == "999"
    assert badge_text(12_000) == "999+"


def _region(image: QImage, rect: QRect) -> QImage:
    return image.copy(rect)
