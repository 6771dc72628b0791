"""The ``disks`` section: partitions with their usage, and I/O counters.

Asking a drive for its usage can hang: an optical drive with no disc, a network share whose
server went away. Those are listed but not probed, with the reason, so the capture finishes.
"""

from __future__ import annotations

from console.diagnostics import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from console.diagnostics.collect_system import Psutil
    from console.diagnostics.host import Host

MAX_PARTITIONS = 40
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smbfs",
        "smb3",
        "sshfs",
        "fuse.sshfs",
        "afpfs",
        "9p",
        "davfs",
        "fuse.rclone",
        "webdav",
        "ncpfs",
    }
)
# Read-only images (snap packages, live media) clutter the list and are never "disk full".
IMAGE_FILESYSTEMS = frozenset({"squashfs", "iso9660", "udf"})


def skip_reason(fstype: str, opts: str) -> str | None:
    """Why this partition's usage is not asked for, or None to ask."""
    kind = fstype.lower()
    options = {o.strip().lower() for o in opts.split(",")}
    if "cdrom" in options or (not kind and "removable" in options):
        return "removable or optical drive (may hang with no media)"
    if not kind:
        return "no file system (empty drive)"
    if kind in NETWORK_FILESYSTEMS or kind.startswith("fuse.sshfs"):
        return "network file system (may hang when the server is unreachable)"
    return None


def collect_disks(ps: Psutil, host: Host) -> dict[str, Any]:
    partitions: list[dict[str, Any]] = []
    problems: list[str] = []
    all_parts = [
        p for p in ps.disk_partitions(all=False) if p.fstype.lower() not in IMAGE_FILESYSTEMS
    ]
    for part in all_parts[:MAX_PARTITIONS]:
        entry: dict[str, Any] = {
            "device": part.device,
            "mountpoint": part.mountpoint,
            "fstype": part.fstype,
            "options": part.opts,
        }
        reason = skip_reason(part.fstype, part.opts)
        if reason is not None:
            entry["usage"] = None
            entry["skipped"] = reason
        else:
            try:
                usage = ps.disk_usage(part.mountpoint)
            except (OSError, PermissionError) as exc:  # a vanished mount, a locked volume
                entry["usage"] = None
                problems.append(f"{part.mountpoint}: {exc.strerror or exc}")
            else:
                entry["usage"] = {
                    "total_bytes": usage.total,
                    "used_bytes": usage.used,
                    "free_bytes": usage.free,
                    "percent_used": usage.percent,
                }
        partitions.append(entry)
    io = ps.disk_io_counters(perdisk=False) if hasattr(ps, "disk_io_counters") else None
    section: dict[str, Any] = {
        "partitions": partitions,
        "partitions_not_listed": max(0, len(all_parts) - MAX_PARTITIONS),
        "io": None
        if io is None
        else {
            "read_bytes": io.read_bytes,
            "write_bytes": io.write_bytes,
            "read_count": io.read_count,
            "write_count": io.write_count,
        },
    }
    if problems:
        section["problems"] = problems
    return section
