"""Store faults of issue 4 item 8 through `backup create` itself: a missing bucket or container
and rejected credentials end in one line naming the store, a non-zero exit, the failure counted
in the real Pushgateway, and no manifest in the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runtime.backup.stores import open_store
from tests.runtime.backup.fixtures import (
    AgeKeys,
    BackupRunner,
    backup_environment,
    unique_deployment,
)
from tests.runtime.backup.stores import Emulators, azurite_connection_string
from tests.services.postgres import PostgresServer
from tests.services.pushgateway import Pushgateway

NAMESPACE = "awx-test"
BUCKET_VARIABLE = {
    "s3": "BACKUP_S3_BUCKET",
    "azure": "BACKUP_AZURE_CONTAINER",
    "gcs": "BACKUP_GCS_BUCKET",
}


def failures(gateway: Pushgateway, deployment: str) -> float:
    labels = {"name": deployment, "namespace": NAMESPACE, "status": "failure"}
    return gateway.value("awx-backup", "awx_backup_total", **labels) or 0.0


def manifests(store: dict[str, str]) -> list[str]:
    return [item.key for item in open_store(store).list("") if item.key.endswith("manifest.json")]


def create(
    runner: BackupRunner,
    source: PostgresServer,
    store: dict[str, str],
    gateway: Pushgateway,
    keys: AgeKeys,
) -> tuple[str, int, str]:
    deployment = unique_deployment("store-faults")
    runner.env = backup_environment(
        source, store, deployment, gateway.url, BACKUP_AGE_RECIPIENTS=keys.recipient
    )
    result = runner("create", "--no-prune")
    return deployment, result.status, result.error()


@pytest.mark.parametrize("kind", ["s3", "azure", "gcs"])
def test_missing_bucket_or_container_is_named_and_counted(
    *,
    kind: str,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> None:
    existing = store_env(kind)
    missing = {**existing, BUCKET_VARIABLE[kind]: "no-such-awx-backups"}
    deployment, status, error = create(runner, backup_source, missing, pushgateway, age_keys)
    assert status != 0
    assert "no-such-awx-backups" in error
    assert "\n" not in error
    assert failures(pushgateway, deployment) == 1
    assert manifests(existing) == []


def test_rejected_credentials_are_named_and_counted(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    emulators: Emulators,
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> None:
    existing = store_env("azure")
    wrong_key = azurite_connection_string(emulators.url("azure"), key="d3Jvbmcta2V5" * 8)
    rejected = {**existing, "AZURE_STORAGE_CONNECTION_STRING": wrong_key}
    deployment, status, error = create(runner, backup_source, rejected, pushgateway, age_keys)
    assert status != 0
    assert "\n" not in error
    assert "d3Jvbmcta2V5" not in error
    assert failures(pushgateway, deployment) == 1
    assert manifests(existing) == []
