"""Every example stack runs under mocks and produces the AWX platform it describes."""

import json

import pytest

from tests.harness import SECURE_PLACEHOLDER, STACKS, ProgramRun, is_secret, run_program

AWX = "kubernetes:awx.ansible.com/v1beta1:AWX"
SECRET = "kubernetes:core/v1:Secret"
NAMESPACE = "kubernetes:core/v1:Namespace"
RELEASE = "kubernetes:helm.sh/v3:Release"
PASSWORD = "random:index/randomPassword:RandomPassword"


@pytest.fixture(scope="module", params=STACKS)
def stack_run(request: pytest.FixtureRequest) -> tuple[str, ProgramRun]:
    return request.param, run_program(request.param)


def test_every_stack_registers_namespace_secrets_and_awx(stack_run: tuple[str, ProgramRun]) -> None:
    stack, run = stack_run
    awx_namespace = run.outputs["namespace"]
    # Every stack but local installs kube-prometheus-stack into its own namespace.
    installs_monitoring = stack != "local"
    monitoring = {"monitoring"} if installs_monitoring else set()
    assert {n.inputs["metadata"]["name"] for n in run.of_type(NAMESPACE)} == {
        awx_namespace,
        f"{awx_namespace}-jobs",
        *monitoring,
    }
    assert len(run.of_type(AWX)) == 1
    secrets = {
        (s.inputs["metadata"]["namespace"], s.inputs["metadata"]["name"])
        for s in run.of_type(SECRET)
    }
    monitoring_secrets = {
        ("monitoring", "kube-prometheus-stack-grafana-admin"),
        ("monitoring", "kube-prometheus-stack-alertmanager-config"),
    }
    assert secrets == {
        (awx_namespace, "awx-admin-password"),
        (awx_namespace, "awx-secret-key"),
        *(monitoring_secrets if installs_monitoring else set()),
    }
    for resource in run.kubernetes_objects():
        labels = resource.inputs["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == "awx-platform"
        assert labels["awx-platform/stack"] == stack


def test_every_stack_exports_what_operators_need(stack_run: tuple[str, ProgramRun]) -> None:
    _, run = stack_run
    awx = run.one(AWX)
    assert run.outputs["awx_service"] == f"{awx.inputs['metadata']['name']}-service"
    assert run.outputs["task_deployment"] == "awx-task"
    assert run.outputs["admin_password_secret"] == awx.inputs["spec"]["admin_password_secret"]
    assert run.outputs["secret_key_secret"] == awx.inputs["spec"]["secret_key_secret"]


def test_passwords_are_secret_everywhere(stack_run: tuple[str, ProgramRun]) -> None:
    stack, run = stack_run
    assert run.secret_outputs == {"admin_password"}
    for secret in run.of_type(SECRET):
        assert is_secret(secret.inputs["stringData"]), secret.name
    generated = {r.name for r in run.resources if r.type == PASSWORD}
    if stack == "local":
        # The local stack brings both values as encrypted config, so the offline engine
        # needs no random provider (it cannot be built here).
        assert generated == set()
        values = [SECURE_PLACEHOLDER]
    else:
        assert generated == {
            "awx-platform-awx-admin-password",
            "awx-platform-awx-secret-key",
            "awx-platform-monitoring-grafana-admin-password",
        }
        values = [f"mock-{name}" for name in sorted(generated)]
    # Secret values must not leak into any input outside a secret marker.
    leaked = [
        r.name
        for r in run.resources
        if r.type != SECRET and any(value in json.dumps(r.inputs) for value in values)
    ]
    assert leaked == []


def test_local_stack_targets_the_local_cluster_without_helm() -> None:
    run = run_program("local")
    provider = run.one("pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == ".tools/cluster/kubeconfig"
    assert "renderYamlToDirectory" not in provider.inputs
    assert run.of_type(RELEASE) == []  # neither the operator nor kube-prometheus-stack
    assert not any(r.protect for r in run.resources), "local must be destroyable"


def test_cluster_stacks_install_the_operator_chart_pinned() -> None:
    run = run_program("dev")
    (release,) = [r for r in run.of_type(RELEASE) if r.inputs["chart"] == "awx-operator"]
    assert release.inputs["chart"] == "awx-operator"
    assert release.inputs["version"] == "3.2.1"
    assert release.inputs["repositoryOpts"]["repo"].startswith("https://")
    assert release.inputs["namespace"] == "awx-dev"
    assert release.inputs["values"] == {"AWX": {"enabled": False}}
    assert run.one("pulumi:providers:kubernetes").inputs["context"] == "dev"


BACKUP_STORAGE = {
    "prod-aws": {("aws:s3/bucket:Bucket", "awx-platform-backup-s3-bucket")},
    "prod-azure": {
        ("azure-native:storage:StorageAccount", "awx-platform-backup-azure-account"),
        ("azure-native:storage:BlobContainer", "awx-platform-backup-azure-container"),
    },
    "prod-gcp": {("gcp:storage/bucket:Bucket", "awx-platform-backup-gcs-bucket")},
}


@pytest.mark.parametrize("stack", ["prod-aws", "prod-azure", "prod-gcp"])
def test_production_stacks_protect_what_holds_data(stack: str) -> None:
    run = run_program(stack)
    protected = {(r.type, r.name) for r in run.resources if r.protect}
    assert protected == {
        (NAMESPACE, "awx-platform-awx-namespace"),
        # Prometheus and Alertmanager volumes live in the monitoring namespace.
        (NAMESPACE, "awx-platform-monitoring-namespace"),
        (PASSWORD, "awx-platform-awx-secret-key"),
        (SECRET, "awx-platform-awx-secret-key"),
        *BACKUP_STORAGE[stack],
    }
    assert run.one(AWX).inputs["spec"]["web_replicas"] == 2


def _images(run: ProgramRun) -> set[str]:
    """Every container image of every pod template the program registers."""
    found = set()
    for manifest in run.manifests():
        spec = manifest.get("spec") or {}
        for template in (spec.get("template"), spec.get("jobTemplate", {}).get("spec", {}).get(
            "template")):  # fmt: skip
            pod = (template or {}).get("spec") or {}
            for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
                found.add(container["image"])
    return found


@pytest.mark.parametrize("stack", ["prod-aws", "prod-azure", "prod-gcp"])
def test_production_examples_run_every_image_by_tag_and_digest(stack: str) -> None:
    images = _images(run_program(stack))
    assert images and all("@sha256:" in image for image in images), images
    assert any(
        image.startswith("ghcr.io/awx-platform/awx-runtime:0.1.0@sha256:") for image in images
    )


def test_without_digests_images_are_tag_pinned_only() -> None:
    images = _images(run_program("dev"))
    assert images and not any("@" in image for image in images), images
