"""Black out parts of an image before it is attached: what the agent paints never leaves.

The agent drags rectangles over anything private (a password, another customer's data, a
chat window); :meth:`RedactDialog.redacted_image` burns them into the pixels, so the stored
PNG holds opaque black there and nothing of the original.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

# The redaction colour is image content, not decoration: it must be opaque black whatever the
# palette says, so a dark theme cannot turn it into something readable.
REDACTION_COLOUR = QColor(0, 0, 0, 255)


def burn_rectangles(image: QImage, rectangles: list[QRect]) -> QImage:
    """A copy of ``image`` with every rectangle (image pixels) filled with opaque black.

    The copy is in a 32-bit format, so painting works whatever the source format was
    (indexed, grayscale); alpha is replaced too, so nothing shows through.
    """
    target = QImage.Format.Format_ARGB32 if image.hasAlphaChannel() else QImage.Format.Format_RGB32
    result = image.convertToFormat(target)
    if not rectangles:
        return result
    painter = QPainter(result)
    try:
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        for rect in rectangles:
            painter.fillRect(rect.intersected(result.rect()), REDACTION_COLOUR)
    finally:
        painter.end()
    return result


class RedactCanvas(QWidget):
    """The image, zoomed to fit; dragging the left button adds a black rectangle.

    Rectangles are kept in image pixels and cover both the pixel where the drag started and
    the one where it ended.

    Signals:
        rectangles_changed(): a rectangle was added, undone or cleared.
    """

    rectangles_changed = Signal()

    def __init__(self, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = image
        self._rectangles: list[QRect] = []
        self._drag_start: QPointF | None = None
        self._drag_now: QPointF | None = None
        self.setObjectName("redact_canvas")
        self.setAccessibleName("Image to redact: drag over what must not leave this machine")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)

    def rectangles(self) -> list[QRect]:
        return list(self._rectangles)

    def add_rectangle(self, rect: QRect) -> None:
        clipped = rect.intersected(self._image.rect())
        if clipped.isEmpty():
            return
        self._rectangles.append(clipped)
        self.rectangles_changed.emit()
        self.update()

    def undo(self) -> bool:
        """Remove the newest rectangle; False when there was none."""
        if not self._rectangles:
            return False
        self._rectangles.pop()
        self.rectangles_changed.emit()
        self.update()
        return True

    def clear(self) -> None:
        if self._rectangles:
            self._rectangles.clear()
            self.rectangles_changed.emit()
            self.update()

    def sizeHint(self) -> QSize:
        return self._image.size().boundedTo(QSize(1100, 700)).expandedTo(self.minimumSize())

    # -- coordinates ---------------------------------------------------------------------

    def image_area(self) -> QRectF:
        """Where the image is drawn: as large as fits, aspect kept, centred."""
        width, height = self._image.width(), self._image.height()
        if width <= 0 or height <= 0:
            return QRectF()
        scale = min(self.width() / width, self.height() / height)
        shown_w, shown_h = width * scale, height * scale
        return QRectF((self.width() - shown_w) / 2, (self.height() - shown_h) / 2, shown_w, shown_h)

    def image_pixel_at(self, position: QPointF) -> QPoint:
        """The image pixel under a widget position, clamped to the image."""
        area = self.image_area()
        if area.isEmpty():
            return QPoint()
        scale = area.width() / self._image.width()
        x = math.floor((position.x() - area.x()) / scale)
        y = math.floor((position.y() - area.y()) / scale)
        return QPoint(
            min(max(x, 0), self._image.width() - 1), min(max(y, 0), self._image.height() - 1)
        )

    def widget_point(self, pixel: QPoint) -> QPoint:
        """A widget position inside an image pixel, as near its centre as integers allow.

        Exact whenever the image is shown at 100 % or larger (tests drag with it).
        """
        area = self.image_area()
        scale = area.width() / self._image.width()
        centre = QPointF(area.x() + (pixel.x() + 0.5) * scale, area.y() + (pixel.y() + 0.5) * scale)
        candidates = [
            QPoint(round_x(centre.x()), round_y(centre.y()))
            for round_x in (round, math.floor, math.ceil)
            for round_y in (round, math.floor, math.ceil)
        ]
        for candidate in candidates:
            if self.image_pixel_at(QPointF(candidate)) == pixel:
                return candidate
        return candidates[0]

    def _shown_rect(self, rect: QRect) -> QRectF:
        area = self.image_area()
        scale = area.width() / self._image.width()
        return QRectF(
            area.x() + rect.x() * scale,
            area.y() + rect.y() * scale,
            rect.width() * scale,
            rect.height() * scale,
        )

    def _dragged_rect(self) -> QRect | None:
        if self._drag_start is None or self._drag_now is None:
            return None
        start = self.image_pixel_at(self._drag_start)
        end = self.image_pixel_at(self._drag_now)
        # Not QRect(start, end).normalized(): for a backwards drag it shifts by one pixel.
        return QRect(
            QPoint(min(start.x(), end.x()), min(start.y(), end.y())),
            QPoint(max(start.x(), end.x()), max(start.y(), end.y())),
        )

    # -- events --------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self._drag_start = event.position()
        self._drag_now = event.position()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_start is None:
            super().mouseMoveEvent(event)
            return
        self._drag_now = event.position()
        self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._drag_start is None:
            super().mouseReleaseEvent(event)
            return
        self._drag_now = event.position()
        moved = self._drag_now != self._drag_start
        rect = self._dragged_rect()
        self._drag_start = self._drag_now = None
        # A plain click paints nothing: it is far more often a misclick than a redaction.
        if moved and rect is not None:
            self.add_rectangle(rect)
        self.update()
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.image_area(), self._image)
            for rect in self._rectangles:
                painter.fillRect(self._shown_rect(rect), REDACTION_COLOUR)
            dragged = self._dragged_rect()
            if dragged is not None:
                shown = self._shown_rect(dragged)
                painter.fillRect(shown, REDACTION_COLOUR)
                painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
                painter.drawRect(shown)
        finally:
            painter.end()


class RedactDialog(QDialog):
    """Shows an image; the agent blacks out regions, then accepts (Enter) or cancels (Esc).

    Accepting with no rectangles keeps the image as it was. Ctrl+Z undoes the newest
    rectangle; "Clear" removes them all.
    """

    def __init__(
        self, image: QImage, title: str = "Redact before attaching", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("redact_dialog")
        self._image = image
        self.canvas = RedactCanvas(image)
        self.canvas.rectangles_changed.connect(self._update_count)
        hint = QLabel(
            "Drag over anything private (passwords, other people's data) to black it out. "
            "Enter attaches the image, Escape cancels."
        )
        hint.setWordWrap(True)
        self.count = QLabel("")
        self.count.setObjectName("redact_count")
        self.count.setAccessibleName("Blacked out areas")
        self.undo_button = self._tool_button("Undo", "redact_undo", "Undo the last black area")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button = self._tool_button("Clear", "redact_clear", "Remove every black area")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Attach")
        ok.setObjectName("redact_accept")
        ok.setAccessibleName("Attach the image")
        ok.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            "Cancel: attach nothing"
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        tools = QHBoxLayout()
        tools.addWidget(self.undo_button)
        tools.addWidget(self.clear_button)
        tools.addWidget(self.count, 1)
        tools.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(tools)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.canvas.undo)
        self.canvas.setFocus()
        self._update_count()

    def redacted_image(self) -> QImage:
        """The image with every black area burnt into its pixels."""
        return burn_rectangles(self._image, self.canvas.rectangles())

    def _tool_button(self, text: str, name: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        # Enter must always mean "Attach", even when this button has the focus.
        button.setAutoDefault(False)
        return button

    def _update_count(self) -> None:
        n = len(self.canvas.rectangles())
        areas = "1 area" if n == 1 else f"{n} areas"
        self.count.setText("Nothing blacked out" if n == 0 else f"{areas} blacked out")
        self.undo_button.setEnabled(n > 0)
        self.clear_button.setEnabled(n > 0)


def redact_with_dialog(image: QImage, parent: QWidget | None, title: str = "") -> QImage | None:
    """Ask the agent to redact ``image`` (modal); the result, or None when cancelled."""
    dialog = RedactDialog(image, title or "Redact before attaching", parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.redacted_image()
    finally:
        dialog.deleteLater()
