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
from tests.services.cluster import can_i, ensure_namespace, suffix


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

        account = f"{namespaces.awx}/awx-rightsizing"
        ns = namespaces.awx
        report = "awx-rightsizing-report"
        assert can_i(kube, account, "create", "configmaps", ns)
        assert can_i(kube, account, "update", "configmaps", ns, name=report)
        assert can_i(kube, account, "create", "events", ns, group="events.k8s.io")
        assert can_i(kube, account, "patch", "events", ns, name="any", group="events.k8s.io")
        assert not can_i(kube, account, "create", "events", namespaces.jobs, group="events.k8s.io")
        assert not can_i(kube, account, "delete", "events", ns, name="any", group="events.k8s.io")
        assert not can_i(kube, account, "update", "configmaps", ns, name="awx-rightsizing-stack")
        assert not can_i(kube, account, "get", "secrets", ns, name="awx-admin-password")
        assert not can_i(kube, account, "list", "secrets", ns)
        assert not can_i(kube, account, "patch", "deployments", ns, group="apps")
        assert not can_i(
            kube, account, "create", "rolebindings", ns, group="rbac.authorization.k8s.io"
        )
        assert not can_i(kube, account, "create", "configmaps", namespaces.jobs)
        assert not can_i(kube, account, "delete", "namespaces", "", name=ns)
    finally:
        project.pulumi("destroy", "--yes")
