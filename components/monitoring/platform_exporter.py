"""awx-platform's own exporter of awx_* metrics (`awx-runtime exporter`) as a Deployment with RBAC.

Its probes use the exporter's own endpoints: /healthz (the check loop is alive) for liveness,
/ready (critical components healthy) for readiness. Its Role grants only what the exporter's
Kubernetes check reads (docs/exporter.md): listing pods in the AWX namespace and getting the
one AWX resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.pods import (
    DAEMON_RESOURCES,
    SecretFile,
    env_values,
    metrics_service_spec,
    postgres_env,
    postgres_password_file,
    runtime_container,
    runtime_pod_spec,
    single_pod_deployment_spec,
)
from components.settings.runtime import RuntimeSettings

COMPONENT = "awx-platform-exporter"
PORT = 9180


@dataclass(frozen=True)
class ExporterTarget:
    """The AWX deployment the exporter checks."""

    instance: str
    namespace: pulumi.Input[str]
    api_url: pulumi.Input[str]
    postgres_secret: pulumi.Input[str]
    token_secret: pulumi.Input[str] | None
    redis_address: str | None


@dataclass(frozen=True)
class DeployedExporter:
    service: k8s.core.v1.Service
    selector: dict[str, str]


def role_rules(instance: str) -> list[dict[str, Any]]:
    return [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]},
        {
            "apiGroups": ["awx.ansible.com"],
            "resources": ["awxs"],
            "resourceNames": [instance],
            "verbs": ["get"],
        },
    ]


def deploy_exporter(
    resource_name: str,
    target: ExporterTarget,
    runtime: RuntimeSettings,
    labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> DeployedExporter:
    object_name = f"{target.instance}-exporter"
    selector = {"app.kubernetes.io/name": COMPONENT, "app.kubernetes.io/instance": target.instance}
    all_labels = {**labels, **selector}
    metadata = {"name": object_name, "namespace": target.namespace, "labels": all_labels}
    account = k8s.core.v1.ServiceAccount(f"{resource_name}-account", metadata=metadata, opts=opts)
    role = k8s.rbac.v1.Role(
        f"{resource_name}-role", metadata=metadata, rules=role_rules(target.instance), opts=opts
    )
    binding = k8s.rbac.v1.RoleBinding(
        f"{resource_name}-role-binding",
        metadata=metadata,
        role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": object_name},
        subjects=[{"kind": "ServiceAccount", "name": object_name, "namespace": target.namespace}],
        opts=opts,
    )
    k8s.apps.v1.Deployment(
        f"{resource_name}-deployment",
        metadata=metadata,
        spec=single_pod_deployment_spec(
            selector,
            all_labels,
            runtime_pod_spec(
                [_container(target, runtime)],
                object_name,
                volumes=[secret.volume_spec() for secret in _secret_files(target)],
            ),
        ),
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(depends_on=[account, role, binding])
        ),
    )
    service = k8s.core.v1.Service(
        f"{resource_name}-service",
        metadata=metadata,
        spec=metrics_service_spec(selector, PORT),
        opts=opts,
    )
    return DeployedExporter(service, selector)


def _secret_files(target: ExporterTarget) -> list[SecretFile]:
    files = [postgres_password_file(target.postgres_secret)]
    if target.token_secret is not None:
        files.append(SecretFile("awx-token", target.token_secret, "token"))
    return files


def _container(target: ExporterTarget, runtime: RuntimeSettings) -> dict[str, Any]:
    env: list[Mapping[str, Any]] = [
        {"name": "AWX_API_URL", "value": target.api_url},
        {"name": "AWX_NAMESPACE", "value": target.namespace},
        *env_values(
            {
                "AWX_DEPLOYMENT_NAME": target.instance,
                "EXPORTER_PORT": str(PORT),
                "REDIS_URL": f"redis://{target.redis_address}" if target.redis_address else None,
            }
        ),
        *postgres_env(target.postgres_secret),
    ]
    if target.token_secret is not None:
        env.append(SecretFile("awx-token", target.token_secret, "token").env("AWX_TOKEN_FILE"))
    probe = {"periodSeconds": 15, "timeoutSeconds": 2}
    return runtime_container(
        "exporter",
        runtime,
        args=["exporter"],
        resources=DAEMON_RESOURCES,
        env=env,
        volume_mounts=[secret.mount() for secret in _secret_files(target)],
        ports=[{"name": "metrics", "containerPort": PORT}],
        livenessProbe={
            **probe,
            "httpGet": {"path": "/healthz", "port": "metrics"},
            "failureThreshold": 4,
        },
        readinessProbe={**probe, "httpGet": {"path": "/ready", "port": "metrics"}},
    )
