"""What the history says, per AWX component: the Prometheus replies folded into one record per
component (task, web, ee, redis, rsyslog, init, postgres, job), across all of its pods."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from runtime.prometheus_api import Prometheus, Sample
from runtime.rightsizing import queries

COMPONENTS = ("task", "web", "ee", "redis", "rsyslog", "init", "postgres", "job")
_CONTAINERS = {
    "awx-task": "task",
    "awx-web": "web",
    "awx-ee": "ee",
    "redis": "redis",
    "awx-rsyslog": "rsyslog",
    "postgres": "postgres",
}
JOB_CONTAINER = "worker"


@dataclass
class ContainerUsage:
    """One container of one pod over the window (missing statistics are absent, not zero)."""

    namespace: str
    pod: str
    container: str
    stats: dict[str, float] = field(default_factory=dict)


@dataclass
class ComponentUsage:
    component: str
    containers: list[ContainerUsage] = field(default_factory=list)

    def _values(self, stat: str) -> list[float]:
        return [c.stats[stat] for c in self.containers if stat in c.stats]

    def highest(self, stat: str) -> float | None:
        """Max over pods: the busiest pod sets the size (as KRR does for p95 and peaks)."""
        values = self._values(stat)
        return max(values) if values else None

    def total(self, stat: str) -> float:
        return sum(self._values(stat))

    @property
    def pods(self) -> int:
        return len({(c.namespace, c.pod) for c in self.containers})

    covered_minutes: float = 0.0
    """Minutes in which at least one of the component's pods reported (job pods: pod-minutes)."""

    @property
    def oom_killed(self) -> bool:
        return any(value >= 1 for value in self._values("oom_killed"))

    @property
    def oom_limit(self) -> float | None:
        """The largest memory limit an OOM-killed container of this component had."""
        limits = [
            c.stats["memory_limit"]
            for c in self.containers
            if c.stats.get("oom_killed", 0) >= 1 and "memory_limit" in c.stats
        ]
        return max(limits) if limits else None


@dataclass
class History:
    components: dict[str, ComponentUsage]
    awx: dict[str, float]
    """Queue, capacity and task-pod HPA statistics (queries.awx)."""
    evaluated_at: float
    window_seconds: float


def collect(
    prometheus: Prometheus, scope: queries.Scope, at: float, window_seconds: float
) -> History:
    replies = {name: prometheus.query(build(scope), at) for name, build in queries.FAMILIES.items()}
    owners = _owners(replies.pop("owners"), scope)
    awx = {sample.labels["stat"]: sample.value for sample in replies.pop("awx")}
    containers: dict[tuple[str, str, str], ContainerUsage] = {}
    covered: dict[tuple[str, str, str], float] = {}
    for samples in replies.values():
        for sample in samples:
            labels = sample.labels
            if labels.get("stat") == "covered":
                if labels.get("workload"):
                    key = (labels["namespace"], labels["workload"], labels.get("container", ""))
                    covered[key] = sample.value
                continue
            key = (labels.get("namespace", ""), labels.get("pod", ""), labels.get("container", ""))
            if sample.value != sample.value:  # NaN: e.g. a throttling ratio over no periods
                continue
            usage = containers.setdefault(key, ContainerUsage(*key))
            usage.stats[labels["stat"]] = sample.value
    components: dict[str, ComponentUsage] = defaultdict(lambda: ComponentUsage(""))
    for usage in containers.values():
        component = _component(usage, scope, owners)
        if component is None or "minutes" not in usage.stats:
            continue  # not one of AWX's containers, or no usage history at all
        if component not in components:
            components[component] = ComponentUsage(component)
        components[component].containers.append(usage)
    for (namespace, workload, container), minutes in covered.items():
        probe = ContainerUsage(namespace, f"{workload}-0", container)
        component = _component(probe, scope, {(namespace, probe.pod): workload})
        if component in components:
            found = components[component]
            found.covered_minutes = max(found.covered_minutes, minutes)
    if "job" in components:
        components["job"].covered_minutes = components["job"].total("minutes")
    return History(dict(components), awx, at, window_seconds)


def _owners(samples: list[Sample], scope: queries.Scope) -> dict[tuple[str, str], str]:
    """(namespace, pod) -> the workload that owns it: a Deployment or StatefulSet name."""
    replicasets = {
        (s.labels["namespace"], s.labels["replicaset"]): s.labels["owner_name"]
        for s in samples
        if s.labels.get("stat") == "replicaset_owner" and s.labels.get("owner_kind") == "Deployment"
    }
    owners: dict[tuple[str, str], str] = {}
    for sample in samples:
        labels = sample.labels
        if labels.get("stat") != "pod_owner":
            continue
        key = (labels["namespace"], labels["pod"])
        if labels.get("owner_kind") == "ReplicaSet":
            deployment = replicasets.get((labels["namespace"], labels["owner_name"]))
            if deployment is not None:
                owners[key] = deployment
        elif labels.get("owner_kind") == "StatefulSet":
            owners[key] = labels["owner_name"]
    return owners


def _component(
    usage: ContainerUsage, scope: queries.Scope, owners: dict[tuple[str, str], str]
) -> str | None:
    if usage.namespace == scope.job_namespace and usage.namespace != scope.namespace:
        return "job" if usage.container == JOB_CONTAINER else None
    if usage.namespace != scope.namespace:
        return None
    # The owner from kube-state-metrics; without it, the operator's naming of the pods.
    workload = owners.get((usage.namespace, usage.pod)) or _workload_by_name(usage.pod, scope)
    name = scope.deployment
    if workload in (f"{name}-task", f"{name}-web"):
        if usage.container.startswith("init"):
            return "init"
        component = _CONTAINERS.get(usage.container)
        return component if component not in (None, "postgres") else None
    if workload is not None and re.fullmatch(rf"{re.escape(name)}-postgres-\d+", workload):
        return "postgres" if usage.container == "postgres" else None
    return None


def _workload_by_name(pod: str, scope: queries.Scope) -> str | None:
    name = re.escape(scope.deployment)
    match = re.fullmatch(rf"({name}-(?:task|web))-[a-z0-9]+-[a-z0-9]+", pod) or re.fullmatch(
        rf"({name}-postgres-\d+)-\d+", pod
    )
    return match.group(1) if match else None
