"""A real PostgreSQL server for tests: initdb + pg_ctl in a temporary directory, on a free port.

    with running_postgres() as server:   # or running_postgres(standby=True, settings={...})
        psycopg.connect(**server.connection_kwargs())

Password authentication over TCP on 127.0.0.1 (user and password below). Runs as the
`postgres` system user when the tests run as root, since the server refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "awx"
PASSWORD = "awx-test-password"
DATABASE = "awx"
_SEARCH_PATH = (
    "/usr/lib/postgresql/15/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/17/bin",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        (f"{d}/{name}" for d in _SEARCH_PATH if Path(d, name).exists()), None
    )
    if found is None:
        raise RuntimeError(
            f"{name} not found: install the postgresql package (scripts/system-deps.sh)"
        )
    return found


@dataclass(frozen=True)
class PostgresServer:
    root: Path
    port: int
    host: str = "127.0.0.1"
    user: str = USER
    password: str = PASSWORD
    database: str = DATABASE

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def connection_kwargs(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.database,
        }

    def environment(self) -> dict[str, str]:
        """The libpq variables the exporter (and any libpq client) reads."""
        return {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.database,
            "PGSSLMODE": "disable",
        }

    def pg_ctl(self, *arguments: str) -> None:
        _run_as_owner(
            [_binary("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.root / "log"), *arguments]
        )

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root}"
        self.pg_ctl("-w", "-t", "60", "-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-w", "-m", "fast", "stop")


def _owner() -> pwd.struct_passwd | None:
    return pwd.getpwnam("postgres") if os.geteuid() == 0 else None


def _run_as_owner(command: list[str]) -> None:
    owner = _owner()
    if owner is not None:
        command = ["runuser", "-u", owner.pw_name, "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@contextmanager
def running_postgres(
    settings: Mapping[str, str] | None = None, standby: bool = False
) -> Iterator[PostgresServer]:
    """A started server with database `awx`; `standby` starts it in recovery (read-only)."""
    root = Path(tempfile.mkdtemp(prefix="awx-pg-"))
    owner = _owner()
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(root=root, port=free_port())
    try:
        password_file = root / "password"
        password_file.write_text(PASSWORD)
        if owner is not None:
            os.chown(password_file, owner.pw_uid, owner.pw_gid)
        _run_as_owner(
            [
                _binary("initdb"),
                "-D",
                str(server.data_dir),
                "-U",
                USER,
                f"--pwfile={password_file}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-sync",
            ]
        )
        with (server.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("fsync = off\n")
            for key, value in (settings or {}).items():
                conf.write(f"{key} = '{value}'\n")
        server.start()
        _run_as_owner(
            [_binary("createdb"), "-h", str(root), "-p", str(server.port), "-U", USER, DATABASE]
        )
        if standby:
            server.stop()
            (server.data_dir / "standby.signal").touch()
            server.start()
        yield server
    finally:
        if (server.data_dir / "postmaster.pid").exists():
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
