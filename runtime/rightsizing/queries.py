"""The PromQL the advisor sends: one instant query per metric family, each reducing a whole
window in Prometheus and answering one value per (namespace, pod, container) and statistic.

A per-container loop (KRR's) sends a query per container and statistic; here the selector
covers every AWX pod and every job pod at once, and `label_replace(..., "stat", ...)` tags
the statistics of one family so they travel in one reply.
"""

from __future__ import annotations

from dataclasses import dataclass

RESOLUTION = "1m"
"""Subquery step: one point per minute, the resolution the window is judged at."""
RATE_WINDOW = "5m"
"""CPU rate window: at least two samples at scrape intervals up to 2.5 minutes."""
BY = "namespace, pod, container"


@dataclass(frozen=True)
class Scope:
    namespace: str
    deployment: str
    job_namespace: str
    window: str

    @property
    def selector(self) -> str:
        """AWX's own pods and the job pods; other pods in the namespaces are not selected."""
        return (
            f'namespace=~"{self.namespace}|{self.job_namespace}", '
            f'pod=~"{self.deployment}-.+|automation-job-.+", container!="", container!="POD"'
        )

    @property
    def task_selector(self) -> str:
        return (
            f'namespace="{self.namespace}", pod=~"{self.deployment}-task-.+", container="awx-task"'
        )


def _tagged(stat: str, expression: str) -> str:
    return f'label_replace({expression}, "stat", "{stat}", "", "")'


def _union(parts: dict[str, str]) -> str:
    return "\n  or ".join(_tagged(stat, expression) for stat, expression in parts.items())


def cpu(scope: Scope) -> str:
    rate = f"rate(container_cpu_usage_seconds_total{{{scope.selector}}}[{RATE_WINDOW}])"
    sub = f"[{scope.window}:{RESOLUTION}]"
    return _union(
        {
            "cpu_p95": f"max by ({BY}) (quantile_over_time(0.95, {rate}{sub}))",
            "cpu_max": f"max by ({BY}) (max_over_time({rate}{sub}))",
        }
    )


def memory(scope: Scope) -> str:
    series = f"container_memory_working_set_bytes{{{scope.selector}}}"
    window = f"[{scope.window}]"
    sub = f"[{scope.window}:{RESOLUTION}]"
    # Minutes in which a workload's container reported at all, whichever pod it was: the
    # days of history behind a recommendation. (timestamp() inside a subquery would give each
    # pod's first sample, but Prometheus 2.x evaluates it orders of magnitude slower.)
    workload = (
        f'label_replace({series}, "workload", "$1", "pod", '
        f'"({scope.deployment}-task|{scope.deployment}-web|{scope.deployment}-postgres-[0-9]+)-.+")'
    )
    return _union(
        {
            "memory_p95": f"max by ({BY}) (quantile_over_time(0.95, {series}{window}))",
            "memory_max": f"max by ({BY}) (max_over_time({series}{window}))",
            "minutes": f"max by ({BY}) (count_over_time({series}{sub}))",
            "covered": "count_over_time((max by (namespace, workload, container) "
            f"({workload})){sub})",
        }
    )


def throttling(scope: Scope) -> str:
    window = f"[{scope.window}]"
    throttled = f"container_cpu_cfs_throttled_periods_total{{{scope.selector}}}"
    periods = f"container_cpu_cfs_periods_total{{{scope.selector}}}"
    return _tagged(
        "throttled",
        f"sum by ({BY}) (increase({throttled}{window})) "
        f"/ sum by ({BY}) (increase({periods}{window}))",
    )


def container_state(scope: Scope) -> str:
    """kube-state-metrics: OOM kills, restarts, and the memory limit the container had."""
    window = f"[{scope.window}]"
    reason = (
        f'kube_pod_container_status_last_terminated_reason{{{scope.selector}, reason="OOMKilled"}}'
    )
    restarts = f"kube_pod_container_status_restarts_total{{{scope.selector}}}{window}"
    limits = f'kube_pod_container_resource_limits{{{scope.selector}, resource="memory"}}'
    return _union(
        {
            "oom_killed": f"max by ({BY}) (max_over_time({reason}{window}))",
            "restarts": f"max by ({BY}) (max_over_time({restarts}) - min_over_time({restarts}))",
            "memory_limit": f"max by ({BY}) (max_over_time({limits}{window}))",
        }
    )


def owners(scope: Scope) -> str:
    """Which ReplicaSet or StatefulSet owns each pod, and which Deployment each ReplicaSet."""
    window = f"[{scope.window}]"
    return _union(
        {
            "pod_owner": "max by (namespace, pod, owner_kind, owner_name) (max_over_time("
            f'kube_pod_owner{{namespace=~"{scope.namespace}|{scope.job_namespace}"}}{window}))',
            "replicaset_owner": "max by (namespace, replicaset, owner_kind, owner_name) ("
            f'max_over_time(kube_replicaset_owner{{namespace="{scope.namespace}"}}{window}))',
        }
    )


def awx(scope: Scope) -> str:
    """The queue, control capacity and the task pods' HPA view (averages per pod, as the HPA
    computes utilization), one value each."""
    ns = f'namespace="{scope.namespace}"'
    sub = f"[{scope.window}:{RESOLUTION}]"
    pending = f"max(awx_pending_jobs_total{{{ns}}})"
    control = f'{ns}, node_type="control"'
    capacity = (
        f"100 * sum(max by (hostname) (awx_instance_consumed_capacity{{{control}}}))"
        f" / sum(max by (hostname) (awx_instance_capacity{{{control}}}))"
    )
    replicas = f'max(kube_deployment_status_replicas{{{ns}, deployment="{scope.deployment}-task"}})'
    task_cpu = f"rate(container_cpu_usage_seconds_total{{{scope.task_selector}}}[{RATE_WINDOW}])"
    task_memory = f"container_memory_working_set_bytes{{{scope.task_selector}}}"
    return _union(
        {
            "pending_max": f"max_over_time(({pending}){sub})",
            "capacity_max": f"max_over_time(({capacity}){sub})",
            "replicas_max": f"max_over_time(({replicas}){sub})",
            "task_cpu_average_p95": f"quantile_over_time(0.95, avg({task_cpu}){sub})",
            "task_cpu_total_max": f"max_over_time(sum({task_cpu}){sub})",
            "task_memory_average_p95": f"quantile_over_time(0.95, avg({task_memory}){sub})",
            "task_memory_total_max": f"max_over_time(sum({task_memory}){sub})",
        }
    )


FAMILIES = {
    "cpu": cpu,
    "memory": memory,
    "throttling": throttling,
    "container_state": container_state,
    "owners": owners,
    "awx": awx,
}
"""Every query the advisor sends, by metric family: six per run, whatever the pod count."""
