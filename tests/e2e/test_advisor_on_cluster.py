"""The right-sizing advisor's CronJob, its ConfigMap and its RBAC on the real API server.

The API server's authorizer answers, for the advisor's ServiceAccount, what the Role in
components/rightsizing/advisor_job.py means: publishing its report and Events, and nothing
else (the advisor reads Prometheus, never the Kubernetes API's Secrets or workloads).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubernetes import client

from tests.engine import EngineProject
from tests.services.cluster import ensure_namespace, suffix


def allowed(
    kube: client.ApiClient, user: str, namespace: str, verb: str, resource: str, *,
    name: str | None = None,
) -> bool:  # fmt: skip
    authorization: Any = client.AuthorizationV1Api(kube)
    attributes = {"namespace": namespace, "verb": verb, "resource": resource}
    if name is not None:
        attributes["name"] = name
    review = authorization.create_subject_access_review(
        {"spec": {"user": user, "resourceAttributes": attributes}}
    )
    return bool(review.status.allowed)


def test_the_advisor_runs_with_its_report_and_events_only(
    tmp_path: Path, kubeconfig: Path, kube: client.ApiClient
) -> None:
    project = EngineProject.create(tmp_path / "project")
    namespaces = project.target_cluster(kubeconfig, suffix())
    ensure_namespace(kube, namespaces.monitoring)
    project.set_config("rightsizing.enabled", "true")
    project.up()
    try:
        batch: Any = client.BatchV1Api(kube)
        cron_job = batch.read_namespaced_cron_job("awx-rightsizing", namespaces.awx)
        pod = cron_job.spec.job_template.spec.template.spec
        assert pod.service_account_name == "awx-rightsizing"
        core: Any = client.CoreV1Api(kube)
        stack = core.read_namespaced_config_map("awx-rightsizing-stack", namespaces.awx)
        assert "awx-platform:autoscaling" in next(iter(stack.data.values()))

        user = f"system:serviceaccount:{namespaces.awx}:awx-rightsizing"
        ns = namespaces.awx
        report = "awx-rightsizing-report"
        assert allowed(kube, user, ns, "create", "configmaps")
        assert allowed(kube, user, ns, "update", "configmaps", name=report)
        assert allowed(kube, user, ns, "create", "events")
        assert not allowed(kube, user, ns, "update", "configmaps", name="awx-rightsizing-stack")
        assert not allowed(kube, user, ns, "get", "secrets", name="awx-admin-password")
        assert not allowed(kube, user, ns, "list", "secrets")
        assert not allowed(kube, user, ns, "patch", "deployments")
        assert not allowed(kube, user, ns, "create", "rolebindings")
        assert not allowed(kube, user, namespaces.jobs, "create", "configmaps")
        assert not allowed(kube, user, "", "delete", "namespaces", name=ns)
    finally:
        project.pulumi("destroy", "--yes")
