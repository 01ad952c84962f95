"""Pod and container specs for awx-runtime workloads (backup, restore, drill, enforcer, exporter).

Every awx-runtime pod runs under the `restricted` Pod Security Standard: non-root, no privilege
escalation, no capabilities, read-only root filesystem (a small emptyDir backs /tmp), and the
runtime's default seccomp profile. Components build their CronJobs, Jobs and Deployments from
these pieces so that the hardening lives in one place.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from components.settings.runtime import RuntimeSettings

RUNTIME_USER_ID = 65532
"""Numeric non-root user of the awx-runtime image (runtime/Dockerfile)."""

TMP_VOLUME = "tmp"


def pod_security_context() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": RUNTIME_USER_ID,
        "runAsGroup": RUNTIME_USER_ID,
        "fsGroup": RUNTIME_USER_ID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def runtime_container(
    name: str,
    runtime: RuntimeSettings,
    *,
    args: Sequence[str],
    resources: Mapping[str, Mapping[str, str]],
    env: Sequence[Mapping[str, Any]] = (),
    volume_mounts: Sequence[Mapping[str, Any]] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A hardened awx-runtime container running `awx-runtime ARGS...`.

    `extra` carries further container fields (ports, probes) in their Kubernetes spelling.
    """
    return {
        "name": name,
        "image": runtime.image_reference,
        "imagePullPolicy": runtime.image_pull_policy,
        "args": list(args),
        "env": [dict(variable) for variable in env],
        "resources": {kind: dict(values) for kind, values in resources.items()},
        "securityContext": container_security_context(),
        "volumeMounts": [{"name": TMP_VOLUME, "mountPath": "/tmp"}, *map(dict, volume_mounts)],
        **extra,
    }


def runtime_pod_spec(
    containers: Sequence[Mapping[str, Any]],
    service_account: str,
    volumes: Sequence[Mapping[str, Any]] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A pod spec for awx-runtime containers with the restricted security context."""
    return {
        "serviceAccountName": service_account,
        "automountServiceAccountToken": True,
        "securityContext": pod_security_context(),
        "containers": [dict(container) for container in containers],
        "volumes": [
            {"name": TMP_VOLUME, "emptyDir": {"sizeLimit": "256Mi"}},
            *map(dict, volumes),
        ],
        **extra,
    }


def env_from_secret(
    variable: str, secret: pulumi.Input[str], key: str, optional: bool = False
) -> dict[str, Any]:
    """An environment variable taken from one key of a Secret."""
    reference: dict[str, Any] = {"name": secret, "key": key}
    if optional:
        reference["optional"] = True
    return {"name": variable, "valueFrom": {"secretKeyRef": reference}}


def env_values(values: Mapping[str, str | None]) -> list[dict[str, str]]:
    """Plain environment variables, skipping those without a value."""
    return [{"name": key, "value": value} for key, value in values.items() if value is not None]
