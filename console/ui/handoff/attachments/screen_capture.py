"""Screenshots for the handoff: the whole screen, or a region the agent drags out.

Nothing here blocks: a capture hides the console window first (when asked), waits a moment
so the window manager has really taken it off the screen, grabs, shows the window again and
hands the image to a callback. The grab itself is a function the composition root passes
in, so tests give a synthetic image instead of the real screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QScreen,
)
from PySide6.QtWidgets import QWidget

from console.ui.common.tasks import alive

GrabScreen = Callable[[QScreen], QImage]
"""Returns a picture of the whole of one screen, in device pixels."""

CaptureDone = Callable[[QImage | None, str], None]
"""``on_done(image, problem)``: the picture; or None and a sentence; or None and "" (cancelled)."""

log = logging.getLogger(__name__)

GRAB_FAILED = "The screen could not be captured; this desktop may not allow screenshots."
NO_SCREEN = "There is no screen to capture."


def grab_whole_screen(screen: QScreen) -> QImage:
    """The real grab: every window on ``screen`` (window id 0 is the whole screen)."""
    return screen.grabWindow(0).toImage()


class RegionSelector(QWidget):
    """A frameless full-screen overlay over a screenshot; the agent drags a rectangle.

    The screenshot is shown dimmed with the selection in full brightness. Releasing the
    mouse picks the region; Escape (or the right button) cancels.

    Signals:
        selected(QRect): the chosen region, in the screenshot's pixels.
        cancelled(): the agent gave up.
    """

    selected = Signal(QRect)
    cancelled = Signal()

    MINIMUM_SIDE = 4
    """Smaller drags are misclicks, not regions: they are ignored and selection goes on."""

    def __init__(self, screenshot: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._screenshot = screenshot
        self._start: QPointF | None = None
        self._now: QPointF | None = None
        self._finished = False
        self.setObjectName("region_selector")
        self.setAccessibleName("Drag a rectangle to capture; Escape cancels")
        self.setWindowFlags(
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool
        )
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def image_rect(self, widget_rect: QRectF) -> QRect:
        """The screenshot pixels under a rectangle of this widget (HiDPI: device pixels)."""
        if self.width() <= 0 or self.height() <= 0:
            return QRect()
        sx = self._screenshot.width() / self.width()
        sy = self._screenshot.height() / self.height()
        scaled = QRectF(
            widget_rect.x() * sx,
            widget_rect.y() * sy,
            widget_rect.width() * sx,
            widget_rect.height() * sy,
        )
        return scaled.toAlignedRect().intersected(self._screenshot.rect())

    def _selection(self) -> QRectF | None:
        if self._start is None or self._now is None:
            return None
        return QRectF(self._start, self._now).normalized()

    def _finish(self, rect: QRect | None) -> None:
        if self._finished:
            return
        self._finished = True
        self.close()
        if rect is None:
            self.cancelled.emit()
        else:
            self.selected.emit(rect)

    # -- events --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._finish(None)
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self._finish(None)
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self._start = self._now = event.position()
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._start is not None:
            self._now = event.position()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._start is None:
            return
        self._now = event.position()
        selection = self._selection()
        self._start = self._now = None
        self.update()
        if selection is None:
            return
        if min(selection.width(), selection.height()) < self.MINIMUM_SIDE:
            return
        self._finish(self.image_rect(selection))

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closed by the window manager (or Alt+F4): that is a cancel too.
        if not self._finished:
            self._finished = True
            self.cancelled.emit()
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.drawImage(QRectF(self.rect()), self._screenshot)
            shade = self.palette().color(QPalette.ColorRole.Shadow)
            shade.setAlpha(110)
            selection = self._selection()
            if selection is None:
                painter.fillRect(self.rect(), shade)
                return
            # Dim everything but the selection, so the agent sees exactly what is taken.
            outside = QRectF(self.rect())
            for part in _around(outside, selection):
                painter.fillRect(part, shade)
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(selection)
        finally:
            painter.end()


def _around(whole: QRectF, hole: QRectF) -> list[QRectF]:
    """Four rectangles covering ``whole`` except ``hole``."""
    return [
        QRectF(whole.left(), whole.top(), whole.width(), hole.top() - whole.top()),
        QRectF(whole.left(), hole.bottom(), whole.width(), whole.bottom() - hole.bottom()),
        QRectF(whole.left(), hole.top(), hole.left() - whole.left(), hole.height()),
        QRectF(hole.right(), hole.top(), whole.right() - hole.right(), hole.height()),
    ]


class ScreenCapturer(QObject):
    """Captures the screen the console window is on, or a region of it, without blocking.

    ``window`` is the console's main window: hidden during the grab when the caller asks,
    and shown again afterwards. One capture runs at a time; a request while one runs is
    refused (the methods return False).
    """

    def __init__(
        self,
        window: QWidget | None,
        grab: GrabScreen = grab_whole_screen,
        *,
        hide_delay_ms: int = 300,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._grab = grab
        self._hide_delay_ms = hide_delay_ms
        self._busy = False
        self._hidden = False
        self.selector: RegionSelector | None = None
        """The region overlay while it is shown (tests drag on it)."""

    @property
    def busy(self) -> bool:
        return self._busy

    def capture_screen(
        self, on_done: CaptureDone, owner: QObject, *, hide_window: bool = True
    ) -> bool:
        """Grab the whole screen; ``on_done`` gets the image once the window is back, unless
        ``owner`` (the panel that asked) was deleted meanwhile, as with ``run_task``."""
        done = _bound(on_done, owner)
        return self._start(hide_window, done, lambda image: self._finish(done, image, ""))

    def capture_region(
        self, on_done: CaptureDone, owner: QObject, *, hide_window: bool = True
    ) -> bool:
        """Grab the screen, let the agent drag a region over it, hand over that region (to
        ``on_done``, unless ``owner`` is gone by then)."""
        done = _bound(on_done, owner)
        return self._start(hide_window, done, lambda image: self._select_region(image, done))

    def _screen(self) -> QScreen | None:
        screen = self._window.screen() if self._window is not None else None
        return screen or QGuiApplication.primaryScreen()

    def _start(
        self, hide_window: bool, on_done: CaptureDone, then: Callable[[QImage], None]
    ) -> bool:
        if self._busy:
            return False
        self._busy = True
        self._hidden = bool(hide_window and self._window is not None and self._window.isVisible())
        delay = 0
        if self._hidden and self._window is not None:
            self._window.hide()
            # The window manager needs a moment (and a compositor may fade the window out).
            delay = self._hide_delay_ms
        QTimer.singleShot(delay, self, lambda: self._grab_then(on_done, then))
        return True

    def _grab_then(self, on_done: CaptureDone, then: Callable[[QImage], None]) -> None:
        screen = self._screen()
        if screen is None:
            self._finish(on_done, None, NO_SCREEN)
            return
        try:
            image = self._grab(screen)
        except Exception:  # noqa: BLE001 - any platform failure gets the same one sentence
            log.warning("grabbing the screen failed", exc_info=True)
            image = QImage()
        if image.isNull():
            self._finish(on_done, None, GRAB_FAILED)
            return
        then(image)

    def _select_region(self, screenshot: QImage, on_done: CaptureDone) -> None:
        selector = RegionSelector(screenshot)
        self.selector = selector
        selector.selected.connect(lambda rect: self._finish(on_done, screenshot.copy(rect), ""))
        selector.cancelled.connect(lambda: self._finish(on_done, None, ""))
        screen = self._screen()
        if screen is not None:
            selector.setGeometry(screen.geometry())
        selector.showFullScreen()
        selector.raise_()
        selector.activateWindow()
        selector.setFocus()

    def _finish(self, on_done: CaptureDone, image: QImage | None, problem: str) -> None:
        self.selector = None
        if self._hidden and self._window is not None:
            self._window.show()
            self._window.raise_()
            self._window.activateWindow()
        self._hidden = False
        self._busy = False
        on_done(image, problem)


def _bound(on_done: CaptureDone, owner: QObject) -> CaptureDone:
    """``on_done``, called only while ``owner`` exists: the agent may close the ticket while
    the window is hidden or the region overlay is up."""

    def done(image: QImage | None, problem: str) -> None:
        if alive(owner):
            on_done(image, problem)

    return done
