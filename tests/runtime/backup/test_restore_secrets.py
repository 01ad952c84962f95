"""`backup restore --restore-secrets`: AWX's Secrets carried in the archive come back as
Kubernetes Secrets in AWX_NAMESPACE, through the real `kubernetes` client (configured by a
KUBECONFIG file) against the fake API server of tests/fakes/kubernetes_api.py."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.kubernetes_api import FakeKubernetes
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

NAMESPACE = "awx-test"
"""AWX_NAMESPACE of backup_environment."""
EXPECTED = {
    "awx-secret-key": {"secret_key": "s3cr3t-django-key"},
    "awx-admin-password": {"password": "admin-pass"},
    "awx-postgres-configuration": {"host": "db", "password": "pg-pass", "port": "5432"},
}
"""What tests/runtime/backup/fixtures.py's secrets_dir holds."""


def _encoded(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _decoded(secrets: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {
        name: {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
        for name, secret in secrets.items()
    }


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKubernetes]:
    """The fake API server, reachable through KUBECONFIG only (as outside a pod)."""
    fake = FakeKubernetes(NAMESPACE)
    fake.server.start()
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": fake.url}}],
        "users": [{"name": "restorer", "user": {"token": "test-token"}}],
        "contexts": [
            {"name": "fake", "context": {"cluster": "fake", "user": "restorer"}},
        ],
        "current-context": "fake",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(kubeconfig))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(path))
    yield fake
    fake.server.stop()


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


def test_restore_secrets_creates_them_and_replaces_existing_ones(
    *,
    runner: BackupRunner,
    backed_up: str,
    cluster: FakeKubernetes,
    backup_source: PostgresServer,
    restore_target: dict[str, Any],
) -> None:
    # AWX (or the operator) already made a new secret key; the backup's must win.
    cluster.secrets["awx-secret-key"] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "awx-secret-key", "namespace": NAMESPACE, "resourceVersion": "7"},
        "type": "Opaque",
        "data": {"secret_key": _encoded("fresh-key"), "stale": _encoded("left over")},
    }

    restored = runner("restore", "latest", "--target-dsn", dsn(restore_target), "--restore-secrets")

    assert restored.status == 0, restored.stderr
    assert table_checksums(restore_target) == table_checksums(backup_source.connection_kwargs())
    assert _decoded(cluster.secrets) == EXPECTED
    assert all(secret["type"] == "Opaque" for secret in cluster.secrets.values())
    assert sorted(cluster.secret_writes) == [
        ("POST", "awx-admin-password"),
        ("POST", "awx-postgres-configuration"),
        ("PUT", "awx-secret-key"),
    ]
    [event] = [entry for entry in restored.logs() if entry.get("event") == "secrets-restored"]
    assert event["secrets"] == sorted(EXPECTED)
    logged = restored.stderr.replace("awx-admin-password", "")
    for value in ("s3cr3t-django-key", "admin-pass", "pg-pass"):
        assert value not in logged
        assert _encoded(value) not in logged


def test_restore_without_the_flag_writes_no_secret(
    *,
    runner: BackupRunner,
    backed_up: str,
    cluster: FakeKubernetes,
    restore_target: dict[str, Any],
) -> None:
    restored = runner("restore", "latest", "--target-dsn", dsn(restore_target))

    assert restored.status == 0, restored.stderr
    assert cluster.secrets == {}
    assert cluster.secret_writes == []


def test_a_kubernetes_refusal_is_one_clear_line_and_a_failed_restore(
    *,
    runner: BackupRunner,
    backed_up: str,
    cluster: FakeKubernetes,
    restore_target: dict[str, Any],
    pushgateway: Pushgateway,
) -> None:
    cluster.forbidden = True

    restored = runner("restore", "latest", "--target-dsn", dsn(restore_target), "--restore-secrets")

    assert restored.status == 1
    error = restored.error()
    assert error.startswith(f"cannot write Secret {NAMESPACE}/awx-admin-password: 403 Forbidden")
    assert "secrets is forbidden" in error
    assert "\n" not in error
    assert "Traceback" not in restored.stderr
    assert "admin-pass" not in restored.stderr.replace("awx-admin-password", "")
    assert cluster.secrets == {}
    labels = {"name": backed_up, "namespace": NAMESPACE}
    assert pushgateway.value("awx-restore", "awx_restore_total", status="failure", **labels) == 1


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
