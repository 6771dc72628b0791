"""A throwaway PostgreSQL cluster for tests and benchmarks.

Each cluster is a fresh ``initdb`` in its own directory, served on a free port on 127.0.0.1
only, tuned for speed rather than durability (no fsync): nothing in it is meant to survive.

``initdb`` and ``postgres`` refuse to run as root, so when the tests run as root (CI does)
the server runs as an unprivileged system user (:data:`SERVER_USER`, created on first use,
else ``nobody``) and its directory lives directly under /tmp: pytest's own temporary
directories are private to root and that user could not even reach them.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

SUPERUSER = "console"
"""The role the URLs connect as: a superuser that needs no password (trust)."""
PASSWORD_ROLE = "secret_agent"
"""A login role that must authenticate with its password (scram-sha-256), even on loopback."""
PASSWORD = "s3cret-Pa55"
"""The password of :data:`PASSWORD_ROLE`."""
SERVER_USER = "agentconsole-pg"
"""The system account that owns and runs the cluster when the tests run as root."""

_SETTINGS_FILE = "agent_console.conf"
_PORT_IN_USE = re.compile(r"could not bind|Address already in use|could not create any TCP")
_started: set[PostgresCluster] = set()


class PostgresClusterError(RuntimeError):
    """The cluster could not be created, started or stopped; the message says why."""


def find_bindir() -> Path:
    """The directory of the real server binaries (``initdb``, ``pg_ctl``, ``postgres``).

    ``pg_config --bindir`` first, else the newest ``/usr/lib/postgresql/*/bin``. A bare
    ``initdb`` on PATH is not trusted: it may be a symlink or wrapper in /usr/local/bin,
    and pg_ctl finds ``postgres`` next to itself.
    """
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            result = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10
            )
            bindir = Path(result.stdout.strip())
            if result.returncode == 0 and _has_server(bindir):
                return bindir
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if _has_server(p)]
    if versions:
        return max(versions, key=lambda p: _version_key(p.parent.name))
    raise PostgresClusterError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package "
        "'postgresql' (./dev test installs it when run as root)"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    """One PostgreSQL server in ``base_dir`` (data, socket, log); a context manager.

    ``start()`` creates the cluster on first use and starts it; ``stop()`` and ``start()``
    again simulate an outage, on the same port and with the same data. Without
    ``base_dir`` a private directory under /tmp is made, and ``remove()`` deletes it.
    """

    def __init__(self, base_dir: Path | None = None) -> None:
        self.bindir = find_bindir()  # first: a missing server leaves no directory behind
        self._owns_base = base_dir is None
        self.base = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="ac-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = free_port()
        self._account = _server_account()
        self._roles_ready = False

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> PostgresCluster:
        """Create the cluster if needed and start it; returns ``self``. No-op if running."""
        if self.running:
            return self
        first_start = not (self.data / "PG_VERSION").exists()
        if first_start:
            self._initdb()
        # Another process may grab the port between free_port() and the server's bind; a
        # new cluster can simply move, a restarted one must keep its port (its URLs).
        for attempt in range(3):
            try:
                self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log))
                break
            except PostgresClusterError as exc:
                if not first_start or attempt == 2 or not _PORT_IN_USE.search(str(exc)):
                    raise
                self.port = free_port()
                self._write_settings()
        _started.add(self)
        if not self._roles_ready:
            self._create_roles()
            self._roles_ready = True
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are cut). No-op if not running."""
        if self.running:
            self._pg_ctl("stop", "-w", "-t", "60", "-m", "fast")
        _started.discard(self)

    def remove(self) -> None:
        """Stop the server and delete the directory this cluster made for itself."""
        try:
            self.stop()
        finally:
            if self._owns_base:
                shutil.rmtree(self.base, ignore_errors=True)

    @property
    def running(self) -> bool:
        """Whether the postmaster of this data directory is alive."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, 0)
        except PermissionError:
            return True  # alive, only owned by someone else
        except (OSError, ValueError):
            return False
        return True

    def __enter__(self) -> PostgresCluster:
        try:
            return self.start()
        except BaseException:
            self.remove()  # __exit__ will not run: clean up here
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    # -- databases -------------------------------------------------------------------------

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A SQLAlchemy URL (psycopg 3 driver) for ``database`` as ``user``, no password."""
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still in it; no error if it is gone."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit superuser connection, for setting up what a test needs."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
            connect_timeout=10,
        )

    # -- internals -------------------------------------------------------------------------

    def _initdb(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o700)
        self._give_to_server_user(self.base)
        # The bootstrap superuser is named after the URL user, so no extra role is needed.
        self._run(
            str(self.bindir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--auth",
            "trust",
            "--no-sync",
        )
        # First match wins: the password role's lines must come before the trust lines.
        self._write_owned(
            self.data / "pg_hba.conf",
            "# TYPE  DATABASE  USER           ADDRESS        METHOD\n"
            f"local   all       {PASSWORD_ROLE}                 scram-sha-256\n"
            f"host    all       {PASSWORD_ROLE}   127.0.0.1/32   scram-sha-256\n"
            "local   all       all                           trust\n"
            "host    all       all            127.0.0.1/32   trust\n",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\ninclude_if_exists = '{_SETTINGS_FILE}'\n")
        self._write_settings()

    def _write_settings(self) -> None:
        # Kept in the data directory (not pg_ctl -o) so a restart, or a developer starting
        # the cluster by hand while debugging, gets the same port and settings.
        self._write_owned(
            self.data / _SETTINGS_FILE,
            f"port = {self.port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.base}'\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 100\n"
            "shared_buffers = 128MB\n",
        )

    def _create_roles(self) -> None:
        exists = "SELECT 1 FROM pg_roles WHERE rolname = %s"
        create = sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(PASSWORD_ROLE), sql.Literal(PASSWORD)
        )
        with self.connect() as conn:
            if conn.execute(exists, (PASSWORD_ROLE,)).fetchone() is None:
                conn.execute(create)

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), action, "--pgdata", str(self.data), *options)

    def _run(self, *argv: str) -> None:
        command = list(argv)
        if self._account is not None:
            uid, gid = self._account
            command = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *argv]
        # Our own environment, minus PG* variables that would point libpq tools elsewhere.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        try:
            result = subprocess.run(
                command, cwd=self.base, env=env, capture_output=True, text=True, timeout=120
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresClusterError(f"{Path(argv[0]).name} failed: {exc}") from None
        if result.returncode != 0:
            tool = Path(argv[0]).name
            what = f"{tool} {argv[1]}" if tool == "pg_ctl" else tool
            output = (result.stderr or result.stdout).strip()[-1500:]
            raise PostgresClusterError(
                f"{what} failed (exit {result.returncode}) in {self.base}: "
                f"{output}{self._log_tail()}"
            )

    def _write_owned(self, path: Path, text: str) -> None:
        path.write_text(text)
        self._give_to_server_user(path)

    def _give_to_server_user(self, path: Path) -> None:
        if self._account is not None:
            os.chown(path, *self._account)

    def _log_tail(self, lines: int = 25) -> str:
        try:
            tail = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\nserver log (last lines):\n" + "\n".join(tail)


def _has_server(bindir: Path) -> bool:
    return all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres"))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


@functools.cache
def _server_account() -> tuple[int, int] | None:
    """(uid, gid) to run the server as, or None to run it as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    for attempt in range(2):
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            if attempt == 0:
                # A dedicated account rather than ``nobody``: nothing else runs as it, so
                # nothing else can read or signal the server. Failing that, nobody will do.
                subprocess.run(
                    [
                        "useradd",
                        "--system",
                        "--user-group",
                        "--no-create-home",
                        "--home-dir",
                        "/nonexistent",
                        "--shell",
                        "/usr/sbin/nologin",
                        SERVER_USER,
                    ],
                    capture_output=True,
                    check=False,
                )
            continue
        return account.pw_uid, account.pw_gid
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


@atexit.register
def _stop_leftovers() -> None:
    # The fixtures stop their clusters; this covers an interrupted run so that no server
    # outlives the process that started it.
    for cluster in list(_started):
        with contextlib.suppress(Exception):
            cluster.remove()
