"""What scales AWX's task pods: an autoscaling/v2 HPA, or a KEDA ScaledObject in its place.

Both share one `behavior`: scale up at once (no stabilization window; add up to 4 pods or
double every 15 s, whichever is more), scale down slowly (a stabilization window of
`cooldown_period_seconds`, at most one pod per window). A task pod being removed waits in its
preStop hook until it controls no job (the AWX resource sets termination_grace_period_seconds).

KEDA refuses a fallback together with its cpu and memory scalers, and the fallback is what
keeps task pods when Prometheus cannot be queried. So with queue_metric every trigger is a
Prometheus query of metric type AverageValue, whose value is the number of task pods that
signal asks for (or a sum that the per-pod threshold divides into it):

- pending jobs: max(awx_pending_jobs_total) / pending_jobs_per_task;
- control capacity: with use u = consumed / total capacity of the control (task) instances in
  percent and n control instances, n x u / scale_up_threshold when u >= scale_up_threshold or
  u <= scale_down_threshold, else n (hold);
- CPU and memory: task-pod usage summed over pods, divided by target x the pod's requests.

AWX's metrics are DB-wide and every web pod serves them, so instance series are de-duplicated
with max by (hostname) before they are summed.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from components.settings.autoscaling import AutoscalingSettings, ScalingSchedule
from components.settings.awx import AwxResources
from components.settings.quantity import parse_quantity

KEDA_API_VERSION = "keda.sh/v1alpha1"
FALLBACK_FAILURES = 3
POLLING_SECONDS = 30
TASK_POD_CONTAINERS = ("task", "ee", "redis", "rsyslog")
"""Containers of a task pod whose requests the HPA's utilization is a percentage of."""


@dataclass(frozen=True)
class TaskTarget:
    """Where the task pods are: plain names, known once the AWX resource's outputs resolve."""

    namespace: str
    deployment: str
    """The task Deployment, `<awx>-task`."""


def behavior(settings: AutoscalingSettings) -> dict[str, Any]:
    """HPA behavior: fast up, one pod per cooldown period down."""
    return {
        "scaleUp": {
            "stabilizationWindowSeconds": 0,
            "selectPolicy": "Max",
            "policies": [
                {"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15},
            ],
        },
        "scaleDown": {
            "stabilizationWindowSeconds": settings.cooldown_period_seconds,
            "selectPolicy": "Min",
            # periodSeconds must be 1..1800; a zero cooldown still removes one pod at a time.
            "policies": [
                {
                    "type": "Pods",
                    "value": 1,
                    "periodSeconds": min(max(settings.cooldown_period_seconds, 15), 1800),
                }
            ],
        },
    }


def hpa_spec(settings: AutoscalingSettings, target: TaskTarget) -> dict[str, Any]:
    """autoscaling/v2 HorizontalPodAutoscaler spec on CPU and memory utilization."""
    return {
        "scaleTargetRef": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": target.deployment,
        },
        "minReplicas": settings.min_task_replicas,
        "maxReplicas": settings.max_task_replicas,
        "metrics": [
            _utilization("cpu", settings.target_cpu_utilization),
            _utilization("memory", settings.target_memory_utilization),
        ],
        "behavior": behavior(settings),
    }


def _utilization(resource: str, percent: int) -> dict[str, Any]:
    return {
        "type": "Resource",
        "resource": {
            "name": resource,
            "target": {"type": "Utilization", "averageUtilization": percent},
        },
    }


def scaled_object_spec(
    settings: AutoscalingSettings,
    resources: AwxResources,
    target: TaskTarget,
    prometheus_url: str,
) -> dict[str, Any]:
    """KEDA ScaledObject spec that replaces the HPA (KEDA creates and owns its own HPA)."""
    return {
        "scaleTargetRef": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": target.deployment,
        },
        "pollingInterval": POLLING_SECONDS,
        "minReplicaCount": settings.min_task_replicas,
        "maxReplicaCount": settings.max_task_replicas,
        "fallback": {
            "failureThreshold": FALLBACK_FAILURES,
            "replicas": settings.effective_fallback_replicas,
        },
        "advanced": {
            "horizontalPodAutoscalerConfig": {
                "name": target.deployment,
                "behavior": behavior(settings),
            }
        },
        "triggers": [
            *(
                _prometheus(prometheus_url, name, query, threshold)
                for name, query, threshold in queue_queries(settings, resources, target)
            ),
            *(_cron(schedule) for schedule in settings.schedules),
        ],
    }


def _cron(schedule: ScalingSchedule) -> dict[str, Any]:
    """A floor of task pods inside a time window (KEDA's cron scaler)."""
    return {
        "type": "cron",
        "name": schedule.name,
        "metadata": {
            "timezone": schedule.timezone,
            "start": schedule.start,
            "end": schedule.end,
            "desiredReplicas": str(schedule.desired_replicas),
        },
    }


def queue_queries(
    settings: AutoscalingSettings, resources: AwxResources, target: TaskTarget
) -> list[tuple[str, str, str]]:
    """(trigger name, PromQL, per-pod threshold) for each signal of queue-aware scaling."""
    awx = f'namespace="{target.namespace}"'
    control = f'{awx},node_type=~"control|hybrid"'
    pods = f'namespace="{target.namespace}",pod=~"{target.deployment}-[a-z0-9]+-[a-z0-9]+"'
    total = f"sum(max by (hostname) (awx_instance_capacity{{{control}}}))"
    consumed = f"sum(max by (hostname) (awx_instance_consumed_capacity{{{control}}}))"
    count = f"count(max by (hostname) (awx_instance_capacity{{{control}}}))"
    use = f"(100 * {consumed} / {total})"
    up, down = settings.scale_up_threshold, settings.scale_down_threshold
    capacity = f"(({count} * {use} / {up}) and ({use} >= {up} or {use} <= {down})) or {count}"
    queries = [
        (
            "pending-jobs",
            f"max(awx_pending_jobs_total{{{awx}}})",
            str(settings.pending_jobs_per_task),
        ),
        ("control-capacity", capacity, "1"),
    ]
    requests = pod_requests(resources)
    # Without a request there is no utilization to aim for (the HPA would refuse it too).
    if requests["cpu"] > 0:
        queries.append(
            (
                "cpu",
                f'sum(rate(container_cpu_usage_seconds_total{{{pods},container!=""}}[2m]))',
                _share(requests["cpu"], settings.target_cpu_utilization),
            )
        )
    if requests["memory"] > 0:
        queries.append(
            (
                "memory",
                f'sum(container_memory_working_set_bytes{{{pods},container!=""}})',
                _share(requests["memory"], settings.target_memory_utilization, whole=True),
            )
        )
    return queries


def pod_requests(resources: AwxResources) -> dict[str, Decimal]:
    """CPU cores and memory bytes one task pod requests (its four long-running containers)."""
    totals = {"cpu": Decimal(0), "memory": Decimal(0)}
    for container in TASK_POD_CONTAINERS:
        requests = getattr(resources, container).requests
        for resource in totals:
            value = getattr(requests, resource)
            if value is not None:
                totals[resource] += parse_quantity(value)
    return totals


def _share(request: Decimal, percent: int, whole: bool = False) -> str:
    value = request * percent / 100
    return str(int(value)) if whole else format(value.normalize(), "f")


def _prometheus(url: str, name: str, query: str, threshold: str) -> dict[str, Any]:
    return {
        "type": "prometheus",
        "name": name,
        "metricType": "AverageValue",
        "metadata": {
            "serverAddress": url,
            "query": query,
            "threshold": threshold,
            # No data (AWX not scraped) counts as a failure, so the fallback applies too.
            "ignoreNullValues": "false",
        },
    }
