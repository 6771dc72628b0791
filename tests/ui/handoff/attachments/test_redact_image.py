"""Redacting an image: what the agent paints over is gone from the stored pixels."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from console.ui.handoff.attachments.files import png_bytes
from console.ui.handoff.attachments.redact_image import RedactCanvas, RedactDialog, burn_rectangles

BLACK = QColor(0, 0, 0, 255)

# The offscreen platform warns when a dialog's layout sets its size constraints.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def gradient(width: int, height: int) -> QImage:
    """Every pixel different from its neighbours, none black: any change shows.

    Built from bytes rather than setPixelColor: PySide6 6.12 on Python 3.11 loses a
    reference to None on every call of a method returning void, and thousands of them
    abort the interpreter ("none_dealloc").
    """
    data = bytearray()
    for y in range(height):
        for x in range(width):
            # Format_RGB32 is 0xffRRGGBB, stored little-endian as B, G, R, 0xff.
            data += bytes((40 + (x + y) % 200, 40 + y % 200, 40 + x % 200, 255))
    return QImage(bytes(data), width, height, width * 4, QImage.Format.Format_RGB32).copy()


def after_png_round_trip(image: QImage) -> QImage:
    decoded = QImage.fromData(png_bytes(image))
    assert not decoded.isNull()
    return decoded


def assert_only_blacked(original: QImage, result: QImage, blacked: list[QRect]) -> None:
    assert result.size() == original.size()
    for y in range(original.height()):
        for x in range(original.width()):
            inside = any(rect.contains(x, y) for rect in blacked)
            expected = BLACK if inside else original.pixelColor(x, y)
            assert result.pixelColor(x, y) == expected, (x, y, inside)


def drag(qtbot: QtBot, canvas: RedactCanvas, start: QPoint, end: QPoint) -> None:
    """Drag between two image pixels, through the widget."""
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas.widget_point(start))
    qtbot.mouseMove(canvas, canvas.widget_point(end))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=canvas.widget_point(end))


def shown_dialog(qtbot: QtBot, image: QImage) -> RedactDialog:
    dialog = RedactDialog(image)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.canvas.setFocus()
    qtbot.waitUntil(lambda: dialog.canvas.hasFocus())
    return dialog


def test_a_dragged_rectangle_is_black_in_the_png_and_nothing_else_changes(qtbot: QtBot) -> None:
    image = gradient(200, 100)
    canvas = RedactCanvas(image)
    qtbot.addWidget(canvas)
    canvas.resize(400, 200)  # zoomed to fit: two widget pixels per image pixel
    canvas.show()
    qtbot.waitExposed(canvas)

    drag(qtbot, canvas, QPoint(20, 10), QPoint(59, 39))

    assert canvas.rectangles() == [QRect(20, 10, 40, 30)]
    result = after_png_round_trip(burn_rectangles(image, canvas.rectangles()))
    assert_only_blacked(image, result, [QRect(20, 10, 40, 30)])


def test_dragging_backwards_and_past_the_edge_is_clipped_to_the_image(qtbot: QtBot) -> None:
    image = gradient(120, 80)
    canvas = RedactCanvas(image)
    qtbot.addWidget(canvas)
    canvas.resize(240, 160)
    canvas.show()
    qtbot.waitExposed(canvas)
    start = canvas.widget_point(QPoint(100, 60))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, QPoint(-30, -30))  # up and left, out of the widget
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(-30, -30))

    assert canvas.rectangles() == [QRect(QPoint(0, 0), QPoint(100, 60))]


def test_zoom_to_fit_maps_a_drag_on_a_large_image_to_its_own_pixels(qtbot: QtBot) -> None:
    image = gradient(2000, 1000)
    canvas = RedactCanvas(image)
    qtbot.addWidget(canvas)
    canvas.resize(500, 300)  # image shown at a quarter, 250 px tall, centred vertically
    canvas.show()
    qtbot.waitExposed(canvas)
    area = canvas.image_area()
    assert (area.width(), area.height(), area.y()) == (500, 250, 25)

    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 75))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(200, 125))

    assert canvas.rectangles() == [QRect(QPoint(400, 200), QPoint(800, 400))]


def test_a_plain_click_paints_nothing(qtbot: QtBot) -> None:
    canvas = RedactCanvas(gradient(50, 50))
    qtbot.addWidget(canvas)
    canvas.resize(100, 100)
    canvas.show()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(40, 40))
    assert canvas.rectangles() == []


def test_ctrl_z_undoes_the_last_rectangle_only(qtbot: QtBot) -> None:
    image = gradient(160, 120)
    dialog = shown_dialog(qtbot, image)
    drag(qtbot, dialog.canvas, QPoint(5, 5), QPoint(24, 14))
    drag(qtbot, dialog.canvas, QPoint(80, 60), QPoint(99, 89))
    assert dialog.count.text() == "2 areas blacked out"

    qtbot.keyClick(dialog.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    first = QRect(QPoint(5, 5), QPoint(24, 14))
    assert dialog.canvas.rectangles() == [first]
    assert_only_blacked(image, after_png_round_trip(dialog.redacted_image()), [first])
    assert dialog.count.text() == "1 area blacked out"


def test_clear_removes_every_rectangle_and_the_image_comes_back_unchanged(qtbot: QtBot) -> None:
    image = gradient(160, 120)
    dialog = shown_dialog(qtbot, image)
    drag(qtbot, dialog.canvas, QPoint(5, 5), QPoint(24, 14))
    drag(qtbot, dialog.canvas, QPoint(30, 30), QPoint(50, 50))

    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)

    assert dialog.canvas.rectangles() == []
    assert not dialog.clear_button.isEnabled()
    assert_only_blacked(image, after_png_round_trip(dialog.redacted_image()), [])


def test_enter_accepts_even_after_using_the_undo_button(qtbot: QtBot) -> None:
    dialog = shown_dialog(qtbot, gradient(160, 120))
    drag(qtbot, dialog.canvas, QPoint(5, 5), QPoint(24, 14))
    drag(qtbot, dialog.canvas, QPoint(30, 30), QPoint(50, 50))
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    dialog.undo_button.setFocus()

    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog.undo_button, Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.canvas.rectangles() == [QRect(QPoint(5, 5), QPoint(24, 14))]  # not undone


def test_escape_cancels(qtbot: QtBot) -> None:
    dialog = shown_dialog(qtbot, gradient(160, 120))
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog.canvas, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_transparent_and_indexed_images_get_opaque_black() -> None:
    transparent = QImage(30, 20, QImage.Format.Format_ARGB32)
    transparent.fill(QColor(255, 255, 255, 0))
    indexed = gradient(30, 20).convertToFormat(QImage.Format.Format_Indexed8)
    area = QRect(2, 3, 10, 5)
    for image in (transparent, indexed):
        result = after_png_round_trip(burn_rectangles(image, [area]))
        assert result.pixelColor(2, 3) == BLACK
        assert result.pixelColor(11, 7) == BLACK
        assert result.pixelColor(12, 7) == image.pixelColor(12, 7)
