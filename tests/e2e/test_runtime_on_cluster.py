"""The runtime against the local control plane's API server, as the pods run it: each command
connects with a token the API issued for the pod's own ServiceAccount (TokenRequest), so RBAC
is the real authorizer's, and what it writes is read back from the real server.

Backups go to a volume store in a temporary directory and read a real PostgreSQL; the fork
enforcer corrects the fake AWX of tests/fakes/awx_api.py and the exporter asks the one of
tests/fakes/awx_status.py (no AWX runs here); what they read of Kubernetes is real.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.e2e.deployments import deployment_of
from tests.engine import Namespaces
from tests.fakes.awx_api import FakeAwx
from tests.fakes.awx_status import FakeAwx as FakeAwxStatus
from tests.runtime.backup.fixtures import (
    AgeKeys,
    BackupRunner,
    age_keys,
    backup_environment,
    backup_source,
    dsn,
    pushgateway,
    restore_target,
    runner,
    secrets_dir,
)
from tests.runtime.exporter.process import exporter_environment, running_exporter
from tests.runtime.forks.enforcer import enforce
from tests.services.cluster import AccountConnection, account_connection, eventually
from tests.services.postgres import PostgresServer
from tests.services.pushgateway import Pushgateway

__all__ = ["age_keys", "backup_source", "pushgateway", "restore_target", "runner", "secrets_dir"]
CONTROLLER = "awx-platform/awx-runtime"
AWX_IMAGE = "quay.io/ansible/awx"
FAILED = "awx_runtime_events_failed_total"
OPERATOR_LABELS = {
    "app.kubernetes.io/part-of": "awx",
    "app.kubernetes.io/managed-by": "awx-operator",
}


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, kubeconfig: Path, kube: client.ApiClient
) -> Iterator[Namespaces]:
    # A restore with --restore-secrets configured: its Role exists for the backup account.
    settings = {"backup.restore": "latest", "backup.restore_secrets": "true"}
    directory = tmp_path_factory.mktemp("runtime") / "p"
    with deployment_of(directory, kubeconfig, kube, **settings) as namespaces:
        yield namespaces


def connection_of(
    account: str, kube: client.ApiClient, kubeconfig: Path, tmp_path: Path
) -> AccountConnection:
    return account_connection(kube, kubeconfig, account, tmp_path / "tokens")


@pytest.fixture
def backup_runner(
    *,
    runner: BackupRunner,
    deployed: Namespaces,
    kube: client.ApiClient,
    kubeconfig: Path,
    tmp_path: Path,
    backup_source: PostgresServer,
    pushgateway: Pushgateway,
    age_keys: AgeKeys,
) -> BackupRunner:
    """`awx-runtime backup` as the backup CronJob's pod: its account's token, AWX's namespace."""
    store = {"BACKUP_STORAGE_TYPE": "pvc", "BACKUP_PVC_PATH": str(tmp_path / "store")}
    (tmp_path / "store").mkdir()
    account = connection_of(f"{deployed.awx}/awx-backup", kube, kubeconfig, tmp_path)
    runner.env = {
        **backup_environment(
            backup_source,
            store,
            "awx",
            pushgateway.url,
            BACKUP_AGE_RECIPIENTS=age_keys.recipient,
            BACKUP_AGE_IDENTITY_FILE=str(age_keys.identity_file),
        ),
        "AWX_NAMESPACE": deployed.awx,
        **account.env("BACKUP"),
    }
    return runner


def runtime_events(kube: client.ApiClient, namespace: str, reason: str) -> list[Event]:
    """What `kubectl get events -n NAMESPACE` lists of ours with this reason (as JSON: the
    client's models refuse the scheduler's Events, which have no eventTime)."""
    events: Any = client.EventsV1Api(kube)
    listed = json.loads(events.list_namespaced_event(namespace, _preload_content=False).data)
    return [
        Event(item)
        for item in listed["items"]
        if item.get("reportingController") == CONTROLLER and item.get("reason") == reason
    ]


class Event:
    def __init__(self, item: dict[str, Any]) -> None:
        self.item = item
        self.type, self.action, self.note = item["type"], item["action"], item["note"]
        self.regarding = item["regarding"]
        self.related = item.get("related")
        self.series = item.get("series")

    @property
    def count(self) -> int:
        return int(self.series["count"]) if self.series else 1


def test_backups_record_events_on_the_awx_resource_and_repeats_are_one_series(
    backup_runner: BackupRunner, deployed: Namespaces, kube: client.ApiClient
) -> None:
    created = backup_runner("create", "--no-prune")
    assert created.status == 0, created.stderr
    assert not [entry for entry in created.logs() if entry["level"] == "warning"]

    succeeded = runtime_events(kube, deployed.awx, "BackupSucceeded")
    assert len(succeeded) == 1
    event = succeeded[0]
    assert event.type == "Normal"
    assert event.action == "Backup"
    assert event.regarding == {
        "apiVersion": "awx.ansible.com/v1beta1",
        "kind": "AWX",
        "name": "awx",
        "namespace": deployed.awx,
    }
    assert event.item["reportingInstance"]
    manifest = backup_runner.manifests()[0]
    assert manifest["name"] in event.note

    # Nothing listens on port 1: the same failure twice is one Event with a series of two.
    for _ in range(2):
        failed = backup_runner("create", "--no-prune", PGPORT="1")
        assert failed.status == 1
    failures = runtime_events(kube, deployed.awx, "BackupFailed")
    assert len(failures) == 1
    assert failures[0].type == "Warning"
    assert failures[0].count == 2
    assert failures[0].series["lastObservedTime"] > failures[0].item["eventTime"]


def test_a_job_pod_relates_its_events_to_its_job(
    backup_runner: BackupRunner, deployed: Namespaces, kube: client.ApiClient
) -> None:
    # What the downward API gives a CronJob's pod (components/events_rbac.py).
    job = {"AWX_RUNTIME_JOB_NAME": "awx-backup-29412345", "AWX_RUNTIME_JOB_UID": "0f3c1e"}
    failed = backup_runner("create", "--no-prune", PGPORT="2", **job)
    assert failed.status == 1
    related = [e.related for e in runtime_events(kube, deployed.awx, "BackupFailed") if e.related]
    assert [(r["kind"], r["name"], r["uid"]) for r in related] == [
        ("Job", "awx-backup-29412345", "0f3c1e")
    ]


def decoded(kube: client.ApiClient, namespace: str, name: str) -> dict[str, str] | None:
    core: Any = client.CoreV1Api(kube)
    try:
        secret = core.read_namespaced_secret(name, namespace)
    except ApiException as error:
        if error.status == 404:
            return None
        raise
    return {key: base64.b64decode(value).decode() for key, value in secret.data.items()}


def test_restore_secrets_writes_them_with_the_restore_jobs_own_token(
    *,
    backup_runner: BackupRunner,
    deployed: Namespaces,
    kube: client.ApiClient,
    secrets_dir: Path,
    restore_target: dict[str, Any],
) -> None:
    assert backup_runner("create", "--secrets-dir", str(secrets_dir), "--no-prune").status == 0
    # The stack made awx-secret-key; give it a key the backup does not have.
    core: Any = client.CoreV1Api(kube)
    stale = base64.b64encode(b"left over").decode()
    core.patch_namespaced_secret("awx-secret-key", deployed.awx, {"data": {"stale": stale}})
    assert "stale" in (decoded(kube, deployed.awx, "awx-secret-key") or {})
    without_flag = backup_runner("restore", "latest", "--target-dsn", dsn(restore_target))
    assert without_flag.status == 0, without_flag.stderr
    assert "stale" in (decoded(kube, deployed.awx, "awx-secret-key") or {})  # untouched

    restored = backup_runner(
        "restore", "latest", "--target-dsn", dsn(restore_target), "--clean", "--restore-secrets"
    )

    assert restored.status == 0, restored.stderr
    # Existing ones are replaced by the backup's keys only; missing ones are created.
    assert decoded(kube, deployed.awx, "awx-secret-key") == {"secret_key": "s3cr3t-django-key"}
    assert decoded(kube, deployed.awx, "awx-admin-password") == {"password": "admin-pass"}
    assert decoded(kube, deployed.awx, "awx-postgres-configuration") == {
        "host": "db",
        "password": "pg-pass",
        "port": "5432",
    }
    logged = restored.stderr.replace("awx-admin-password", "")
    for value in ("s3cr3t-django-key", "admin-pass", "pg-pass"):
        assert value not in logged
    # Both runs restored the same backup: one Event, counted twice.
    [event] = runtime_events(kube, deployed.awx, "RestoreSucceeded")
    assert event.count == 2
    assert event.action == "Restore"


def test_a_restore_whose_secrets_the_authorizer_refuses_fails_naming_the_secret(
    *,
    backup_runner: BackupRunner,
    deployed: Namespaces,
    kube: client.ApiClient,
    kubeconfig: Path,
    tmp_path: Path,
    secrets_dir: Path,
    restore_target: dict[str, Any],
) -> None:
    assert backup_runner("create", "--secrets-dir", str(secrets_dir), "--no-prune").status == 0
    # The exporter's account may not write Secrets: a 403 from the real authorizer.
    exporter = connection_of(f"{deployed.awx}/awx-exporter", kube, kubeconfig, tmp_path / "x")
    refused = backup_runner(
        "restore",
        "latest",
        "--target-dsn",
        dsn(restore_target),
        "--restore-secrets",
        **exporter.env("BACKUP"),
    )
    assert refused.status == 1
    error = refused.error()
    assert error.startswith(f"cannot write Secret {deployed.awx}/"), refused.stderr
    assert ": 403 Forbidden: " in error
    assert "secrets" in error and "forbidden" in error  # the API server's own message
    assert "\n" not in error and "Traceback" not in refused.stderr
    assert "admin-pass" not in refused.stderr.replace("awx-admin-password", "")
    # The same account may not record Events either: refused, logged, the exit status unchanged.
    [warning] = [entry for entry in refused.logs() if entry["level"] == "warning"]
    assert "could not record Kubernetes Event RestoreFailed" in warning["message"]


def test_drills_record_their_outcome(
    backup_runner: BackupRunner,
    deployed: Namespaces,
    kube: client.ApiClient,
    restore_target: dict[str, Any],
) -> None:
    assert backup_runner("create", "--no-prune").status == 0
    drilled = backup_runner("drill", BACKUP_DRILL_TARGET_DSN=dsn(restore_target))
    assert drilled.status == 0, drilled.stderr
    [passed] = runtime_events(kube, deployed.awx, "DrillSucceeded")
    assert (passed.type, passed.action) == ("Normal", "Drill")
    # The scratch database gone (nothing listens on port 1): a Warning, not a success.
    broken = "host=127.0.0.1 port=1 user=postgres dbname=postgres"
    assert backup_runner("drill", BACKUP_DRILL_TARGET_DSN=broken).status == 1
    [failed] = runtime_events(kube, deployed.awx, "DrillFailed")
    assert failed.type == "Warning"
    assert failed.note.startswith("restore of backup ")


def test_prune_records_how_many_and_which(
    backup_runner: BackupRunner, deployed: Namespaces, kube: client.ApiClient
) -> None:
    for _ in range(3):
        assert backup_runner("create", "--no-prune").status == 0
        time.sleep(1.1)  # backup names are per second
    names = sorted(manifest["name"] for manifest in backup_runner.manifests())

    pruned = backup_runner(
        "prune", BACKUP_RETENTION_MAX_BACKUPS="1", BACKUP_RETENTION_MIN_BACKUPS="1"
    )

    assert pruned.status == 0, pruned.stderr
    [event] = runtime_events(kube, deployed.awx, "PruneRemoved")
    assert event.note.startswith(f"retention removed {len(names) - 1} backup(s): ")
    assert all(name in event.note for name in names[:-1])
    assert names[-1] not in event.note


def test_events_the_api_refuses_are_counted_and_the_backup_still_succeeds(
    *,
    backup_runner: BackupRunner,
    deployed: Namespaces,
    kube: client.ApiClient,
    kubeconfig: Path,
    tmp_path: Path,
    pushgateway: Pushgateway,
) -> None:
    # The exporter's account may not create Events: every event is refused (403).
    exporter = connection_of(f"{deployed.awx}/awx-exporter", kube, kubeconfig, tmp_path)
    before = pushgateway.value("awx-backup", FAILED, name="awx", namespace=deployed.awx)

    created = backup_runner("create", **exporter.env("BACKUP"))

    assert created.status == 0, created.stderr
    warnings = [entry for entry in created.logs() if entry["level"] == "warning"]
    assert len(warnings) == 1, warnings
    assert "BackupSucceeded" in warnings[0]["message"]
    assert "403" in warnings[0]["message"]
    after = pushgateway.value("awx-backup", FAILED, name="awx", namespace=deployed.awx)
    assert after == (before or 0) + 1


def test_the_fork_enforcer_records_each_correction(
    deployed: Namespaces, kube: client.ApiClient, kubeconfig: Path, tmp_path: Path
) -> None:
    account = connection_of(f"{deployed.awx}/awx-fork-enforcer", kube, kubeconfig, tmp_path)
    with FakeAwx.running() as awx:
        awx.state.max_forks = 100
        run = enforce(
            awx.url,
            "--max-forks",
            "20",
            AWX_DEPLOYMENT_NAME="awx",
            AWX_NAMESPACE=deployed.awx,
            **account.env("FORKS"),
        )
    assert run.status == 0, run.stderr
    [event] = runtime_events(kube, deployed.awx, "ForkLimitCorrected")
    assert event.type == "Warning"
    assert event.regarding["kind"] == "AWX"
    assert event.note == "MAX_FORKS drift corrected: 100 -> 20"


def operator_labelled_pods(kube: client.ApiClient, namespace: str, image_tag: str) -> None:
    """A web and a task pod labelled as the awx-operator labels AWX's (no operator runs here);
    kwok's nodes run them: Ready, unless the tag ends in -unready (docs/cluster.md)."""
    core: Any = client.CoreV1Api(kube)
    for kind in ("web", "task"):
        core.create_namespaced_pod(
            namespace,
            {
                "metadata": {
                    "name": f"awx-{kind}-0",
                    "labels": {**OPERATOR_LABELS, "app.kubernetes.io/name": f"awx-{kind}"},
                },
                "spec": {
                    "containers": [{"name": kind, "image": f"quay.io/ansible/awx:{image_tag}"}]
                },
            },
        )


def test_the_exporter_serves_kubernetes_health_and_pod_metrics_from_the_real_server(
    *,
    deployed: Namespaces,
    kube: client.ApiClient,
    kubeconfig: Path,
    tmp_path: Path,
    backup_source: PostgresServer,
) -> None:
    operator_labelled_pods(kube, deployed.awx, "24.6.1")
    account = connection_of(f"{deployed.awx}/awx-exporter", kube, kubeconfig, tmp_path)
    awx = FakeAwxStatus()
    awx.server.start()
    try:
        environment = exporter_environment(
            backup_source.environment(),
            awx.url,
            account.url,
            AWX_NAMESPACE=deployed.awx,
            AWX_TOKEN=awx.token,
            EXPORTER_INTERVAL="1",
            EXPORTER_CHECK_TIMEOUT="3",
            **account.env("EXPORTER"),
        )
        with running_exporter(environment) as exporter:

            def both_running() -> dict[str, Any] | None:
                pods = exporter.values("awx_pod_status")
                running = {dict(labels)["pod_type"]: value for labels, value in pods.items()
                           if dict(labels)["phase"] == "Running"}  # fmt: skip
                return exporter.health() if running == {"web": 1, "task": 1} else None

            health = eventually(both_running, "the exporter counting both kwok pods Running")
            assert exporter.get("/ready")[0] == 200
            assert health["components"]["kubernetes"]["status"] == "Healthy"
            assert "2 pods selected" in health["components"]["kubernetes"]["reason"]
            deployment = health["components"]["deployment"]
            assert (deployment["status"], deployment["reason"]) == (
                "Healthy",
                "web 1/1 ready, task 1/1 ready",
            )
            assert list(exporter.values("awx_deployment_status").values()) == [1.0]
    finally:
        awx.server.stop()
