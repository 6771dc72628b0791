"""Device diagnostics commands: ``collect``, ``check`` and ``diagnostics show|diff``.

A contract like the rest of the CLI. ``collect`` imports neither Qt nor SQLAlchemy (a caller
runs it on their own machine, and its start-up time is part of the capture), and ``check``
exits 0 only when the check passed: 1 for fail, error or skipped, 2 for an unknown check or
bad arguments.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from console.cli.common import BAD_INPUT, FAILED, OK, CliEnvironment, CommandError
from console.config import PRIVACY_LEVELS, default_privacy

TYPE_CHECKING = False  # not typing's (~5 ms): see console/diagnostics/__init__.py
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

COLLECT_COMMANDS = ("collect", "check", "diagnostics")


def add_collect_commands(commands: Any, only: str | None = None) -> None:
    """Register the commands on the top-level subparsers (``commands``); with ``only``, just
    that one of them."""
    if only in (None, "collect"):
        _add_collect(commands)
    if only in (None, "check"):
        _add_check(commands)
    if only in (None, "diagnostics"):
        _add_diagnostics(commands)


def _add_collect(commands: Any) -> None:
    collect = commands.add_parser("collect", help="capture this device's diagnostics (redacted)")
    output = collect.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the full snapshot as JSON on stdout")
    collect.add_argument(
        "-o", "--output", type=_path, metavar="FILE.zip", help="write a diagnostics bundle to send"
    )
    collect.add_argument(
        "--privacy",
        choices=PRIVACY_LEVELS,
        help="standard: secrets only; strict: also user names, MAC and public IP addresses, "
        "serial numbers (default: [diagnostics] privacy in the config file, else standard)",
    )


def _add_check(commands: Any) -> None:
    check = commands.add_parser("check", help="run one automated check (for playbook authors)")
    check.add_argument("name", nargs="?", help="the check; leave out to list them all")
    check.add_argument("arguments", nargs="*", metavar="KEY=VALUE")
    check.add_argument("--json", action="store_true", help="the result as JSON")


def _path(text: str) -> Path:
    """``type=Path`` for `collect`, whose run time is part of a capture: pathlib is imported
    only when a path is given (it costs about 4 ms)."""
    from pathlib import Path

    return Path(text)


def _add_diagnostics(commands: Any) -> None:
    from pathlib import Path

    diagnostics = commands.add_parser(
        "diagnostics", help="diagnostics bundles and snapshots"
    ).add_subparsers(dest="action", required=True)
    show = diagnostics.add_parser("show", help="verify a diagnostics bundle and summarise it")
    show.add_argument("file", type=Path)
    show.add_argument("--json", action="store_true", help="the snapshot as JSON")
    changes = diagnostics.add_parser("diff", help="what changed between two bundles")
    changes.add_argument("before", type=Path)
    changes.add_argument("after", type=Path)
    attach = diagnostics.add_parser("attach", help="attach a caller's bundle to a ticket")
    attach.add_argument("ref")
    attach.add_argument("file", type=Path)
    capture = diagnostics.add_parser("capture", help="capture this device onto a ticket")
    capture.add_argument("ref")
    for command in (attach, capture):
        command.add_argument("--privacy", choices=PRIVACY_LEVELS)


def _collect(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.diagnostics.redaction import Privacy
    from console.diagnostics.snapshot import capture_snapshot
    from console.diagnostics.summary import render_summary

    privacy = Privacy(args.privacy or default_privacy())
    snapshot = capture_snapshot(privacy).data
    if args.json:
        # One write: json.dump writes every token on its own, which is ~1,500 system calls
        # when stdout is unbuffered (PYTHONUNBUFFERED, python -u).
        env.stdout.write(json.dumps(snapshot, indent=1, sort_keys=True) + "\n")
    else:
        env.stdout.write(render_summary(snapshot))
    if args.output is not None:
        from console.diagnostics.bundle import write_bundle

        bundle_hash = write_bundle(snapshot, args.output, summary=render_summary(snapshot))
        print(
            f"Wrote {args.output} (bundle hash {bundle_hash}): send it to the help desk.",
            file=env.stderr if args.json else env.stdout,
        )
    return OK


def _check(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.diagnostics import checks

    if args.name is None:
        for spec in checks.REGISTRY.values():
            params = " ".join(
                f"{p.name}={p.type.__name__.upper()}" if p.required else f"[{p.name}=...]"
                for p in spec.params
            )
            print(f"{spec.name} {params}".rstrip(), file=env.stdout)
            print(f"    {spec.summary}", file=env.stdout)
        return OK
    raw: dict[str, str] = {}
    for item in args.arguments:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CommandError(
                f"{args.name}: '{item}' is not KEY=VALUE (for example host=mail.example.com)",
                BAD_INPUT,
            )
        if key in raw:
            raise CommandError(f"{args.name}: argument '{key}' is given twice", BAD_INPUT)
        raw[key] = value
    parsed = checks.parse_arguments(args.name, raw)
    result = checks.run_check(args.name, parsed)
    if args.json:
        json.dump(result.to_dict(), env.stdout, indent=1, sort_keys=True)
        env.stdout.write("\n")
    else:
        print(
            f"{result.status.value.upper()}  {result.name}: {result.summary} "
            f"({result.duration_ms:.0f} ms)",
            file=env.stdout,
        )
        for key, value in result.evidence.items():
            print(f"  {key}: {value}", file=env.stdout)
    return OK if result.status is checks.CheckStatus.PASS else FAILED


def _diagnostics_show(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.diagnostics.bundle import read_bundle
    from console.diagnostics.summary import render_summary

    bundle = read_bundle(args.file)
    if args.json:
        json.dump(bundle.snapshot, env.stdout, indent=1, sort_keys=True)
        env.stdout.write("\n")
        return OK
    print(f"{args.file}: valid diagnostics bundle (hash {bundle.bundle_hash})", file=env.stdout)
    env.stdout.write(render_summary(bundle.snapshot))
    return OK


def _diagnostics_diff(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.diagnostics.bundle import read_bundle
    from console.diagnostics.diff import diff

    before, after = read_bundle(args.before), read_bundle(args.after)
    changes = diff(before.snapshot, after.snapshot)
    if not changes:
        print("No facts changed.", file=env.stdout)
    for change in changes:
        print(change.describe(), file=env.stdout)
    return OK


def _diagnostics_attach(args: argparse.Namespace, env: CliEnvironment) -> int:
    return _attach_to_ticket(args, env, bundle=args.file)


def _diagnostics_capture(args: argparse.Namespace, env: CliEnvironment) -> int:
    return _attach_to_ticket(args, env, bundle=None)


def _attach_to_ticket(args: argparse.Namespace, env: CliEnvironment, bundle: Path | None) -> int:
    import getpass

    from console.connect import open_stores
    from console.diagnostics.redaction import Privacy
    from console.services.capture import CaptureService, Source

    privacy = Privacy(args.privacy or default_privacy())
    # Read or capture first: a bad file is refused, and the capture made, before any store
    # is opened.
    source: Source
    if bundle is not None:
        from console.diagnostics.bundle import read_bundle

        snapshot, source = read_bundle(bundle).snapshot, "imported_bundle"
    else:
        from console.diagnostics.snapshot import capture_snapshot

        snapshot, source = capture_snapshot(privacy).data, "this_device"
    stores = open_stores(args.store, env.environ, env.credentials)
    try:
        attached = CaptureService(stores.tickets).attach(
            args.ref, snapshot, source, getpass.getuser(), privacy
        )
    finally:
        stores.close()
    extra = (
        f"; {attached.redacted_now} more secret(s) redacted on the way in"
        if (attached.redacted_now)
        else ""
    )
    partial = " (partial: see meta.problems)" if attached.partial else ""
    print(
        f"Attached diagnostics #{attached.snapshot_id} to {attached.ref} "
        f"({attached.source}, {attached.privacy.value} privacy){partial}{extra}",
        file=env.stdout,
    )
    return OK


Handler = Callable[[argparse.Namespace, CliEnvironment], int]
COLLECT_HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("collect", None): _collect,
    ("check", None): _check,
    ("diagnostics", "show"): _diagnostics_show,
    ("diagnostics", "diff"): _diagnostics_diff,
    ("diagnostics", "attach"): _diagnostics_attach,
    ("diagnostics", "capture"): _diagnostics_capture,
}
