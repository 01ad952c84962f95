"""The mapping from validated config to the `spec` of the AWX custom resource.

Field names and shapes follow the awx-operator 2.19 CRD: node selectors, tolerations and
annotations are YAML *strings* there, quantities are strings, and `extra_settings` values are
pasted verbatim into settings.py, so they are written as Python literals.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.placement import avoid_spot
from components.pods import kubernetes_resources
from components.settings.autoscaling import AutoscalingSettings
from components.settings.awx import AwxSettings

RESOURCE_FIELDS = {
    "task": "task_resource_requirements",
    "web": "web_resource_requirements",
    "ee": "ee_resource_requirements",
    "redis": "redis_resource_requirements",
    "rsyslog": "rsyslog_resource_requirements",
    "init": "init_container_resource_requirements",
    "postgres": "postgres_resource_requirements",
}


@dataclass(frozen=True)
class SecretNames:
    """Names of the Secrets the AWX resource points at."""

    admin_password: str
    """Secret with key `password`."""
    secret_key: str
    """Secret with key `secret_key`."""


def awx_spec(
    awx: AwxSettings,
    autoscaling: AutoscalingSettings,
    fork_settings: Mapping[str, Any],
    secrets: SecretNames,
) -> dict[str, Any]:
    """The AWX custom resource's spec for these settings.

    `fork_settings` are the settings.py entries of the fork budget, which the autoscaling
    feature derives (platform.py passes them: features do not import each other).
    """
    spec: dict[str, Any] = {
        # The operator ignores image_version unless image is set as well.
        "image": awx.image,
        "image_version": awx.image_version,
        "image_pull_policy": awx.image_pull_policy,
        "admin_user": awx.admin_user,
        "admin_password_secret": secrets.admin_password,
        "secret_key_secret": secrets.secret_key,
        "web_replicas": awx.web_replicas,
        "service_type": awx.service_type,
        "termination_grace_period_seconds": awx.termination_grace_period_seconds,
        "extra_settings": extra_settings(awx, fork_settings),
    }
    if awx.admin_email is not None:
        spec["admin_email"] = awx.admin_email
    spec.update(_replicas(awx, autoscaling))
    spec.update(_resources(awx))
    spec.update(_database(awx))
    spec.update(_placement(awx))
    spec.update(_exposure(awx))
    return spec


def extra_settings(awx: AwxSettings, fork_settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """settings.py entries: the fork limits first, then the user's own, sorted by name."""
    settings = dict(fork_settings)
    settings.update(sorted(awx.extra_settings.items()))
    return [{"setting": name, "value": python_literal(value)} for name, value in settings.items()]


def python_literal(value: Any) -> str:
    """The value as Python source, which the operator pastes verbatim into settings.py.

    Always a string: numbers passed as numbers travel as doubles through Pulumi's wire
    format, and a rendered `MAX_FORKS = 50.0` would not be the integer AWX expects.
    """
    return repr(value)


def _replicas(awx: AwxSettings, autoscaling: AutoscalingSettings) -> dict[str, Any]:
    if autoscaling.enabled:
        # Without task_manage_replicas the operator would reset the HPA's count on every
        # reconcile; with it false, the task Deployment carries no replicas field at all.
        return {"task_manage_replicas": False}
    return {"task_replicas": awx.task_replicas}


def _resources(awx: AwxSettings) -> dict[str, Any]:
    resources = awx.resources
    chosen = dict(RESOURCE_FIELDS)
    if awx.postgres.mode == "external":
        del chosen["postgres"]
    shaped = {
        field: kubernetes_resources(getattr(resources, container))
        for container, field in chosen.items()
    }
    return {field: requirements for field, requirements in shaped.items() if requirements}


def _database(awx: AwxSettings) -> dict[str, Any]:
    postgres = awx.postgres
    if postgres.mode == "external":
        return {"postgres_configuration_secret": postgres.configuration_secret}
    database: dict[str, Any] = {
        "postgres_storage_requirements": {"requests": {"storage": postgres.storage_size}}
    }
    if postgres.storage_class is not None:
        database["postgres_storage_class"] = postgres.storage_class
    return database


def _placement(awx: AwxSettings) -> dict[str, Any]:
    placement: dict[str, Any] = {}
    # JSON is valid YAML, and these CRD fields are YAML strings.
    if awx.node_selector:
        placement["node_selector"] = json.dumps(awx.node_selector, sort_keys=True)
    if awx.tolerations:
        placement["tolerations"] = json.dumps([t.as_kubernetes() for t in awx.tolerations])
    if awx.placement.awx_pods.spot == "never":
        # A reclaimed spot node would take the control plane of running jobs with it.
        placement["task_affinity"] = avoid_spot()
        placement["web_affinity"] = avoid_spot()
    return placement


def _exposure(awx: AwxSettings) -> dict[str, Any]:
    ingress = awx.ingress
    exposure: dict[str, Any] = {"ingress_type": ingress.type}
    if ingress.type == "ingress":
        host: dict[str, str] = {"hostname": str(ingress.hostname)}
        if ingress.tls_secret is not None:
            host["tls_secret"] = ingress.tls_secret
        exposure["ingress_hosts"] = [host]
        if ingress.class_name is not None:
            exposure["ingress_class_name"] = ingress.class_name
        if ingress.annotations:
            exposure["ingress_annotations"] = json.dumps(ingress.annotations, sort_keys=True)
    elif ingress.type == "route":
        exposure["route_host"] = ingress.hostname
        if ingress.tls_secret is not None:
            exposure["route_tls_secret"] = ingress.tls_secret
    return exposure
