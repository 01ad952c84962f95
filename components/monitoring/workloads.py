"""Single-container metrics workloads: the Pushgateway and the PostgreSQL and Redis exporters.

Each is a one-replica Deployment plus a Service with a port named `metrics`, run under the
restricted Pod Security Standard. They are stateless: a restarted Pushgateway forgets pushed
groups until the next backup run pushes again (docs/monitoring.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.runtime_pod import container_security_context

NOBODY = 65534
"""The user the upstream exporter images run as."""


@dataclass(frozen=True)
class MetricsWorkload:
    name: str
    """Object name of the Deployment, Service and ServiceAccount."""
    component: str
    """Value of app.kubernetes.io/name, which the Service and ServiceMonitor select."""
    image: str
    port: int
    probe_path: str
    readiness_path: str | None = None
    args: Sequence[str] = ()
    env: Sequence[Mapping[str, Any]] = ()
    resources: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "200m", "memory": "128Mi"},
        }
    )


@dataclass(frozen=True)
class DeployedWorkload:
    deployment: k8s.apps.v1.Deployment
    service: k8s.core.v1.Service
    selector: dict[str, str]


def deploy_workload(
    resource_name: str,
    workload: MetricsWorkload,
    namespace: pulumi.Input[str],
    labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> DeployedWorkload:
    selector = {"app.kubernetes.io/name": workload.component}
    all_labels = {**labels, **selector}
    metadata = {"name": workload.name, "namespace": namespace, "labels": all_labels}
    account = k8s.core.v1.ServiceAccount(
        f"{resource_name}-account",
        metadata=metadata,
        # None of these talks to the Kubernetes API.
        automount_service_account_token=False,
        opts=opts,
    )
    deployment = k8s.apps.v1.Deployment(
        f"{resource_name}-deployment",
        metadata=metadata,
        spec={
            "replicas": 1,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": all_labels},
                "spec": _pod_spec(workload),
            },
        },
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[account])),
    )
    service = k8s.core.v1.Service(
        f"{resource_name}-service",
        metadata=metadata,
        spec={
            "selector": selector,
            "ports": [{"name": "metrics", "port": workload.port, "targetPort": "metrics"}],
        },
        opts=opts,
    )
    return DeployedWorkload(deployment, service, selector)


def _pod_spec(workload: MetricsWorkload) -> dict[str, Any]:
    probe = {"httpGet": {"path": workload.probe_path, "port": "metrics"}, "periodSeconds": 20}
    readiness = {
        **probe,
        "httpGet": {"path": workload.readiness_path or workload.probe_path, "port": "metrics"},
    }
    container = {
        "name": workload.component,
        "image": workload.image,
        "args": list(workload.args),
        "env": [dict(variable) for variable in workload.env],
        "ports": [{"name": "metrics", "containerPort": workload.port}],
        "resources": {kind: dict(values) for kind, values in workload.resources.items()},
        "securityContext": container_security_context(),
        "livenessProbe": {**probe, "failureThreshold": 3},
        "readinessProbe": readiness,
    }
    return {
        "serviceAccountName": workload.name,
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": NOBODY,
            "runAsGroup": NOBODY,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
    }
