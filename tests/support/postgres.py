"""A throwaway PostgreSQL cluster for tests and benchmarks.

``initdb`` refuses to run as root, so when the tests run as root the cluster belongs to the
unprivileged ``nobody`` user and lives in its own directory under /tmp (pytest's temporary
directories are private to root). The server listens on a free port on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import psycopg

SUPERUSER = "console"
PASSWORD_ROLE = "secret_agent"
PASSWORD = "s3cret-Pa55"
_RUN_AS = "nobody"


def find_bindir() -> Path:
    """The real server binaries (Debian's /usr/local/bin wrappers are not enough for pg_ctl)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    for bindir in reversed(candidates):
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise RuntimeError(
        "PostgreSQL server binaries not found: install the Debian package 'postgresql' "
        "(./dev test does this when run as root)"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresCluster:
    """initdb + pg_ctl on a free port; ``stop()`` and ``start()`` simulate an outage."""

    def __init__(self, base_dir: Path | None = None) -> None:
        self._own_base = base_dir is None
        self.base = Path(base_dir or tempfile.mkdtemp(prefix="ac-pg-"))
        self.bindir = find_bindir()
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = free_port()
        self._initialized = False

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> PostgresCluster:
        if not self._initialized:
            self._init()
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log), "-o", self._server_options())
        if not self._initialized:
            self._bootstrap_roles()
            self._initialized = True
        return self

    def stop(self) -> None:
        if self.running:
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")

    def remove(self) -> None:
        self.stop()
        if self._own_base:
            shutil.rmtree(self.base, ignore_errors=True)

    @property
    def running(self) -> bool:
        if not (self.data / "postmaster.pid").exists():
            return False
        result = subprocess.run(
            self._as_owner([str(self.bindir / "pg_ctl"), "status", "-D", str(self.data)]),
            capture_output=True,
            text=True,
        )
        return result.returncode == 0

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.remove()

    # -- databases -----------------------------------------------------------------------

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # -- internals -----------------------------------------------------------------------

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        )

    def _init(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam(_RUN_AS)
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
            self.base.chmod(0o700)
        self._run(
            [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]
        )
        # Password authentication for one role, trust for the rest (loopback only).
        hba = (
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
        )
        self._write_as_owner(self.data / "pg_hba.conf", hba)

    def _server_options(self) -> str:
        return " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.base}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=100",
                "-c shared_buffers=128MB",
            ]
        )

    def _bootstrap_roles(self) -> None:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE ROLE {SUPERUSER} SUPERUSER LOGIN")
            conn.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")

    def _pg_ctl(self, *args: str) -> None:
        self._run([str(self.bindir / "pg_ctl"), *args[:1], "-D", str(self.data), *args[1:]])

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", _RUN_AS, "--", *argv]
        return argv

    def _run(self, argv: list[str]) -> None:
        result = subprocess.run(self._as_owner(argv), capture_output=True, text=True, cwd=self.base)
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(argv[0]).name} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-800:]}\n{self._log_tail()}"
            )

    def _write_as_owner(self, path: Path, text: str) -> None:
        path.write_text(text)
        if os.geteuid() == 0:
            owner = pwd.getpwnam(_RUN_AS)
            os.chown(path, owner.pw_uid, owner.pw_gid)

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "server log: " + self.log.read_text()[-1500:]
        return ""
