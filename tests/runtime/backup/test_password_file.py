"""The database password as the pods get it: a mounted file (PGPASSWORD_FILE), never a value
in the pod's environment; pg_dump and pg_restore still get it (runtime/backup/settings.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.backup.awx_data import table_checksums
from tests.runtime.backup.fixtures import (
    AgeKeys,
    BackupRunner,
    backup_environment,
    dsn,
    unique_deployment,
)
from tests.services.postgres import PostgresServer
from tests.services.pushgateway import Pushgateway


@pytest.fixture
def environment(
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> dict[str, str]:
    """A backup's environment, PGPASSWORD included (the tests take it out or override it)."""
    return backup_environment(
        backup_source,
        store_env("pvc"),
        unique_deployment("password-file"),
        pushgateway.url,
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
        BACKUP_AGE_IDENTITY_FILE=str(age_keys.identity_file),
    )


def test_create_and_restore_read_the_password_from_its_file(
    *,
    runner: BackupRunner,
    environment: dict[str, str],
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    tmp_path: Path,
) -> None:
    password = tmp_path / "password"
    password.write_text(environment.pop("PGPASSWORD") + "\n")
    runner.env = {**environment, "PGPASSWORD_FILE": str(password)}

    created = runner("create", "--no-prune")
    assert created.status == 0, created.stderr
    restored = runner("restore", "latest", "--target-dsn", dsn(restore_target))
    assert restored.status == 0, restored.stderr
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())


def test_an_unreadable_password_file_is_named(
    runner: BackupRunner, environment: dict[str, str], tmp_path: Path
) -> None:
    # PGPASSWORD stays set: a named file that cannot be read is an error, never a fallback.
    missing = tmp_path / "no-such-password"
    runner.env = {**environment, "PGPASSWORD_FILE": str(missing)}

    created = runner("create", "--no-prune")

    assert created.status == 2
    assert f"--pg-password-file / PGPASSWORD_FILE: cannot read {str(missing)!r}" in created.stderr
