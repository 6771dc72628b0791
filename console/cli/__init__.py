"""The headless commands (a contract: scripts and later checks rely on names, output, exit codes).

Exit codes: 0 success, 1 runtime failure (store unreachable, ...), 2 bad input (invalid file,
invalid arguments). Errors go to stderr as one sentence, never a traceback. Heavy modules
(SQLAlchemy, the services) are imported inside the commands that need them, so light commands
start fast.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence

from console import __version__
from console.cli.collect import COLLECT_COMMANDS, COLLECT_HANDLERS, add_collect_commands
from console.cli.common import (
    BAD_INPUT,
    FAILED,
    OK,
    ArgumentParser,
    CliEnvironment,
    CommandError,
    positive_int,
)
from console.config import ConfigError

TYPE_CHECKING = False  # not typing's (~5 ms): see console/diagnostics/__init__.py
if TYPE_CHECKING:
    from console.connect import Stores
    from console.services.queue_model import TicketRow

__all__ = [
    "BAD_INPUT",
    "FAILED",
    "OK",
    "CliEnvironment",
    "CommandError",
    "build_parser",
    "command_of",
    "run",
]


STORE_COMMANDS = ("db", "demo", "tickets", "package", "sync", "store")
COMMANDS = (*STORE_COMMANDS, *COLLECT_COMMANDS, "playbook")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``only`` just that command's part of it: building
    every subcommand's parser costs `collect` (whose run time is part of a capture) more
    than the rest of its start-up."""

    def wanted(command: str) -> bool:
        return only is None or only == command

    # common.ArgumentParser: argparse's own formatter imports shutil (~3 ms of `collect`).
    parser = ArgumentParser(
        prog="agent-console",
        description="Help desk console: device diagnostics, troubleshooting playbooks, tickets, "
        "escalation packages, delivery to the team store.",
    )
    parser.add_argument("--version", action="version", version=f"agent-console {__version__}")
    parser.add_argument(
        "--store",
        metavar="URL",
        help="ticket store: a SQLite path or sqlite:///path, or postgresql://user@host/db "
        "(default: AGENT_CONSOLE_STORE, then the config file, then a local SQLite file)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    if wanted("db"):
        db = commands.add_parser("db", help="database schema").add_subparsers(
            dest="action", required=True
        )
        db.add_parser("upgrade", help="create or migrate the store's schema to this version")

    if wanted("demo"):
        demo = commands.add_parser("demo", help="sample data").add_subparsers(
            dest="action", required=True
        )
        seed = demo.add_parser("seed", help="fill the store with realistic sample tickets")
        seed.add_argument("--tickets", type=positive_int, required=True, metavar="N")
        seed.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    if wanted("tickets"):
        from console.domain.enums import TicketStatus

        tickets = commands.add_parser("tickets", help="ticket queues").add_subparsers(
            dest="action", required=True
        )
        listing = tickets.add_parser("list", help="list tickets, newest first")
        listing.add_argument("--status", choices=[s.value for s in TicketStatus])
        listing.add_argument("--limit", type=positive_int, metavar="N")
        listing.add_argument("--json", action="store_true", help="a JSON array on stdout")

    if wanted("package"):
        from pathlib import Path  # here: pathlib costs `collect` ~4 ms (urllib.parse with it)

        package = commands.add_parser("package", help="escalation package files").add_subparsers(
            dest="action", required=True
        )
        export = package.add_parser("export", help="write a ticket's escalation package")
        export.add_argument("ref")
        export.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
        for name, text in (
            ("verify", "check a package file before trusting it"),
            ("show", "print a package's handoff summary (handoff.md)"),
            ("import", "add a package (and its ticket) to the store"),
        ):
            package.add_parser(name, help=text).add_argument("file", type=Path)

    if wanted("sync"):
        commands.add_parser("sync", help="deliver the outbox to the ticket store")

    if wanted("store"):
        store = commands.add_parser("store", help="team store credentials").add_subparsers(
            dest="action", required=True
        )
        store.add_parser("login", help="keep the store password in the OS keyring").add_argument(
            "url"
        )
        store.add_parser(
            "logout", help="remove the store password from the OS keyring"
        ).add_argument("url")
    add_collect_commands(commands, only)
    if wanted("playbook"):
        from console.cli.playbook import add_playbook_commands

        add_playbook_commands(commands)
    return parser


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names, if it names a known one before anything else needs the
    whole parser (help, a version, an unknown word)."""
    items = iter(argv)
    for item in items:
        if item == "--store":
            next(items, None)
        elif item.startswith("--store="):
            continue
        else:
            return item if item in COMMANDS else None
    return None


def run(argv: Sequence[str], env: CliEnvironment) -> int:
    parser = build_parser(only=command_of(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(env.stdout)
        return OK
    handlers = _HANDLERS | COLLECT_HANDLERS
    if args.command == "playbook":
        from console.cli.playbook import PLAYBOOK_HANDLERS

        handlers |= PLAYBOOK_HANDLERS
    handler = handlers[(args.command, getattr(args, "action", None))]
    try:
        return handler(args, env)
    except CommandError as exc:
        print(f"agent-console: {exc}", file=env.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("agent-console: interrupted", file=env.stderr)
        return 130
    except BrokenPipeError:
        return FAILED  # the reader went away (`| head`): stop quietly, as Unix tools do
    except Exception as exc:  # noqa: BLE001 - last resort: no tracebacks for users
        code, message = _translate(exc)
        print(f"agent-console: {message}", file=env.stderr)
        return code


def _translate(exc: Exception) -> tuple[int, str]:
    """Map a project exception to (exit code, sentence); unknown ones are runtime failures."""
    # Light modules first: a failed `collect` or `check` must not drag SQLAlchemy in.
    from console.diagnostics.checks import CheckArgumentError, UnknownCheck
    from console.packages.errors import ArchiveError

    if isinstance(exc, ArchiveError | ConfigError | CheckArgumentError | UnknownCheck):
        return BAD_INPUT, str(exc)

    from console.services.capture import CaptureError
    from console.services.exchange import ExchangeError
    from console.store.credentials import CredentialStoreError
    from console.store.errors import StoreError, StoreUnavailable

    if isinstance(exc, ExchangeError | CaptureError):
        return BAD_INPUT, str(exc)
    if isinstance(exc, StoreUnavailable | CredentialStoreError):
        return FAILED, str(exc)
    if isinstance(exc, StoreError):
        return exc.exit_code, str(exc)
    return FAILED, f"unexpected {type(exc).__name__}: {exc}"


# --- commands ------------------------------------------------------------------------------


def _open_stores(
    args: argparse.Namespace, env: CliEnvironment, *, upgrade: bool | None = None
) -> Stores:
    from console.connect import open_stores

    return open_stores(args.store, env.environ, env.credentials, upgrade=upgrade)


def _db_upgrade(args: argparse.Namespace, env: CliEnvironment) -> int:
    stores = _open_stores(args, env, upgrade=True)
    try:
        from console.store.database import current_revision

        for store in dict.fromkeys([stores.tickets, stores.workstation]):
            print(
                f"{store.display_url}: schema at revision {current_revision(store)}",
                file=env.stdout,
            )
    finally:
        stores.close()
    return OK


def _demo_seed(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.services.demo import DemoSeeder

    stores = _open_stores(args, env)
    try:
        report = DemoSeeder(stores.tickets).seed(args.tickets, seed=args.seed)
    finally:
        stores.close()
    print(
        f"Seeded {report.tickets} tickets ({report.resolved} resolved at tier 1, "
        f"{report.escalated} escalated with packages, {report.pending_review} pending review, "
        f"{report.open} open) into {stores.tickets.display_url} in {report.seconds:.1f} s",
        file=env.stdout,
    )
    return OK


def _tickets_list(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.services.queues import TicketQueries

    stores = _open_stores(args, env)
    out = env.stdout
    try:
        queries = TicketQueries(stores.tickets)
        remaining = args.limit
        after = None
        first = True
        if args.json:
            out.write("[")
        else:
            out.write(
                f"{'REF':<12} {'STATUS':<15} {'CATEGORY':<15} {'PRI':<4} {'PKG':<4} SUMMARY\n"
            )
        while remaining is None or remaining > 0:
            size = 1000 if remaining is None else min(remaining, 1000)
            page = queries.page(status=args.status, after=after, limit=size)
            for row in page.rows:
                if args.json:
                    out.write(("\n  " if first else ",\n  ") + json.dumps(_row_json(row)))
                else:
                    out.write(_row_text(row))
                first = False
            if remaining is not None:
                remaining -= len(page.rows)
            if page.next_key is None:
                break
            after = page.next_key
        if args.json:
            out.write("\n]\n" if not first else "]\n")
    finally:
        stores.close()
    return OK


def _row_json(row: TicketRow) -> dict[str, object]:
    return {
        "ref": row.ref,
        "status": row.status,
        "category": row.category,
        "priority": row.priority,
        "has_package": row.has_package,
        "caller": row.caller,
        "summary": row.summary,
        "agent": row.agent,
        "created_at": row.created_at.isoformat(),
    }


def _row_text(row: TicketRow) -> str:
    pkg = "yes" if row.has_package else ""
    return (
        f"{row.ref:<12} {row.status:<15} {row.category:<15} {row.priority or '-':<4} "
        f"{pkg:<4} {row.summary}\n"
    )


def _package_export(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.services.exchange import ExchangeError, PackageExchange

    stores = _open_stores(args, env)
    try:
        try:
            verified = PackageExchange(stores.tickets).export(args.ref, args.output)
        except ExchangeError:
            if not stores.team_mode:
                raise
            # Not delivered yet: the frozen package is still in this workstation's outbox.
            verified = PackageExchange(stores.workstation).export(args.ref, args.output)
    finally:
        stores.close()
    print(f"Wrote {args.output} (package hash {verified.package_hash})", file=env.stdout)
    return OK


def _package_verify(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.packages.reader import verify_package_file

    verified = verify_package_file(args.file)
    doc = verified.document
    print(
        f"{args.file}: valid escalation package for {doc.ticket.ref} "
        f"({doc.handoff.priority}, {len(verified.members)} members, package hash "
        f"{verified.package_hash})",
        file=env.stdout,
    )
    return OK


def _package_show(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.packages.reader import verify_package_file

    env.stdout.write(verify_package_file(args.file).handoff_markdown)
    return OK


def _package_import(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.services.exchange import PackageExchange

    stores = _open_stores(args, env)
    try:
        import getpass

        result = PackageExchange(stores.tickets).import_file(args.file, actor=getpass.getuser())
    finally:
        stores.close()
    verb = "Imported" if result.created else "Already present, nothing changed:"
    print(f"{verb} {result.ref} (package hash {result.package_hash})", file=env.stdout)
    return OK


def _sync(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.connect import open_workstation_only
    from console.services.delivery import OFFLINE, DeliveryService, destination_of
    from console.store.errors import StoreUnavailable

    try:
        stores = _open_stores(args, env)
    except StoreUnavailable as exc:
        # The team store is down: the outbox still deserves an attempt on record and a report.
        stores = open_workstation_only(args.store, env.environ)
        reason = str(exc)
    else:
        reason = OFFLINE
    where = stores.unreachable or stores.tickets.display_url
    destination = destination_of(stores, reason)
    try:
        report = DeliveryService(stores.workstation, destination).deliver(include_not_due=True)
    finally:
        stores.close()
    out = env.stdout
    if report.delivered:
        print(f"Delivered {len(report.delivered)} package(s) to {where}:", file=out)
        for d in report.delivered:
            note = " (it had arrived before; now recorded)" if d.already_there else ""
            print(f"  {d.ref}  package {d.package_id}{note}", file=out)
    else:
        print(f"Nothing new delivered to {where}.", file=out)
    if not report.waiting:
        print("Outbox empty: nothing waiting to send.", file=out)
        return OK
    print(f"{len(report.waiting)} still waiting to send:", file=out)
    for w in report.waiting:
        when = w.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        print(
            f"  {w.ref}  package {w.package_id}: {w.attempts} attempt(s), next after {when}: "
            f"{w.last_error or 'not tried yet'}",
            file=out,
        )
    return FAILED


def _store_login(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.store.credentials import SERVICE_NAME
    from console.store.database import open_store, parse_store_url
    from console.store.errors import StoreError, StoreLoginFailed, StoreUnavailable

    url = parse_store_url(args.url)
    if url.get_backend_name() != "postgresql":
        raise CommandError("Only a PostgreSQL store has a password to keep", BAD_INPUT)
    account = _account(url.render_as_string(hide_password=True))
    secret = _ask_password(env, account)
    try:
        open_store(url, password=lambda _u: secret, upgrade=False).dispose()
    except StoreLoginFailed:
        raise CommandError(
            f"The server refused the password for {account}; nothing saved", BAD_INPUT
        ) from None
    except StoreUnavailable as exc:
        print(f"agent-console: warning: could not verify the password now ({exc})", file=env.stderr)
    except StoreError:
        pass  # reachable and the password works; the schema is another command's business
    env.credentials().set(SERVICE_NAME, account, secret)
    print(f"Password for {account} saved in the OS keyring.", file=env.stdout)
    return OK


def _store_logout(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.store.credentials import SERVICE_NAME
    from console.store.database import parse_store_url

    url = parse_store_url(args.url)
    account = _account(url.render_as_string(hide_password=True))
    env.credentials().delete(SERVICE_NAME, account)
    print(f"Password for {account} removed from the OS keyring.", file=env.stdout)
    return OK


def _account(url: str) -> str:
    from console.store.credentials import credential_account

    try:
        return credential_account(url)
    except ValueError as exc:
        raise CommandError(str(exc), BAD_INPUT) from None


def _ask_password(env: CliEnvironment, account: str) -> str:
    if env.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"Password for {account}: ")
    else:
        secret = env.stdin.readline().rstrip("\r\n")
    if not secret:
        raise CommandError("No password given; nothing saved", BAD_INPUT)
    return secret


Handler = Callable[[argparse.Namespace, CliEnvironment], int]
_HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("db", "upgrade"): _db_upgrade,
    ("demo", "seed"): _demo_seed,
    ("tickets", "list"): _tickets_list,
    ("package", "export"): _package_export,
    ("package", "verify"): _package_verify,
    ("package", "show"): _package_show,
    ("package", "import"): _package_import,
    ("sync", None): _sync,
    ("store", "login"): _store_login,
    ("store", "logout"): _store_logout,
}
