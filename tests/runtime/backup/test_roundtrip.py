"""Round trips through the real commands: create -> list -> verify -> restore, with table
checksums of the restored database equal to the source, for every store kind (STORE_KINDS)
x compression x encryption mode; AWX's Secrets travel with the dump; metrics are pushed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.backup.awx_data import table_checksums
from tests.runtime.backup.fixtures import (
    STORE_KINDS,
    AgeKeys,
    BackupRunner,
    backup_environment,
    dsn,
    unique_deployment,
)
from tests.services.postgres import PostgresServer
from tests.services.pushgateway import Pushgateway

MODES = [("zstd", "age"), ("gzip", "age"), ("none", "age"), ("zstd", "aes-256"),
         ("gzip", "aes-256"), ("none", "aes-256")]  # fmt: skip


def encryption_env(mode: str, age_keys: AgeKeys, aes_key_file: Path) -> dict[str, str]:
    if mode == "age":
        return {
            "BACKUP_ENCRYPTION": "age",
            "BACKUP_AGE_RECIPIENTS": age_keys.recipient,
            "BACKUP_AGE_IDENTITY_FILE": str(age_keys.identity_file),
        }
    return {"BACKUP_ENCRYPTION": "aes-256", "BACKUP_AES_KEY_FILE": str(aes_key_file)}


@pytest.mark.parametrize("kind", STORE_KINDS)
@pytest.mark.parametrize(("compression", "encryption"), MODES)
def test_round_trip(
    *,
    kind: str,
    compression: str,
    encryption: str,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
    aes_key_file: Path,
    secrets_dir: Path,
) -> None:
    deployment = unique_deployment("roundtrip")
    runner.env = backup_environment(
        backup_source,
        store_env(kind),
        deployment,
        pushgateway.url,
        BACKUP_COMPRESSION=compression,
        **encryption_env(encryption, age_keys, aes_key_file),
    )
    created = runner("create", "--secrets-dir", str(secrets_dir), "--no-prune")
    assert created.status == 0, created.stderr

    [manifest] = runner.manifests()
    assert manifest["name"].startswith(f"awx-backup-{deployment}-")
    assert manifest["compression"] == compression
    assert manifest["encryption"]["mode"] == encryption
    assert manifest["postgres_server_version"].startswith("15")
    assert {item["role"] for item in manifest["objects"]} == {"database", "secrets"}
    suffix = {"zstd": ".zst", "gzip": ".gz", "none": ""}[compression]
    suffix += ".age" if encryption == "age" else ".aes256"
    assert manifest["objects"][0]["key"].endswith(f"/database.dump{suffix}")
    assert "s3cr3t" not in json.dumps(manifest)

    verified = runner("verify", manifest["name"])
    assert verified.status == 0, verified.stderr

    restored = runner("restore", "latest", "--target-dsn", dsn(restore_target))
    assert restored.status == 0, restored.stderr
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())

    labels = {"name": deployment, "namespace": "awx-test"}
    assert pushgateway.value("awx-backup", "awx_backup_total", status="success", **labels) == 1
    assert pushgateway.value("awx-restore", "awx_restore_total", status="success", **labels) == 1
    size = pushgateway.value(
        "awx-backup", "awx_backup_size_bytes", backup_name=manifest["name"], **labels
    )
    assert size == sum(item["size"] for item in manifest["objects"])


def test_restore_refuses_a_non_empty_target_without_clean(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
    aes_key_file: Path,
) -> None:
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        unique_deployment("clean"),
        pushgateway.url,
        **encryption_env("age", age_keys, aes_key_file),
    )
    assert runner("create", "--no-prune").status == 0
    assert runner("restore", "latest", "--target-dsn", dsn(restore_target)).status == 0

    again = runner("restore", "latest", "--target-dsn", dsn(restore_target))
    assert again.status == 1
    assert "target database is not empty" in again.error()
    assert "--clean" in again.error()

    cleaned = runner("restore", "latest", "--target-dsn", dsn(restore_target), "--clean")
    assert cleaned.status == 0, cleaned.stderr
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())


def test_drill_restores_the_newest_backup_and_pushes_its_metrics(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
    aes_key_file: Path,
) -> None:
    deployment = unique_deployment("drill")
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        deployment,
        pushgateway.url,
        **encryption_env("age", age_keys, aes_key_file),
    )
    assert runner("create", "--no-prune").status == 0
    drilled = runner("drill", BACKUP_DRILL_TARGET_DSN=dsn(restore_target))
    assert drilled.status == 0, drilled.stderr
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())
    labels = {"name": deployment, "namespace": "awx-test"}
    assert pushgateway.value("awx-restore-drill", "awx_restore_total", status="success", **labels)
    assert pushgateway.value(
        "awx-restore-drill", "awx_restore_drill_last_success_timestamp_seconds", **labels
    )


def test_list_shows_complete_backups_newest_first_as_a_table_and_json(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
    aes_key_file: Path,
) -> None:
    store = store_env("pvc")
    runner.env = backup_environment(
        backup_source,
        store,
        unique_deployment("list"),
        pushgateway.url,
        BACKUP_COMPRESSION="none",
        **encryption_env("age", age_keys, aes_key_file),
    )
    first = runner("create", "--no-prune")
    assert first.status == 0, first.stderr
    # A leftover without a manifest is not a backup.
    partial = Path(store["BACKUP_PVC_PATH"], "awx-backups", "awx-backup-x-20200101-000000")
    partial.mkdir(parents=True)
    (partial / "database.dump.age").write_bytes(b"partial")

    names = [manifest["name"] for manifest in runner.manifests()]
    assert len(names) == 1
    table = runner("list")
    assert table.status == 0
    assert names[0] in table.stdout
    assert "awx-backup-x-" not in table.stdout
