"""What happens to an attachment's content off the GUI thread: read, decode, encode, store.

Everything here runs on a worker thread (through the task runner) and touches no widget;
QImage, QImageReader and QBuffer are reentrant, so decoding and PNG encoding belong here too.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QImageReader, QImageWriter

if TYPE_CHECKING:  # the protocols live with the panel that defines them
    from console.ui.handoff.attachments.panel import AttachmentLike, AttachmentStore

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp"})
THUMBNAIL_SIDE = 64
# Logs and settings files agents attach every day; the system's MIME table often lacks them.
PLAIN_TEXT_SUFFIXES = {suffix: "text/plain" for suffix in (".log", ".txt", ".ini", ".cfg", ".conf")}


class AttachmentRefused(Exception):
    """One sentence saying why a file cannot be attached."""


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def kind_of(media_type: str) -> str:
    if media_type.startswith("image/"):
        return "Image"
    if media_type.startswith("text/"):
        return "Text"
    return {"application/pdf": "PDF", "application/json": "JSON"}.get(media_type, "File")


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG (safe on a worker thread: QImage is reentrant)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise AttachmentRefused(f"The image could not be encoded as PNG: {writer.errorString()}.")
    buffer.close()
    return bytes(data.data())


def too_large(name: str, size: int, limit: int) -> str:
    return f"{name} is {human_size(size)}; attachments are limited to {human_size(limit)}."


@dataclass(frozen=True, slots=True)
class Incoming:
    """Something about to be attached: an image (redacted, then PNG) or a file's bytes."""

    name: str
    media_type: str = "image/png"
    content: bytes = b""
    image: QImage | None = None


def read_file(path: Path, limit: int) -> Incoming:
    """Read a file to attach (worker thread); images are decoded for the redaction step."""
    try:
        if path.is_dir():
            raise AttachmentRefused(f"{path.name} is a folder; attach the files in it instead.")
        size = path.stat().st_size
        if size > limit:
            raise AttachmentRefused(too_large(path.name, size, limit))
        content = path.read_bytes()
    except OSError as exc:
        raise AttachmentRefused(f"{path.name} could not be read: {exc.strerror}.") from exc
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        media_type = (
            PLAIN_TEXT_SUFFIXES.get(path.suffix.lower())
            or mimetypes.guess_type(path.name)[0]
            or "application/octet-stream"
        )
        return Incoming(path.name, media_type, content)
    data = QByteArray(content)
    buffer = QBuffer(data)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # a phone photo shows upright, as the agent saw it
    image = reader.read()
    if image.isNull():
        raise AttachmentRefused(f"{path.name} is not an image this console can read.")
    return Incoming(f"{path.stem}.png", image=image)


def thumbnail(image: QImage) -> QImage:
    return image.scaled(
        THUMBNAIL_SIDE,
        THUMBNAIL_SIDE,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


@dataclass
class StoreOutcome:
    attachments: list[AttachmentLike] = field(default_factory=list)
    thumbnails: dict[int, QImage] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    edited: bool = False
    """True when the agent changed the ticket's attachments (added or removed one)."""


@dataclass(frozen=True, slots=True)
class StoreJob:
    """Store some attachments, then list them all (runs on a worker thread: no widget)."""

    store: AttachmentStore
    max_bytes: int
    read_content: Callable[[int], bytes] | None
    have_thumbnails: frozenset[int]

    def __call__(
        self, incoming: Sequence[Incoming] = (), description: str = "", notes: Sequence[str] = ()
    ) -> StoreOutcome:
        outcome = StoreOutcome(refused=list(notes))
        for item in incoming:
            content = png_bytes(item.image) if item.image is not None else item.content
            if len(content) > self.max_bytes:
                outcome.refused.append(too_large(item.name, len(content), self.max_bytes))
                continue
            new_id = self.store.add(item.name, item.media_type, content, description)
            outcome.added.append(item.name)
            outcome.edited = True
            if item.image is not None:
                outcome.thumbnails[new_id] = thumbnail(item.image)
        outcome.attachments = list(self.store.list())
        if self.read_content is not None:
            for a in outcome.attachments:
                known = a.id in self.have_thumbnails or a.id in outcome.thumbnails
                if a.media_type.startswith("image/") and not known:
                    image = QImage.fromData(self.read_content(a.id))
                    if not image.isNull():
                        outcome.thumbnails[a.id] = thumbnail(image)
        return outcome
