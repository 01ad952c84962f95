"""Counters keep counting across runs: each run reads the Pushgateway's value and adds one."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from tests.runtime.backup.fixtures import (
    AgeKeys,
    BackupRunner,
    backup_environment,
    unique_deployment,
)
from tests.services.postgres import PostgresServer
from tests.services.pushgateway import Pushgateway


def test_backup_counters_accumulate_across_runs_per_status(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> None:
    deployment = unique_deployment("metrics")
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        deployment,
        pushgateway.url,
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
    )
    labels = {"name": deployment, "namespace": "awx-test"}
    for _ in range(2):
        assert runner("create", "--no-prune").status == 0
        time.sleep(1.1)  # backup names have one-second resolution
    assert runner("create", "--no-prune", PGPASSWORD="wrong").status == 1
    assert runner("create", "--no-prune").status == 0

    assert pushgateway.value("awx-backup", "awx_backup_total", status="success", **labels) == 3
    assert pushgateway.value("awx-backup", "awx_backup_total", status="failure", **labels) == 1
    newest = runner.manifests()[0]
    assert pushgateway.value(
        "awx-backup", "awx_backup_size_bytes", backup_name=newest["name"], **labels
    ) == sum(item["size"] for item in newest["objects"])
    last_success = pushgateway.value(
        "awx-backup", "awx_backup_last_success_timestamp_seconds", **labels
    )
    assert last_success is not None
    assert last_success >= time.time() - 3600
    duration = pushgateway.value("awx-backup", "awx_backup_duration_seconds", **labels)
    assert duration is not None
    assert duration > 0


def test_without_a_pushgateway_nothing_is_pushed_and_the_backup_succeeds(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> None:
    deployment = unique_deployment("nometrics")
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        deployment,
        "",
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
    )
    assert runner("create", "--no-prune").status == 0
    assert pushgateway.value("awx-backup", "awx_backup_total", name=deployment) is None


def test_an_unreachable_pushgateway_is_logged_and_does_not_fail_the_backup(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    age_keys: AgeKeys,
) -> None:
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        unique_deployment("deadgw"),
        "http://127.0.0.1:9",
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
    )
    result = runner("create", "--no-prune")
    assert result.status == 0, result.stderr
    assert any(entry.get("event") == "metrics-push-failed" for entry in result.logs())


def test_an_unreachable_kubernetes_api_costs_the_backup_nothing_and_is_counted(
    *,
    runner: BackupRunner,
    store_env: Callable[[str], dict[str, str]],
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> None:
    # A real refused connection (nothing listens on the port), not a fake: create records
    # BackupSucceeded and PruneRemoved would follow; each attempt fails fast.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    deployment = unique_deployment("events")
    runner.env = backup_environment(
        backup_source,
        store_env("pvc"),
        deployment,
        pushgateway.url,
        BACKUP_AGE_RECIPIENTS=age_keys.recipient,
        BACKUP_KUBE_API_URL=f"http://127.0.0.1:{closed}",
    )
    labels = {"name": deployment, "namespace": "awx-test"}
    for _ in range(2):
        created = runner("create", "--no-prune")
        assert created.status == 0, created.stderr
        warnings = [entry for entry in created.logs() if entry["level"] == "warning"]
        assert len(warnings) == 1
        assert warnings[0]["event"] == "kubernetes-event-failed"
        assert "BackupSucceeded" in warnings[0]["message"]
        time.sleep(1.1)  # backup names have one-second resolution
    failed = runner("create", "--no-prune", PGPASSWORD="wrong")
    assert failed.status == 1
    assert "kubernetes-event-failed" in [entry.get("event") for entry in failed.logs()]

    assert pushgateway.value("awx-backup", "awx_runtime_events_failed_total", **labels) == 3
    assert pushgateway.value("awx-backup", "awx_backup_total", status="success", **labels) == 2
