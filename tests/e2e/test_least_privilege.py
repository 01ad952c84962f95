"""Least privilege of every ServiceAccount the local stack uses, asked of the real authorizer.

Each question is a SubjectAccessReview, what `kubectl auth can-i --as=system:serviceaccount:
NS:NAME` asks: what the account's pod must be able to do, and what it must not. Pods that
never call the API mount no token, as the server stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from tests.e2e.deployments import deployment_of
from tests.engine import Namespaces
from tests.services.cluster import can_i as can


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, kubeconfig: Path, kube: client.ApiClient
) -> Iterator[Namespaces]:
    with deployment_of(tmp_path_factory.mktemp("privilege") / "p", kubeconfig, kube) as ns:
        yield ns


def never(kube: client.ApiClient, account: str, ns: Namespaces) -> list[str]:
    """What no account of the platform may do: the answers that came back allowed."""
    questions = [
        ("list", "secrets", ns.awx, None, ""),
        ("list", "secrets", "", None, ""),
        ("get", "secrets", "kube-system", None, ""),
        ("create", "rolebindings", ns.awx, None, "rbac.authorization.k8s.io"),
        ("delete", "namespaces", "", ns.awx, ""),
        ("create", "pods", "default", None, ""),
        ("list", "pods", "kube-system", None, ""),
    ]
    return [
        f"{verb} {resource} in {namespace or 'the cluster'}"
        for verb, resource, namespace, name, group in questions
        if can(kube, account, verb, resource, namespace, name=name, group=group)
    ]


def test_the_exporter_reads_pods_and_its_awx_resource_only(
    deployed: Namespaces, kube: client.ApiClient
) -> None:
    account = f"{deployed.awx}/awx-exporter"
    assert can(kube, account, "list", "pods", deployed.awx)
    assert can(kube, account, "get", "awxs", deployed.awx, name="awx", group="awx.ansible.com")
    assert not can(kube, account, "get", "awxs", deployed.awx, name="other",
                   group="awx.ansible.com")  # fmt: skip
    assert not can(kube, account, "list", "pods", deployed.jobs)
    assert not can(kube, account, "get", "secrets", deployed.awx, name="awx-admin-password")
    assert never(kube, account, deployed) == []


def records_events_only_at_home(kube: client.ApiClient, account: str, ns: Namespaces) -> None:
    """Events in the account's own namespace (create; get and patch for a series), no more."""
    home = account.split("/", maxsplit=1)[0]
    for verb in ("create", "get", "patch"):
        assert can(kube, account, verb, "events", home, name=None if verb == "create" else "e",
                   group="events.k8s.io"), verb  # fmt: skip
    assert not can(kube, account, "delete", "events", home, name="e", group="events.k8s.io")
    assert not can(kube, account, "list", "events", home, group="events.k8s.io")
    assert not can(kube, account, "create", "events", ns.jobs, group="events.k8s.io")
    assert not can(kube, account, "create", "events", "default", group="events.k8s.io")


def test_the_backup_account_records_events_and_reads_no_secret_and_no_workload(
    deployed: Namespaces, kube: client.ApiClient
) -> None:
    account = f"{deployed.awx}/awx-backup"
    for resource in ("pods", "deployments", "configmaps"):
        assert not can(kube, account, "list", resource, deployed.awx), resource
    assert not can(kube, account, "get", "secrets", deployed.awx, name="awx-secret-key")
    assert not can(kube, account, "create", "secrets", deployed.awx)
    records_events_only_at_home(kube, account, deployed)
    assert never(kube, account, deployed) == []


def test_the_fork_enforcer_records_events_and_nothing_else(
    deployed: Namespaces, kube: client.ApiClient
) -> None:
    account = f"{deployed.awx}/awx-fork-enforcer"
    records_events_only_at_home(kube, account, deployed)
    assert not can(kube, account, "get", "awxs", deployed.awx, name="awx", group="awx.ansible.com")
    assert not can(kube, account, "get", "secrets", deployed.awx, name="awx-admin-password")
    assert never(kube, account, deployed) == []


def test_the_restore_job_writes_awx_secrets_only(
    tmp_path: Path, kubeconfig: Path, kube: client.ApiClient
) -> None:
    # The Role is bound to the backup account only while a restore with --restore-secrets
    # is configured (backup.restore and backup.restore_secrets).
    settings = {"backup.restore": "latest", "backup.restore_secrets": "true"}
    with deployment_of(tmp_path / "p", kubeconfig, kube, **settings) as namespaces:
        account = f"{namespaces.awx}/awx-backup"
        for secret in ("awx-secret-key", "awx-admin-password"):
            assert can(kube, account, "update", "secrets", namespaces.awx, name=secret), secret
        assert can(kube, account, "create", "secrets", namespaces.awx)
        assert not can(kube, account, "update", "secrets", namespaces.awx,
                       name="awx-metrics-token")  # fmt: skip
        assert not can(kube, account, "update", "secrets", namespaces.jobs,
                       name="awx-secret-key")  # fmt: skip
        assert not can(kube, account, "delete", "secrets", namespaces.awx, name="awx-secret-key")
        assert never(kube, account, namespaces) == []


def test_awx_runs_job_pods_in_the_job_namespace_only(
    deployed: Namespaces, kube: client.ApiClient
) -> None:
    # The operator runs AWX's pods as the ServiceAccount named after the AWX resource.
    account = f"{deployed.awx}/awx"
    assert can(kube, account, "create", "pods", deployed.jobs)
    assert can(kube, account, "get", "pods", deployed.jobs, name="any", group="")
    assert not can(kube, account, "create", "pods", "default")
    assert not can(kube, account, "create", "rolebindings", deployed.jobs,
                   group="rbac.authorization.k8s.io")  # fmt: skip
    assert not can(kube, account, "delete", "namespaces", "", name=deployed.jobs)


@pytest.mark.parametrize(
    ("namespace_of", "deployment"),
    [("awx", "awx-postgres-exporter"), ("monitoring", "awx-pushgateway")],
)  # fmt: skip
def test_pods_that_never_call_the_api_mount_no_token(
    deployed: Namespaces, kube: client.ApiClient, namespace_of: str, deployment: str
) -> None:
    namespace = getattr(deployed, namespace_of)
    apps: Any = client.AppsV1Api(kube)
    stored = apps.read_namespaced_deployment(deployment, namespace)
    assert stored.spec.template.spec.automount_service_account_token is False
    core: Any = client.CoreV1Api(kube)
    pods = core.list_namespaced_pod(
        namespace, label_selector=f"app.kubernetes.io/name={deployment}"
    ).items
    assert pods, deployment
    for pod in pods:
        mounts = [m.mount_path for c in pod.spec.containers for m in c.volume_mounts or []]
        assert "/var/run/secrets/kubernetes.io/serviceaccount" not in mounts, pod.metadata.name
