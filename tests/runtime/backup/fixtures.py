"""Fixtures of the backup command tests: a PostgreSQL with AWX-like data, restore targets,
a real Pushgateway, age and AES keys, a store, and a runner for `awx-runtime backup ...`.

STORE_KINDS is what the round-trip tests run over: every store, on the emulators of
tests/runtime/backup/stores.py (whose `store_env` fixture builds a fresh one per test).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from runtime.cli import main
from tests.runtime.backup.awx_data import populate
from tests.services.postgres import PostgresServer, running_postgres
from tests.services.pushgateway import Pushgateway, running_pushgateway

STORE_KINDS = ("pvc", "s3", "azure", "gcs")
_ROOT = Path(__file__).resolve().parents[3]
_names = itertools.count(1)
_CLEARED = ("PG", "BACKUP_", "AWX_", "PUSHGATEWAY_URL")


@pytest.fixture(scope="session")
def backup_source() -> Iterator[PostgresServer]:
    """The database that is backed up: AWX-like schema, ~1.5 MB of rows."""
    with running_postgres() as server:
        populate(server.connection_kwargs(), jobs=300, events_per_job=10)
        yield server


@pytest.fixture
def restore_target(backup_source: PostgresServer) -> Iterator[dict[str, Any]]:
    """A fresh, empty database on the same server; its connection kwargs."""
    name = f"restored_{os.getpid()}_{next(_names)}"
    with psycopg.connect(**backup_source.connection_kwargs(), autocommit=True) as connection:
        connection.execute(f'create database "{name}"')
    yield {**backup_source.connection_kwargs(), "dbname": name}
    with psycopg.connect(**backup_source.connection_kwargs(), autocommit=True) as connection:
        connection.execute(f'drop database if exists "{name}" with (force)')


def dsn(kwargs: dict[str, Any]) -> str:
    """A DSN without the password (it comes from PGPASSWORD, as in the restore Job)."""
    return " ".join(f"{key}={kwargs[key]}" for key in ("host", "port", "user", "dbname"))


@pytest.fixture(scope="session")
def pushgateway() -> Iterator[Pushgateway]:
    with running_pushgateway() as gateway:
        yield gateway


@dataclass(frozen=True)
class AgeKeys:
    identity_file: Path
    recipient: str


@pytest.fixture(scope="session")
def age_keys(tmp_path_factory: pytest.TempPathFactory) -> AgeKeys:
    path = tmp_path_factory.mktemp("age") / "identity"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    recipient = next(
        line.split(": ")[1] for line in path.read_text().splitlines() if "public key" in line
    )
    return AgeKeys(path, recipient)


@pytest.fixture(scope="session")
def other_age_keys(tmp_path_factory: pytest.TempPathFactory) -> AgeKeys:
    path = tmp_path_factory.mktemp("age-other") / "identity"
    subprocess.run(["age-keygen", "-o", str(path)], check=True, capture_output=True)
    recipient = next(
        line.split(": ")[1] for line in path.read_text().splitlines() if "public key" in line
    )
    return AgeKeys(path, recipient)


def write_aes_key(path: Path) -> Path:
    path.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    return path


@pytest.fixture
def aes_key_file(tmp_path: Path) -> Path:
    return write_aes_key(tmp_path / "aes-key")


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    """AWX's three Secrets as Kubernetes mounts them (with the hidden ..data entries)."""
    root = tmp_path / "secrets"
    for secret, keys in {
        "awx-secret-key": {"secret_key": "s3cr3t-django-key"},
        "awx-admin-password": {"password": "admin-pass"},
        "awx-postgres-configuration": {"host": "db", "password": "pg-pass", "port": "5432"},
    }.items():
        (root / secret / "..data").mkdir(parents=True)
        for key, value in keys.items():
            (root / secret / key).write_text(value)
    return root


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str

    def logs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stderr.splitlines() if line.startswith("{")]

    def error(self) -> str:
        failures = [entry["message"] for entry in self.logs() if entry["level"] == "error"]
        return failures[-1] if failures else ""


@dataclass
class BackupRunner:
    """Runs `awx-runtime backup ...` in this process with exactly `env` as its environment."""

    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    env: dict[str, str] = field(default_factory=dict)

    def _apply(self, env: dict[str, str]) -> None:
        for variable in list(os.environ):
            if variable.startswith(_CLEARED):
                self.monkeypatch.delenv(variable)
        for variable, value in env.items():
            self.monkeypatch.setenv(variable, value)

    def __call__(self, *arguments: str, **overrides: str) -> Result:
        self._apply({**self.env, **overrides})
        self.capsys.readouterr()
        status = main(["backup", *arguments])
        captured = self.capsys.readouterr()
        return Result(status, captured.out, captured.err)

    def child(self, *arguments: str) -> subprocess.Popen[bytes]:
        """The same command in a child process (to be killed)."""
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith(_CLEARED)
        }
        return subprocess.Popen(
            [sys.executable, "-m", "runtime", "backup", *arguments],
            env={**environment, **self.env},
            cwd=_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def manifests(self) -> list[dict[str, Any]]:
        result = self("list", "--json")
        assert result.status == 0, result.stderr
        manifests: list[dict[str, Any]] = json.loads(result.stdout)
        return manifests


def backup_environment(
    source: PostgresServer,
    store: dict[str, str],
    deployment: str,
    pushgateway_url: str,
    **settings: str,
) -> dict[str, str]:
    return {
        **source.environment(),
        **store,
        "AWX_DEPLOYMENT_NAME": deployment,
        "AWX_NAMESPACE": "awx-test",
        "PUSHGATEWAY_URL": pushgateway_url,
        **settings,
    }


def unique_deployment(stem: str) -> str:
    """A deployment name per test, so Pushgateway groups do not mix between tests."""
    return f"{stem}-{os.getpid()}-{next(_names)}"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> BackupRunner:
    return BackupRunner(monkeypatch, capsys)


def user_tables(target: dict[str, Any]) -> int:
    with psycopg.connect(**target) as connection:
        row = connection.execute(
            "select count(*) from pg_tables where schemaname = 'public'"
        ).fetchone()
    assert row is not None
    return int(row[0])
