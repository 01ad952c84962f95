"""Kubernetes: the AWX custom resource and the pods of the deployment, read by the exporter's
ServiceAccount; gives the `kubernetes` and `deployment` components and the pod counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import urllib3
from kubernetes import client

from runtime.exporter.health.check import degraded, describe, healthy, unhealthy
from runtime.exporter.health.model import CheckReport, ComponentHealth, DeploymentState

API_COMPONENT = "kubernetes"
DEPLOYMENT_COMPONENT = "deployment"
AWX_GROUP, AWX_VERSION, AWX_PLURAL = "awx.ansible.com", "v1beta1", "awxs"
POD_PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")
# Pod types whose absence means AWX does not serve (web) or run jobs (task).
ESSENTIAL_POD_TYPES = ("web", "task")
NAME_LABEL = "app.kubernetes.io/name"


def default_pod_selector(awx_name: str) -> str:
    """Labels the AWX operator puts on every pod it manages for the AWX resource `awx_name`."""
    return f"app.kubernetes.io/part-of={awx_name},app.kubernetes.io/managed-by=awx-operator"


@dataclass(frozen=True)
class DeploymentTarget:
    awx_name: str
    namespace: str
    pod_selector: str


class KubernetesCheck:
    components = (API_COMPONENT, DEPLOYMENT_COMPONENT)

    def __init__(
        self, target: DeploymentTarget, api: client.ApiClient, timeout_seconds: float
    ) -> None:
        self._target = target
        self._custom = client.CustomObjectsApi(api)
        self._core = client.CoreV1Api(api)
        self._timeout = timeout_seconds

    def run(self) -> CheckReport:
        target = self._target
        try:
            resource = self._awx_resource()
            pods = self._core.list_namespaced_pod(
                target.namespace, label_selector=target.pod_selector, _request_timeout=self._timeout
            ).items
        except client.ApiException as error:
            reason = f"API answered HTTP {error.status} {error.reason}"
            return _api_down(reason)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return _api_down(describe(error))
        counts = _count_pods(target.awx_name, (_pod_summary(pod) for pod in pods))
        deployment = _judge_deployment(target.awx_name, resource, counts)
        return CheckReport(
            (healthy(API_COMPONENT, f"API answered; {len(pods)} pods selected"), deployment),
            deployment=DeploymentState(deployment.status, counts.by_type_and_phase),
        )

    def _awx_resource(self) -> Mapping[str, Any] | None:
        try:
            resource = self._custom.get_namespaced_custom_object(
                AWX_GROUP,
                AWX_VERSION,
                self._target.namespace,
                AWX_PLURAL,
                self._target.awx_name,
                _request_timeout=self._timeout,
            )
        except client.ApiException as error:
            if error.status == 404:
                return None
            raise
        if not isinstance(resource, Mapping):
            raise client.ApiException(reason=f"AWX resource is not an object: {type(resource)}")
        return resource


def _api_down(reason: str) -> CheckReport:
    return CheckReport(
        (
            unhealthy(API_COMPONENT, reason),
            unhealthy(DEPLOYMENT_COMPONENT, "unknown: the Kubernetes API check failed"),
        )
    )


@dataclass(frozen=True)
class _PodSummary:
    name_label: str
    phase: str
    ready: bool


@dataclass(frozen=True)
class _PodCounts:
    by_type_and_phase: Mapping[tuple[str, str], int]
    serving: Mapping[str, int]
    """Running and Ready pods per type."""
    total: Mapping[str, int]


def _pod_summary(pod: client.V1Pod) -> _PodSummary:
    labels = (pod.metadata.labels if pod.metadata else None) or {}
    status = pod.status or client.V1PodStatus()
    ready = any(
        condition.type == "Ready" and condition.status == "True"
        for condition in (status.conditions or ())
    )
    return _PodSummary(labels.get(NAME_LABEL, ""), status.phase or "Unknown", ready)


def pod_type(awx_name: str, name_label: str) -> str:
    """`<awx>-web` -> web, `<awx>-task` -> task, `<awx>-postgres-15` -> postgres; else other."""
    prefix = f"{awx_name}-"
    if not name_label.startswith(prefix) or name_label == prefix:
        return "other"
    return name_label.removeprefix(prefix).split("-")[0]


def _count_pods(awx_name: str, pods: Iterable[_PodSummary]) -> _PodCounts:
    by_type_and_phase: Counter[tuple[str, str]] = Counter()
    serving: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for pod in pods:
        kind = pod_type(awx_name, pod.name_label)
        by_type_and_phase[(kind, pod.phase)] += 1
        total[kind] += 1
        serving[kind] += pod.phase == "Running" and pod.ready
    # Every phase of every type seen (and of the essential types) is a series, zeros included,
    # so alerts can compare against 0 instead of testing for absence.
    kinds = set(total) | set(ESSENTIAL_POD_TYPES)
    complete = {
        (kind, phase): by_type_and_phase[(kind, phase)] for kind in kinds for phase in POD_PHASES
    }
    return _PodCounts(complete, serving, total)


def _condition(resource: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    conditions: Sequence[Mapping[str, Any]] = resource.get("status", {}).get("conditions", [])
    return next((item for item in conditions if item.get("type") == kind), None)


def _judge_deployment(
    awx_name: str, resource: Mapping[str, Any] | None, counts: _PodCounts
) -> ComponentHealth:
    if resource is None:
        return unhealthy(DEPLOYMENT_COMPONENT, f"AWX resource {awx_name} not found")
    failure = _condition(resource, "Failure")
    if failure is not None and failure.get("status") == "True":
        message = failure.get("message") or failure.get("reason") or "no message"
        return unhealthy(DEPLOYMENT_COMPONENT, f"operator reports Failure: {message}")
    summary = ", ".join(
        f"{kind} {counts.serving[kind]}/{counts.total[kind]} ready" for kind in ESSENTIAL_POD_TYPES
    )
    if any(counts.serving[kind] == 0 for kind in ESSENTIAL_POD_TYPES):
        return unhealthy(DEPLOYMENT_COMPONENT, summary)
    if any(counts.serving[kind] < counts.total[kind] for kind in ESSENTIAL_POD_TYPES):
        return degraded(DEPLOYMENT_COMPONENT, summary)
    return healthy(DEPLOYMENT_COMPONENT, summary)
