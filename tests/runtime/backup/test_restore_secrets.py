"""`backup restore --restore-secrets` without any Kubernetes API to reach: a setting error
before the database is touched. Restoring the Secrets themselves, the API's refusals and the
replacement of existing Secrets run against the local control plane, with the backup
account's own token: tests/e2e/test_runtime_on_cluster.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
def backed_up(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
    secrets_dir: Path,
) -> str:
    """One backup with AWX's Secrets; the runner is configured for it. Its deployment name."""
    deployment = unique_deployment("secrets")
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        deployment,
        pushgateway.url,
        BACKUP_ENCRYPTION="age",
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
        BACKUP_AGE_IDENTITY_FILE=str(age_keys.identity_file),
    )
    created = runner("create", "--secrets-dir", str(secrets_dir), "--no-prune")
    assert created.status == 0, created.stderr
    return deployment


def test_no_kubernetes_configuration_is_a_clear_setting_error(
    *,
    runner: BackupRunner,
    backed_up: str,
    restore_target: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))

    restored = runner("restore", "latest", "--target-dsn", dsn(restore_target), "--restore-secrets")

    assert restored.status == 2
    assert restored.error().startswith("--restore-secrets: no Kubernetes API")
