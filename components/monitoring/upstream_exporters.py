"""Upstream metrics workloads: the Pushgateway and the PostgreSQL and Redis exporters.

Each is a one-replica Deployment plus a Service with a port named `metrics`, run under the
restricted Pod Security Standard. They are stateless: a restarted Pushgateway forgets pushed
groups until the next backup run pushes again (docs/monitoring.md).

The PostgreSQL exporter reads the same configuration Secret AWX uses (host, port, database,
username, password, sslmode), so it needs no credentials of its own; the connection string
is assembled by Kubernetes from those variables, never written out here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.pods import (
    SecretFile,
    container_security_context,
    env_from_secret,
    metrics_service_spec,
    postgres_password_file,
    single_pod_deployment_spec,
)
from components.settings.monitoring import PUSHGATEWAY_PORT, PUSHGATEWAY_SERVICE, ExporterSettings

NOBODY = 65534
"""The user the upstream exporter images run as."""
POSTGRES_EXPORTER_PORT = 9187
REDIS_EXPORTER_PORT = 9121


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
    secret_files: Sequence[SecretFile] = ()
    """Mounted read-only; `env` names their paths (*_FILE variables)."""
    resources: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "200m", "memory": "128Mi"},
        }
    )


def pushgateway(settings: ExporterSettings) -> MetricsWorkload:
    return MetricsWorkload(
        name=PUSHGATEWAY_SERVICE,
        component=PUSHGATEWAY_SERVICE,
        image=settings.pushgateway_image_reference,
        port=PUSHGATEWAY_PORT,
        probe_path="/-/healthy",
        readiness_path="/-/ready",
    )


def postgres_exporter(
    name: str, settings: ExporterSettings, configuration_secret: pulumi.Input[str]
) -> MetricsWorkload:
    return MetricsWorkload(
        name=name,
        component="awx-postgres-exporter",
        image=settings.postgres_image_reference,
        port=POSTGRES_EXPORTER_PORT,
        probe_path="/",
        env=[
            env_from_secret("PGHOST", configuration_secret, "host"),
            env_from_secret("PGPORT", configuration_secret, "port"),
            env_from_secret("PGDATABASE", configuration_secret, "database"),
            env_from_secret("PGSSLMODE", configuration_secret, "sslmode", optional=True),
            env_from_secret("DATA_SOURCE_USER", configuration_secret, "username"),
            postgres_password_file(configuration_secret).env("DATA_SOURCE_PASS_FILE"),
            # Kubernetes expands $(VAR) from the variables above; an unset PGSSLMODE stays
            # literal and fails the connection visibly rather than silently dropping TLS.
            {
                "name": "DATA_SOURCE_URI",
                "value": "$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)",
            },
        ],
        secret_files=(postgres_password_file(configuration_secret),),
    )


def redis_exporter(name: str, address: str, settings: ExporterSettings) -> MetricsWorkload:
    return MetricsWorkload(
        name=name,
        component="awx-redis-exporter",
        image=settings.redis_image_reference,
        port=REDIS_EXPORTER_PORT,
        probe_path="/health",
        env=[{"name": "REDIS_ADDR", "value": f"redis://{address}"}],
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
        spec=single_pod_deployment_spec(selector, all_labels, _pod_spec(workload)),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[account])),
    )
    service = k8s.core.v1.Service(
        f"{resource_name}-service",
        metadata=metadata,
        spec=metrics_service_spec(selector, workload.port),
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
        "volumeMounts": [secret.mount() for secret in workload.secret_files],
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
            # Group-owns mounted secret files (mode 0440), so the exporter's user reads them.
            "fsGroup": NOBODY,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
        "volumes": [secret.volume_spec() for secret in workload.secret_files],
    }
