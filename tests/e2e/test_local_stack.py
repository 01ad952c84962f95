"""The local stack under the real Pulumi engine, offline: up, idempotent up, destroy.

Runs the CLI, Python language host and Kubernetes provider that `make toolchain` builds from
the Go module proxy; the provider renders manifests instead of talking to a cluster.
"""

from pathlib import Path

import pytest
import yaml

from tests.engine import EngineProject
from tests.unit.monitoring.support import stack_dashboards
from tests.unit.platform.test_manifest_schemas import KUBERNETES_VERSIONS, validate

EXPECTED_MANIFESTS = {
    "v1-namespace-default-awx.yaml",
    "v1-secret-awx-awx-admin-password.yaml",
    "v1-secret-awx-awx-secret-key.yaml",
    "awx.ansible.com_v1beta1-awx-awx-awx.yaml",
    "v1-namespace-default-awx-jobs.yaml",
    "rbac.authorization.k8s.io_v1-role-awx-jobs-awx-job-pods.yaml",
    "rbac.authorization.k8s.io_v1-rolebinding-awx-jobs-awx-job-pods.yaml",
    "v1-resourcequota-awx-jobs-awx-jobs.yaml",
    "v1-limitrange-awx-jobs-awx-jobs.yaml",
    "policy_v1-poddisruptionbudget-awx-awx-task.yaml",
    "policy_v1-poddisruptionbudget-awx-awx-web.yaml",
    "autoscaling_v2-horizontalpodautoscaler-awx-awx-task.yaml",
    "v1-serviceaccount-awx-awx-fork-enforcer.yaml",
    "apps_v1-deployment-awx-awx-fork-enforcer.yaml",
    "v1-service-awx-awx-fork-enforcer.yaml",
    "v1-persistentvolumeclaim-awx-awx-backups.yaml",
    "v1-serviceaccount-awx-awx-backup.yaml",
    "batch_v1-cronjob-awx-awx-backup.yaml",
    "batch_v1-cronjob-awx-awx-restore-drill.yaml",
    # Monitoring (attached to an existing kube-prometheus-stack): exporters, scraping, rules.
    "v1-serviceaccount-awx-awx-exporter.yaml",
    "rbac.authorization.k8s.io_v1-role-awx-awx-exporter.yaml",
    "rbac.authorization.k8s.io_v1-rolebinding-awx-awx-exporter.yaml",
    "apps_v1-deployment-awx-awx-exporter.yaml",
    "v1-service-awx-awx-exporter.yaml",
    "v1-serviceaccount-awx-awx-postgres-exporter.yaml",
    "apps_v1-deployment-awx-awx-postgres-exporter.yaml",
    "v1-service-awx-awx-postgres-exporter.yaml",
    "v1-serviceaccount-monitoring-awx-pushgateway.yaml",
    "apps_v1-deployment-monitoring-awx-pushgateway.yaml",
    "v1-service-monitoring-awx-pushgateway.yaml",
    "monitoring.coreos.com_v1-servicemonitor-awx-awx-api.yaml",
    "monitoring.coreos.com_v1-servicemonitor-awx-awx-exporter.yaml",
    "monitoring.coreos.com_v1-servicemonitor-awx-awx-enforcer.yaml",
    "monitoring.coreos.com_v1-servicemonitor-awx-awx-postgres-exporter.yaml",
    "monitoring.coreos.com_v1-servicemonitor-monitoring-awx-pushgateway.yaml",
    "monitoring.coreos.com_v1-prometheusrule-awx-awx-rules.yaml",
    *(
        f"networking.k8s.io_v1-networkpolicy-awx-awx-{name}.yaml"
        for name in (
            "default-deny",
            "allow-dns",
            "allow-web-ingress",
            "allow-web-egress",
            "allow-prometheus",
            "allow-postgres",
            "allow-postgres-egress",
            "allow-kubernetes-api",
            "allow-operator-kubernetes-api",
            "allow-task-egress",
            "allow-backup-egress",
        )
    ),
    # One ConfigMap per dashboard components/monitoring/dashboards returns.
    *(
        f"v1-configmap-monitoring-awx-dashboard-{name.removesuffix('.json')}.yaml"
        for name in stack_dashboards("local")
    ),
}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> EngineProject:
    project = EngineProject.create(tmp_path_factory.mktemp("engine") / "project")
    project.up()
    return project


def manifests(project: EngineProject) -> dict[str, dict]:
    directory = project.rendered / "1-manifest"
    return {p.name: yaml.safe_load(p.read_text()) for p in directory.glob("*.yaml")}


def test_up_renders_every_manifest(deployed: EngineProject) -> None:
    rendered = manifests(deployed)
    assert set(rendered) == EXPECTED_MANIFESTS
    awx = rendered["awx.ansible.com_v1beta1-awx-awx-awx.yaml"]
    assert awx["spec"]["task_manage_replicas"] is False
    assert awx["spec"]["extra_settings"][0] == {"setting": "MAX_FORKS", "value": "20"}
    # No CRDs are rendered: the local stack expects the operator to be installed already.
    assert not (deployed.rendered / "0-crd").exists() or not any(
        (deployed.rendered / "0-crd").iterdir()
    )


def test_backup_jobs_render_with_their_volume(deployed: EngineProject) -> None:
    rendered = manifests(deployed)
    backup = rendered["batch_v1-cronjob-awx-awx-backup.yaml"]["spec"]
    assert backup["concurrencyPolicy"] == "Forbid"
    pod = backup["jobTemplate"]["spec"]["template"]["spec"]
    assert {"name": "backups", "persistentVolumeClaim": {"claimName": "awx-backups"}} in pod[
        "volumes"
    ]
    drill = rendered["batch_v1-cronjob-awx-awx-restore-drill.yaml"]["spec"]
    (sidecar,) = drill["jobTemplate"]["spec"]["template"]["spec"]["initContainers"]
    assert sidecar["restartPolicy"] == "Always"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_rendered_manifests_are_schema_valid(deployed: EngineProject, version: str) -> None:
    for manifest in manifests(deployed).values():
        validate(manifest, version)


def test_outputs_keep_the_password_secret(deployed: EngineProject) -> None:
    outputs = deployed.outputs()
    assert outputs["admin_password"] == "[secret]"
    assert outputs["awx_service"] == "awx-service"
    assert outputs["namespace"] == "awx"


def test_state_holds_secrets_only_encrypted(deployed: EngineProject) -> None:
    password = deployed.pulumi("config", "get", "--path", "secrets.admin_password").stdout.strip()
    secret_key = deployed.pulumi("config", "get", "--path", "secrets.secret_key").stdout.strip()
    assert len(password) >= 12 and len(secret_key) >= 32
    state = deployed.pulumi("stack", "export").stdout
    assert password not in state
    assert secret_key not in state
    assert "4dabf18193072939515e22adb298388d" in state  # Pulumi's secret signature


def test_second_up_changes_nothing(deployed: EngineProject) -> None:
    deployed.up("--expect-no-changes")
    # Every resource of the mocks run (tests/unit/platform/test_reference_and_render.py) plus
    # the stack.
    assert deployed.preview_summary() == {"same": 56 + len(stack_dashboards("local"))}


def test_bad_config_fails_before_anything_changes(tmp_path: Path) -> None:
    project = EngineProject.create(tmp_path / "project")
    project.pulumi("config", "set", "--path", "autoscaling.max_task_replicas", "0")
    result = project.pulumi("preview", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "awx-platform:autoscaling.max_task_replicas: Input should be greater than or equal to 1"
        in output
    )
    assert "Traceback" not in output
    assert project.export()["deployment"].get("resources") in (None, [])


def test_destroy_removes_everything(tmp_path: Path) -> None:
    project = EngineProject.create(tmp_path / "project")
    project.up()
    assert set(manifests(project)) == EXPECTED_MANIFESTS
    project.pulumi("destroy", "--yes")
    assert manifests(project) == {}
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


def test_policy_pack_passes_on_the_deployed_state(deployed: EngineProject) -> None:
    result = deployed.analyze()
    assert "awx-platform@" in result.stdout + result.stderr
    assert "mandatory" not in result.stdout


def test_policy_pack_blocks_a_violating_stack(tmp_path: Path) -> None:
    project = EngineProject.create(tmp_path / "project")
    project.pulumi("config", "rm", "--path", "awx.resources.task.limits")
    project.up()
    result = project.analyze(check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "[mandatory]  awx-task-limits" in output
    assert "report the whole node's capacity to AWX" in output
