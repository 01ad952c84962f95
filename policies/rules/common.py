"""Helpers shared by the rules: where pod specs live, which objects are namespaced, config."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

WORKLOAD_POD_SPECS: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:core/v1:Pod": ("spec",),
}
LONG_RUNNING = frozenset(
    {
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
    }
)
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole",
        "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService",
        "IngressClass", "RuntimeClass", "CSIDriver", "VolumeAttachment",
    }
)  # fmt: skip
DEFAULT_PROTECTED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"]


def dig(value: Any, *path: str) -> Any:
    """value[path[0]][path[1]]..., or None where the path does not exist."""
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def pod_spec(resource_type: str, props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    path = WORKLOAD_POD_SPECS.get(resource_type)
    spec = dig(props, *path) if path else None
    return spec if isinstance(spec, Mapping) else None


def containers(spec: Mapping[str, Any], include_init: bool = True) -> Iterator[Mapping[str, Any]]:
    groups = ("initContainers", "containers") if include_init else ("containers",)
    for group in groups:
        for container in spec.get(group) or []:
            if isinstance(container, Mapping):
                yield container


def is_kubernetes_object(resource_type: str) -> bool:
    return resource_type.startswith("kubernetes:") and not resource_type.startswith(
        ("kubernetes:helm.sh/", "kubernetes:yaml", "kubernetes:kustomize")
    )


def kind_of(resource_type: str) -> str:
    return resource_type.rsplit(":", 1)[-1]


def namespace_of(resource_type: str, props: Mapping[str, Any]) -> str | None:
    """The namespace an object lands in (Helm releases by their `namespace` input)."""
    if resource_type == "kubernetes:helm.sh/v3:Release":
        value = props.get("namespace")
    else:
        value = dig(props, "metadata", "namespace")
    return value if isinstance(value, str) else None


def stack_of(urn: str) -> str:
    """The stack name in a URN (urn:pulumi:<stack>::<project>::<type>::<name>)."""
    return urn.split("::", 1)[0].removeprefix("urn:pulumi:")


def labels_of(props: Mapping[str, Any]) -> Mapping[str, str]:
    labels = dig(props, "metadata", "labels")
    return labels if isinstance(labels, Mapping) else {}


def pod_containers(
    args: ResourceValidationArgs, include_init: bool = True
) -> Iterator[Mapping[str, Any]]:
    """The containers of a workload's pod template (none for other resources)."""
    spec = pod_spec(args.resource_type, args.props)
    return containers(spec, include_init) if spec else iter(())


def resource_policy(
    name: str,
    description: str,
    validate: Callable[..., None],
    level: EnforcementLevel = EnforcementLevel.MANDATORY,
    config: dict[str, dict[str, Any]] | None = None,
) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=name,
        description=description,
        enforcement_level=level,
        config_schema=PolicyConfigSchema(properties=config) if config else None,
        validate=validate,
    )


def stack_policy(
    name: str,
    description: str,
    validate: Callable[..., None],
    level: EnforcementLevel = EnforcementLevel.MANDATORY,
    config: dict[str, dict[str, Any]] | None = None,
) -> StackValidationPolicy:
    return StackValidationPolicy(
        name=name,
        description=description,
        enforcement_level=level,
        config_schema=PolicyConfigSchema(properties=config) if config else None,
        validate=validate,
    )
