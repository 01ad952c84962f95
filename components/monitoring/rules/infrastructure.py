"""Alerts on what AWX runs on: database, Redis, task pods, crash loops, volumes."""

from __future__ import annotations

from typing import Any

from components.monitoring.rules import series
from components.monitoring.rules.alert import alert
from components.monitoring.targets import MonitoringTargets

GROUP = "awx-infrastructure"
PVC_FREE_RATIO = 0.1


def infrastructure_alerts(targets: MonitoringTargets) -> dict[str, Any]:
    def health(component: str) -> str:
        return (
            "max by (namespace) (awx_platform_component_health"
            f"{series.exporter(targets, component=component)}) == 0"
        )

    task = series.kube_state(targets, deployment=targets.task_deployment)
    crash = series.kube_state(targets, reason="CrashLoopBackOff")
    volumes = series.kubelet(targets)
    by_claim = "namespace, persistentvolumeclaim"
    return {
        "name": GROUP,
        "rules": [
            alert(
                "AWXDatabaseDown",
                f"{health('database')} or max by (namespace) "
                f"(pg_up{series.postgres_exporter(targets)}) == 0",
                for_="2m",
                severity="critical",
                summary="AWX's PostgreSQL database is unreachable",
                description=(
                    "AWX in namespace {{ $labels.namespace }} cannot use its database (connect, "
                    "SELECT 1, or the server is a read-only standby) for 2 minutes: AWX is down."
                ),
            ),
            alert(
                "AWXRedisDown",
                f"{health('redis')} or max by (namespace) "
                f"(redis_up{series.redis_exporter(targets)}) == 0",
                for_="5m",
                severity="critical",
                summary="AWX's Redis does not answer",
                description=(
                    "Redis of AWX in namespace {{ $labels.namespace }} has not answered PING "
                    "for 5 minutes: job events and the dispatcher stall."
                ),
            ),
            alert(
                "AWXTaskPodsDown",
                f"max by (namespace) (kube_deployment_status_replicas_available{task}) == 0",
                for_="5m",
                severity="critical",
                summary="AWX has no task pod",
                description=(
                    f"Deployment {targets.task_deployment} in namespace "
                    "{{ $labels.namespace }} has had no available pod for 5 minutes: "
                    "no job can start."
                ),
            ),
            alert(
                "AWXDeploymentDegraded",
                f"max by (name, namespace) (awx_deployment_status{series.exporter(targets)}) < 1",
                for_="15m",
                severity="warning",
                summary="Some AWX pods are not ready",
                description=(
                    "AWX {{ $labels.name }} in namespace {{ $labels.namespace }} reports "
                    "deployment status {{ $value }} (1 healthy, 0.5 degraded, 0 unhealthy) "
                    "for 15 minutes."
                ),
            ),
            alert(
                "AWXPodCrashLooping",
                "max by (namespace, pod, container) "
                f"(kube_pod_container_status_waiting_reason{crash}) == 1",
                for_="15m",
                severity="warning",
                summary="An AWX container keeps crashing",
                description=(
                    "Container {{ $labels.container }} of pod {{ $labels.pod }} in namespace "
                    "{{ $labels.namespace }} has been in CrashLoopBackOff for 15 minutes."
                ),
            ),
            alert(
                "AWXPvcAlmostFull",
                f"max by ({by_claim}) (kubelet_volume_stats_available_bytes{volumes})"
                f" / max by ({by_claim}) (kubelet_volume_stats_capacity_bytes{volumes})"
                f" < {PVC_FREE_RATIO}",
                for_="10m",
                severity="warning",
                summary="An AWX volume is almost full",
                description=(
                    "PersistentVolumeClaim {{ $labels.persistentvolumeclaim }} in namespace "
                    "{{ $labels.namespace }} has only {{ $value | humanizePercentage }} free."
                ),
            ),
        ],
    }
