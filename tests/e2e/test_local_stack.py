"""The local stack under the real Pulumi engine on the local control plane (make cluster).

The CLI, language host and Kubernetes provider that `make toolchain` builds apply the stack
to a real kube-apiserver; kwok plays the kubelets, so Deployments become Available and Jobs
complete. Each project deploys into namespaces of its own (tests/engine.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.engine import EngineProject, Namespaces
from tests.harness import run_program, stack_config
from tests.services.cluster import ensure_namespace, eventually, suffix


@pytest.fixture(scope="module")
def declared() -> dict[str, set[str]]:
    """Deployment and CronJob names the local stack declares (the program under mocks)."""
    run = run_program("local", stack_config("local"))
    kinds: dict[str, set[str]] = {"Deployment": set(), "CronJob": set()}
    for manifest in run.manifests():
        if manifest["kind"] in kinds:
            kinds[manifest["kind"]].add(manifest["metadata"]["name"])
    return kinds


def new_project(
    directory: Path, kubeconfig: Path, kube: client.ApiClient
) -> tuple[EngineProject, Namespaces]:
    project = EngineProject.create(directory)
    namespaces = project.target_cluster(kubeconfig, suffix())
    # The local stack attaches to an existing kube-prometheus-stack: its namespace exists.
    ensure_namespace(kube, namespaces.monitoring)
    return project, namespaces


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, kubeconfig: Path, kube: client.ApiClient
) -> Iterator[tuple[EngineProject, Namespaces]]:
    project, namespaces = new_project(
        tmp_path_factory.mktemp("engine") / "project", kubeconfig, kube
    )
    project.up()
    yield project, namespaces
    project.pulumi("destroy", "--yes")


def deployments(kube: client.ApiClient, *namespaces: str) -> dict[str, Any]:
    apps: Any = client.AppsV1Api(kube)
    return {
        d.metadata.name: d for ns in namespaces for d in apps.list_namespaced_deployment(ns).items
    }


def available(deployment: Any) -> bool:
    conditions = deployment.status.conditions or []
    return any(c.type == "Available" and c.status == "True" for c in conditions)


def test_every_deployment_is_available(
    deployed: tuple[EngineProject, Namespaces],
    kube: client.ApiClient,
    declared: dict[str, set[str]],
) -> None:
    _, namespaces = deployed
    found = deployments(kube, namespaces.awx, namespaces.monitoring)
    assert set(found) == declared["Deployment"]
    assert declared["Deployment"] >= {"awx-exporter", "awx-fork-enforcer", "awx-pushgateway"}
    # `up` returned only after the provider saw each rollout finish: no waiting here.
    unavailable = [name for name, d in found.items() if not available(d)]
    assert unavailable == []
    for name, deployment in found.items():
        assert deployment.status.ready_replicas == deployment.spec.replicas, name


def test_cronjobs_exist_as_declared(
    deployed: tuple[EngineProject, Namespaces],
    kube: client.ApiClient,
    declared: dict[str, set[str]],
) -> None:
    _, namespaces = deployed
    batch: Any = client.BatchV1Api(kube)
    found = {c.metadata.name: c for c in batch.list_namespaced_cron_job(namespaces.awx).items}
    assert set(found) == declared["CronJob"]
    assert {"awx-backup", "awx-restore-drill"} <= set(found)
    assert found["awx-backup"].spec.concurrency_policy == "Forbid"


def test_the_awx_resource_is_stored_as_declared(
    deployed: tuple[EngineProject, Namespaces], kube: client.ApiClient
) -> None:
    _, namespaces = deployed
    custom: Any = client.CustomObjectsApi(kube)
    awx = custom.get_namespaced_custom_object(
        "awx.ansible.com", "v1beta1", namespaces.awx, "awxs", "awx"
    )
    spec = awx["spec"]
    assert spec["task_manage_replicas"] is False
    assert spec["extra_settings"][0] == {"setting": "MAX_FORKS", "value": "20"}
    # The server prunes fields its schema does not know: the spot-avoiding affinity must
    # survive as declared, or every `up` would see a difference.
    terms = spec["task_affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"]


def test_second_up_changes_nothing(deployed: tuple[EngineProject, Namespaces]) -> None:
    project, _ = deployed
    project.up("--expect-no-changes")
    summary = project.preview_summary()
    assert set(summary) == {"same"}, summary


def test_refresh_finds_no_drift(deployed: tuple[EngineProject, Namespaces]) -> None:
    project, _ = deployed
    project.pulumi("refresh", "--yes", "--expect-no-changes")


def test_outputs_keep_the_password_secret(deployed: tuple[EngineProject, Namespaces]) -> None:
    project, namespaces = deployed
    outputs = project.outputs()
    assert outputs["admin_password"] == "[secret]"
    assert outputs["awx_service"] == "awx-service"
    assert outputs["namespace"] == namespaces.awx


def test_state_holds_secrets_only_encrypted(deployed: tuple[EngineProject, Namespaces]) -> None:
    project, _ = deployed
    get = ("config", "get", "--path")
    password = project.pulumi(*get, "secrets.admin_password").stdout.strip()
    secret_key = project.pulumi(*get, "secrets.secret_key").stdout.strip()
    assert len(password) >= 12 and len(secret_key) >= 32
    state = project.pulumi("stack", "export").stdout
    assert password not in state
    assert secret_key not in state
    assert "4dabf18193072939515e22adb298388d" in state  # Pulumi's secret signature
    # The provider keeps the kubeconfig's path, not the credentials in it.
    assert "BEGIN EC PRIVATE KEY" not in state and "BEGIN PRIVATE KEY" not in state


def test_policy_pack_passes_on_the_deployed_state(
    deployed: tuple[EngineProject, Namespaces],
) -> None:
    project, _ = deployed
    result = project.analyze()
    assert "awx-platform@" in result.stdout + result.stderr
    assert "mandatory" not in result.stdout


def test_a_config_change_updates_in_place(
    deployed: tuple[EngineProject, Namespaces], kube: client.ApiClient
) -> None:
    # Runs after the read-only tests above (file order): it changes the deployed stack.
    project, namespaces = deployed
    changes = {
        "backup.schedule": "17 3 * * *",
        "awx.resources.task.requests.cpu": "300m",
        "autoscaling.min_task_replicas": "2",
        "backup.retention.days": "21",
    }
    for path, value in changes.items():
        project.set_config(path, value)
    preview = json.loads(project.pulumi("preview", "--json").stdout)
    operations = {
        step["urn"].rsplit("::", 1)[-1]: step["op"]
        for step in preview["steps"]
        if step["op"] != "same"
    }
    assert operations, "the changes must reach some resource"
    assert set(operations.values()) == {"update"}, operations
    project.up()
    batch: Any = client.BatchV1Api(kube)
    backup = batch.read_namespaced_cron_job("awx-backup", namespaces.awx)
    assert backup.spec.schedule == "17 3 * * *"
    custom: Any = client.CustomObjectsApi(kube)
    awx = custom.get_namespaced_custom_object(
        "awx.ansible.com", "v1beta1", namespaces.awx, "awxs", "awx"
    )
    assert awx["spec"]["task_resource_requirements"]["requests"]["cpu"] == "300m"


def test_a_cronjob_creates_jobs_on_its_schedule(
    tmp_path: Path, kubeconfig: Path, kube: client.ApiClient
) -> None:
    project, namespaces = new_project(tmp_path / "project", kubeconfig, kube)
    project.set_config("backup.schedule", "* * * * *")
    project.up()
    batch: Any = client.BatchV1Api(kube)

    def completed_backup_job() -> Any:
        for job in batch.list_namespaced_job(namespaces.awx).items:
            owners = job.metadata.owner_references or []
            ours = any(o.kind == "CronJob" and o.name == "awx-backup" for o in owners)
            if ours and job.status.succeeded:
                return job
        return None

    # The controller-manager's CronJob controller starts a Job at the next minute; kwok
    # runs its pod to completion a few seconds later.
    job = eventually(completed_backup_job, "a completed Job of CronJob awx-backup", timeout=150)
    assert job.spec.template.spec.service_account_name == "awx-backup"
    project.pulumi("destroy", "--yes")


def test_destroy_leaves_nothing_behind(
    tmp_path: Path, kubeconfig: Path, kube: client.ApiClient
) -> None:
    project, namespaces = new_project(tmp_path / "project", kubeconfig, kube)
    project.up()
    project.pulumi("destroy", "--yes")
    assert project.export()["deployment"].get("resources") in (None, [])
    core: Any = client.CoreV1Api(kube)

    def gone(name: str) -> bool:
        try:
            core.read_namespace(name)
        except ApiException as error:
            return error.status == 404
        return False

    for name in (namespaces.awx, namespaces.jobs):
        eventually(lambda name=name: gone(name), f"namespace {name} deleted", timeout=120)
    # The namespace the stack attached to is not the stack's: it holds nothing of it now.
    assert deployments(kube, namespaces.monitoring) == {}


def test_policy_pack_blocks_a_violating_stack(
    tmp_path: Path, kubeconfig: Path, kube: client.ApiClient
) -> None:
    project, _ = new_project(tmp_path / "project", kubeconfig, kube)
    project.pulumi("config", "rm", "--path", "awx.resources.task.limits")
    project.up()
    try:
        result = project.analyze(check=False)
    finally:
        project.pulumi("destroy", "--yes")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "[mandatory]  awx-task-limits" in output
    assert "report the whole node's capacity to AWX" in output


def test_bad_config_fails_before_anything_changes(tmp_path: Path) -> None:
    project = EngineProject.create(tmp_path / "project")
    project.set_config("autoscaling.max_task_replicas", "0")
    result = project.pulumi("preview", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "awx-platform:autoscaling.max_task_replicas: Input should be greater than or equal to 1"
        in output
    )
    assert "Traceback" not in output
    assert project.export()["deployment"].get("resources") in (None, [])


def test_engine_checks_sections_are_objects(tmp_path: Path) -> None:
    # Pulumi.yaml declares each section `type: object`, so the CLI refuses other shapes
    # before the program starts.
    project = EngineProject.create(tmp_path / "project")
    project.pulumi("config", "set", "autoscaling", "fast")
    result = project.pulumi("preview", check=False)
    assert result.returncode != 0
    assert (
        "configuration key 'awx-platform:autoscaling' must be of type 'object'"
        in result.stdout + result.stderr
    )
