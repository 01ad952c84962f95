"""Faults of issue 4 item 8, each through the real commands, each asserting that no manifest
(no backup) appears and that the failure is counted in the real Pushgateway: pg_dump failing
(wrong password, and mid-stream), wrong key, corrupt and truncated archives, a run killed
mid-upload, and a concurrent create refused by the lock."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from runtime.backup.lock import BackupLock
from runtime.backup.stores import open_store
from tests.runtime.backup.fixtures import (
    AgeKeys,
    BackupRunner,
    backup_environment,
    dsn,
    unique_deployment,
    user_tables,
    write_aes_key,
)
from tests.services.postgres import PostgresServer, free_port
from tests.services.pushgateway import Pushgateway

NAMESPACE = "awx-test"


def manifests_in(store: dict[str, str]) -> list[Path]:
    return list(Path(store["BACKUP_PVC_PATH"]).rglob("manifest.json"))


def visible_objects(store: dict[str, str]) -> list[Path]:
    root = Path(store["BACKUP_PVC_PATH"])
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(".") and "/locks/" not in str(path)
    ]


def count(gateway: Pushgateway, job: str, metric: str, deployment: str, status: str) -> float:
    labels = {"name": deployment, "namespace": NAMESPACE, "status": status}
    return gateway.value(job, metric, **labels) or 0.0


@pytest.fixture
def setup(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> Iterator[tuple[BackupRunner, dict[str, str], str]]:
    store = store_env("pvc")
    deployment = unique_deployment("faults")
    runner.env = backup_environment(
        backup_source,
        store,
        deployment,
        pushgateway.url,
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
        BACKUP_AGE_IDENTITY_FILE=str(age_keys.identity_file),
    )
    yield runner, store, deployment


def test_wrong_database_password_fails_before_anything_is_written(
    *, setup: tuple[BackupRunner, dict[str, str], str], pushgateway: Pushgateway
) -> None:
    runner, store, deployment = setup
    result = runner("create", "--no-prune", PGPASSWORD="wrong")
    assert result.status == 1
    assert result.error().startswith("cannot connect to PostgreSQL: ")
    assert "password authentication failed" in result.error()
    assert manifests_in(store) == []
    assert visible_objects(store) == []
    assert count(pushgateway, "awx-backup", "awx_backup_total", deployment, "failure") == 1
    assert count(pushgateway, "awx-backup", "awx_backup_total", deployment, "success") == 0


def test_pg_dump_failing_mid_stream_aborts_the_object(
    *,
    setup: tuple[BackupRunner, dict[str, str], str],
    pushgateway: Pushgateway,
    backup_source: PostgresServer,
) -> None:
    runner, store, deployment = setup
    role = f"partial_reader_{deployment.replace('-', '_')}"
    with psycopg.connect(**backup_source.connection_kwargs(), autocommit=True) as connection:
        connection.execute(f"create role {role} login password 'reader'")
        connection.execute(f"grant select on all tables in schema public to {role}")
        connection.execute(f"revoke select on main_jobevent from {role}")
    result = runner("create", "--no-prune", PGUSER=role, PGPASSWORD="reader")
    assert result.status == 1
    assert result.error().startswith("pg_dump failed (exit 1)")
    assert "permission denied" in result.error()
    assert manifests_in(store) == []
    assert visible_objects(store) == []
    assert count(pushgateway, "awx-backup", "awx_backup_total", deployment, "failure") == 1


def bytes_read(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    return 0


def _backup(runner: BackupRunner) -> dict[str, Any]:
    created = runner("create", "--no-prune")
    assert created.status == 0, created.stderr
    [manifest] = runner.manifests()
    return manifest


def test_wrong_age_key_is_named_and_restores_nothing(
    *,
    setup: tuple[BackupRunner, dict[str, str], str],
    pushgateway: Pushgateway,
    other_age_keys: AgeKeys,
    restore_target: dict[str, Any],
) -> None:
    runner, _, deployment = setup
    _backup(runner)
    other = {"BACKUP_AGE_IDENTITY_FILE": str(other_age_keys.identity_file)}
    result = runner("restore", "latest", "--target-dsn", dsn(restore_target), **other)
    assert result.status == 1
    assert result.error().startswith("wrong key:")
    assert str(other_age_keys.identity_file) in result.error()
    assert user_tables(restore_target) == 0
    assert count(pushgateway, "awx-restore", "awx_restore_total", deployment, "failure") == 1
    assert runner("verify", "latest", **other).status == 1


def test_wrong_aes_key_is_named(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    restore_target: dict[str, Any],
    tmp_path: Path,
) -> None:
    deployment = unique_deployment("faults-aes")
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        deployment,
        pushgateway.url,
        BACKUP_ENCRYPTION="aes-256",
        BACKUP_AES_KEY_FILE=str(write_aes_key(tmp_path / "right")),
    )
    _backup(runner)
    wrong = {"BACKUP_AES_KEY_FILE": str(write_aes_key(tmp_path / "wrong"))}
    result = runner("restore", "latest", "--target-dsn", dsn(restore_target), **wrong)
    assert result.status == 1
    assert result.error().startswith("wrong key:")
    assert user_tables(restore_target) == 0
    assert count(pushgateway, "awx-restore", "awx_restore_total", deployment, "failure") == 1


def _damage(store: dict[str, str], manifest: dict[str, Any], how: str) -> None:
    path = Path(store["BACKUP_PVC_PATH"], manifest["objects"][0]["key"])
    data = bytearray(path.read_bytes())
    if how == "corrupt":
        data[len(data) // 2] ^= 0x55
    else:
        del data[len(data) - len(data) // 3 :]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["corrupt", "truncated"])
def test_damaged_archive_fails_verify_and_restore(
    *,
    how: str,
    setup: tuple[BackupRunner, dict[str, str], str],
    pushgateway: Pushgateway,
    restore_target: dict[str, Any],
) -> None:
    runner, store, deployment = setup
    manifest = _backup(runner)
    _damage(store, manifest, how)

    verified = runner("verify", manifest["name"])
    assert verified.status == 1
    assert "is corrupt" in verified.error()
    assert manifest["objects"][0]["key"] in verified.error()

    restored = runner("restore", manifest["name"], "--target-dsn", dsn(restore_target))
    assert restored.status == 1
    assert "is corrupt" in restored.error()
    assert user_tables(restore_target) == 0
    assert count(pushgateway, "awx-restore", "awx_restore_total", deployment, "failure") == 1


def test_unreachable_restore_target_is_named_and_counted(
    *, setup: tuple[BackupRunner, dict[str, str], str], pushgateway: Pushgateway
) -> None:
    runner, _, deployment = setup
    _backup(runner)
    target = f"host=127.0.0.1 port={free_port()} dbname=awx user=awx"
    restored = runner("restore", "latest", "--target-dsn", target)
    assert restored.status == 1
    assert restored.error().startswith("cannot connect to the target database: ")
    assert "127.0.0.1" in restored.error()
    assert count(pushgateway, "awx-restore", "awx_restore_total", deployment, "failure") == 1
    assert count(pushgateway, "awx-restore", "awx_restore_total", deployment, "success") == 0


@pytest.fixture(scope="module")
def big_source(backup_source: PostgresServer) -> dict[str, str]:
    """~100 MB in a separate database, so a create runs long enough to be killed mid-way."""
    name = "big"
    with psycopg.connect(**backup_source.connection_kwargs(), autocommit=True) as connection:
        connection.execute(f"create database {name}")
    with psycopg.connect(**{**backup_source.connection_kwargs(), "dbname": name}) as connection:
        connection.execute("create table blob (id int primary key, body text)")
        connection.execute(
            "insert into blob select g, string_agg(md5(g::text || r::text), '') "
            "from generate_series(1, 100000) g, generate_series(1, 32) r group by g"
        )
    return {"PGDATABASE": name}


def test_killed_run_leaves_no_manifest_and_the_next_run_counts_its_failure(
    *,
    setup: tuple[BackupRunner, dict[str, str], str],
    pushgateway: Pushgateway,
    big_source: dict[str, str],
) -> None:
    runner, store, deployment = setup
    runner.env |= {**big_source, "BACKUP_COMPRESSION": "none", "BACKUP_LOCK_TTL_SECONDS": "15"}
    child = runner.child("create", "--no-prune")
    # Killed once it holds the lock and has read 16 MiB more (of the ~100 MB dump): mid-upload.
    lock_path = Path(store["BACKUP_PVC_PATH"], f"awx-backups/locks/{deployment}.lock")
    while not lock_path.exists():
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        time.sleep(0.02)
    start = bytes_read(child.pid)
    while bytes_read(child.pid) < start + (16 << 20):
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert manifests_in(store) == []
    assert visible_objects(store) == []
    assert runner.manifests() == []

    refused = runner("create", "--no-prune")
    assert refused.status == 1
    assert "another backup of this deployment is running" in refused.error()

    lock = json.loads(
        Path(store["BACKUP_PVC_PATH"], f"awx-backups/locks/{deployment}.lock").read_text()
    )
    expires = datetime.fromisoformat(lock["expires"].replace("Z", "+00:00"))
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.5)
    after = runner("create", "--no-prune")
    assert after.status == 0, after.stderr
    assert len(runner.manifests()) == 1
    assert count(pushgateway, "awx-backup", "awx_backup_total", deployment, "failure") == 2
    assert count(pushgateway, "awx-backup", "awx_backup_total", deployment, "success") == 1


def test_concurrent_create_is_refused_by_the_lock(
    *, setup: tuple[BackupRunner, dict[str, str], str], pushgateway: Pushgateway
) -> None:
    runner, store, deployment = setup
    held = BackupLock(open_store(store), "awx-backups", deployment)
    with held:
        result = runner("create", "--no-prune")
        assert result.status == 1
        assert "another backup of this deployment is running" in result.error()
        assert held.owner in result.error()
    assert manifests_in(store) == []
    assert visible_objects(store) == []
    assert count(pushgateway, "awx-backup", "awx_backup_total", deployment, "failure") == 1
