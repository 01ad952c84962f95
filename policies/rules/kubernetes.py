"""Kubernetes workload safety: resources, images, probes, security context, placement."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
)

from .common import (
    CLUSTER_SCOPED_KINDS,
    DEFAULT_PROTECTED_NAMESPACES,
    LONG_RUNNING,
    dig,
    is_kubernetes_object,
    kind_of,
    labels_of,
    namespace_of,
    pod_containers,
    pod_spec,
    resource_policy,
)

_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def _container_resources(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for container in pod_containers(args):
        missing = [
            f"{kind}.{resource}"
            for kind, resource in (
                ("requests", "cpu"),
                ("requests", "memory"),
                ("limits", "memory"),
            )
            if dig(container, "resources", kind, resource) is None
        ]
        if missing:
            report(f"container '{container.get('name')}' sets no {', '.join(missing)}")


container_resources = resource_policy(
    "k8s-container-resources",
    "Every container declares CPU and memory requests and a memory limit.",
    _container_resources,
)


def _image_pinned(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for container in pod_containers(args):
        image = str(container.get("image") or "")
        if _DIGEST.search(image):
            continue
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
        if tag in ("", "latest"):
            report(f"container '{container.get('name')}' uses image '{image}' without a pinned tag")


image_pinned = resource_policy(
    "k8s-image-pinned",
    "Images name a release tag or digest, never `latest` or no tag.",
    _image_pinned,
)


def _probes(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in LONG_RUNNING:
        return
    for container in pod_containers(args, include_init=False):
        missing = [p for p in ("livenessProbe", "readinessProbe") if not container.get(p)]
        if missing:
            report(f"container '{container.get('name')}' has no {' or '.join(missing)}")


probes = resource_policy(
    "k8s-probes",
    "Long-running containers have liveness and readiness probes.",
    _probes,
    EnforcementLevel.ADVISORY,
)


def _security_value(spec: Mapping[str, Any], container: Mapping[str, Any], field: str) -> object:
    own = dig(container, "securityContext", field)
    return own if own is not None else dig(spec, "securityContext", field)


def _run_as_non_root(args: ResourceValidationArgs, report: ReportViolation) -> None:
    spec = pod_spec(args.resource_type, args.props) or {}
    for container in pod_containers(args):
        if _security_value(spec, container, "runAsNonRoot") is not True:
            report(f"container '{container.get('name')}' does not set runAsNonRoot: true")


run_as_non_root = resource_policy(
    "k8s-run-as-non-root",
    "Containers run as non-root (runAsNonRoot on the pod or the container).",
    _run_as_non_root,
)


def _read_only_root(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for container in pod_containers(args):
        if dig(container, "securityContext", "readOnlyRootFilesystem") is not True:
            report(f"container '{container.get('name')}' has a writable root filesystem")


read_only_root = resource_policy(
    "k8s-read-only-root-filesystem",
    "Containers mount their root filesystem read-only where they can.",
    _read_only_root,
    EnforcementLevel.ADVISORY,
)


def _no_privilege_escalation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for container in pod_containers(args):
        context = container.get("securityContext") or {}
        if context.get("privileged") is True:
            report(f"container '{container.get('name')}' is privileged")
        elif context.get("allowPrivilegeEscalation") is not False:
            report(
                f"container '{container.get('name')}' does not set allowPrivilegeEscalation: false"
            )


no_privilege_escalation = resource_policy(
    "k8s-no-privilege-escalation",
    "Containers are not privileged and set allowPrivilegeEscalation: false.",
    _no_privilege_escalation,
)


def _namespaced(args: ResourceValidationArgs) -> bool:
    if args.resource_type == "kubernetes:helm.sh/v3:Release":
        return True
    return is_kubernetes_object(args.resource_type) and (
        kind_of(args.resource_type) not in CLUSTER_SCOPED_KINDS
        and not args.resource_type.startswith("kubernetes:rbac.authorization.k8s.io/v1:Cluster")
        and args.resource_type != "pulumi:providers:kubernetes"
    )


def _no_default_namespace(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not _namespaced(args):
        return
    namespace = namespace_of(args.resource_type, args.props)
    if namespace in (None, "", "default"):
        report(f"{kind_of(args.resource_type)} is not given a namespace other than 'default'")


no_default_namespace = resource_policy(
    "k8s-no-default-namespace",
    "Namespaced objects name their namespace, and it is not `default`.",
    _no_default_namespace,
)


def _protected_namespaces(args: ResourceValidationArgs, report: ReportViolation) -> None:
    protected = args.get_config().get("namespaces", DEFAULT_PROTECTED_NAMESPACES)
    if args.resource_type == "kubernetes:core/v1:Namespace":
        namespace = dig(args.props, "metadata", "name")
    elif _namespaced(args):
        namespace = namespace_of(args.resource_type, args.props)
    else:
        return
    if namespace in protected:
        report(f"'{namespace}' is a protected namespace; this stack may not change it")


protected_namespaces = resource_policy(
    "k8s-protected-namespaces",
    "Nothing is created in or as a protected namespace (kube-system and the like).",
    _protected_namespaces,
    config={"namespaces": {"type": "array", "items": {"type": "string"}}},
)


def _protected_workloads(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in LONG_RUNNING:
        return
    protected = set(args.get_config().get("workloads", []))
    name = dig(args.props, "metadata", "name")
    reference = f"{namespace_of(args.resource_type, args.props)}/{name}"
    if reference in protected:
        report(f"{reference} is a protected workload; this stack may not manage it")


protected_workloads = resource_policy(
    "k8s-protected-workloads",
    "Workloads listed as protected (namespace/name) are never managed by a stack.",
    _protected_workloads,
    config={"workloads": {"type": "array", "items": {"type": "string"}}},
)


def _hpa_bounds(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "kubernetes:autoscaling/v2:HorizontalPodAutoscaler":
        return
    minimum = dig(args.props, "spec", "minReplicas")
    maximum = dig(args.props, "spec", "maxReplicas")
    if minimum is None or minimum < 1:
        report(f"minReplicas must be at least 1 (got {minimum})")
    elif maximum is not None and minimum > maximum:
        report(f"minReplicas ({minimum}) exceeds maxReplicas ({maximum})")


hpa_bounds = resource_policy(
    "k8s-hpa-bounds",
    "HorizontalPodAutoscalers keep at least one pod and minReplicas <= maxReplicas.",
    _hpa_bounds,
)


def _backup_concurrency(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "kubernetes:batch/v1:CronJob":
        return
    if labels_of(args.props).get("app.kubernetes.io/component") != "backup":
        return
    if dig(args.props, "spec", "concurrencyPolicy") != "Forbid":
        report("backup CronJobs must set concurrencyPolicy: Forbid (overlapping dumps)")


backup_concurrency = resource_policy(
    "backup-cronjob-forbids-concurrency",
    "Backup CronJobs never run two backups at once (concurrencyPolicy: Forbid).",
    _backup_concurrency,
)

POLICIES = [
    container_resources,
    image_pinned,
    probes,
    run_as_non_root,
    read_only_root,
    no_privilege_escalation,
    no_default_namespace,
    protected_namespaces,
    protected_workloads,
    hpa_bounds,
    backup_concurrency,
]
