"""The awx_* metrics of the exporter, rendered from the monitor's latest snapshot at scrape time.

Series whose value is unknown are left out rather than guessed: no capacity series before AWX
answered, no deployment or pod series while the Kubernetes API does not answer, no health
series for a component that is not configured (Redis without REDIS_URL).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from runtime.exporter.health.api_metrics import ApiRequestMetrics
from runtime.exporter.health.monitor import HealthMonitor

LABELS = ["name", "namespace"]


class PlatformCollector(Collector):
    def __init__(
        self,
        monitor: HealthMonitor,
        awx_name: str,
        namespace: str,
        api_requests: ApiRequestMetrics | None = None,
    ) -> None:
        self._monitor = monitor
        self._identity = [awx_name, namespace]
        self._api_requests = api_requests

    def collect(self) -> Iterator[Metric]:
        snapshot = self._monitor.latest
        identity = self._identity
        health = GaugeMetricFamily(
            "awx_platform_component_health",
            "Health of a platform component: 1 healthy, 0.5 degraded, 0 unhealthy.",
            labels=[*LABELS, "component"],
        )
        deployment = GaugeMetricFamily(
            "awx_deployment_status",
            "Health of the AWX deployment (custom resource and web/task pods): "
            "1 healthy, 0.5 degraded, 0 unhealthy.",
            labels=LABELS,
        )
        pods = GaugeMetricFamily(
            "awx_pod_status",
            "Number of pods of the AWX deployment by type (web, task, postgres, ...) and phase.",
            labels=[*LABELS, "pod_type", "phase"],
        )
        total = GaugeMetricFamily(
            "awx_task_capacity_total",
            "Task capacity of AWX's enabled control and hybrid nodes (one unit per running job).",
            labels=LABELS,
        )
        used = GaugeMetricFamily(
            "awx_task_capacity_used",
            "Task capacity consumed on AWX's enabled control and hybrid nodes.",
            labels=LABELS,
        )
        if snapshot is not None:
            for component, result in sorted(snapshot.components.items()):
                score = result.status.score
                if score is not None:
                    health.add_metric([*identity, component], score)
            if snapshot.deployment is not None:
                score = snapshot.deployment.status.score
                deployment.add_metric(identity, score if score is not None else 0.0)
                for (pod_type, phase), count in sorted(snapshot.deployment.pods.items()):
                    pods.add_metric([*identity, pod_type, phase], count)
            if snapshot.capacity is not None:
                total.add_metric(identity, snapshot.capacity.total)
                if snapshot.capacity.used is not None:
                    used.add_metric(identity, snapshot.capacity.used)
        yield from (deployment, pods, total, used, health)
        if self._api_requests is not None:
            yield from self._api_requests.collect(identity)


def registry_for(
    monitor: HealthMonitor,
    awx_name: str,
    namespace: str,
    api_requests: ApiRequestMetrics | None = None,
) -> CollectorRegistry:
    """A registry with only the platform metrics (no process or Python runtime series)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PlatformCollector(monitor, awx_name, namespace, api_requests))
    return registry
