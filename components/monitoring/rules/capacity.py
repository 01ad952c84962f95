"""Alerts on the job queue and the capacity to run it: pending jobs, task capacity, the
task-pod autoscaler at its ceiling, and the fork enforcer that keeps the fork budgets."""

from __future__ import annotations

from typing import Any

from components.monitoring.rules import series
from components.monitoring.rules.alert import alert, selector
from components.monitoring.targets import MonitoringTargets

GROUP = "awx-queue-capacity"
PENDING_JOBS = 10
CAPACITY_EXHAUSTED_RATIO = 0.95
CAPACITY_LOW_RATIO = 0.8
FORK_DRIFT_PER_HOUR = 10
"""Corrections per hour beyond which someone (or something) keeps changing the limits."""


def capacity_alerts(targets: MonitoringTargets) -> dict[str, Any]:
    namespace = selector(namespace=targets.namespace)
    ratio = "awx:task_capacity_used:ratio" + series.identity(targets)
    rules = [
        alert(
            "AWXPendingJobsHigh",
            f"awx:pending_jobs:max{namespace} > {PENDING_JOBS}",
            for_="15m",
            severity="warning",
            summary="Many AWX jobs wait to start",
            description=(
                "{{ $value }} jobs have been pending for 15 minutes in namespace "
                f"{{{{ $labels.namespace }}}} (threshold {PENDING_JOBS}): task capacity, "
                "the default group's max_forks or max_concurrent_jobs are used up."
            ),
        ),
        alert(
            "AWXTaskCapacityExhausted",
            f"{ratio} >= {CAPACITY_EXHAUSTED_RATIO}",
            for_="10m",
            severity="critical",
            summary="AWX has no task capacity left",
            description=(
                "The task pods of {{ $labels.name }} in namespace {{ $labels.namespace }} use "
                "{{ $value | humanizePercentage }} of their capacity: new jobs stay pending."
            ),
        ),
        alert(
            "AWXTaskCapacityLow",
            f"{ratio} >= {CAPACITY_LOW_RATIO} < {CAPACITY_EXHAUSTED_RATIO}",
            for_="30m",
            severity="warning",
            summary="AWX task capacity is running low",
            description=(
                "The task pods of {{ $labels.name }} in namespace {{ $labels.namespace }} use "
                "{{ $value | humanizePercentage }} of their capacity."
            ),
        ),
    ]
    if targets.hpa_name is not None:
        hpa = series.kube_state(targets, horizontalpodautoscaler=targets.hpa_name)
        by = "namespace, horizontalpodautoscaler"
        rules.append(
            alert(
                "AWXHpaMaxedOut",
                f"max by ({by}) (kube_horizontalpodautoscaler_status_current_replicas{hpa})"
                f" >= max by ({by}) (kube_horizontalpodautoscaler_spec_max_replicas{hpa})",
                for_="15m",
                severity="warning",
                summary="The AWX task autoscaler is at its maximum",
                description=(
                    "HPA {{ $labels.horizontalpodautoscaler }} in namespace "
                    "{{ $labels.namespace }} has run {{ $value }} task pods, its maximum, "
                    "for 15 minutes: it cannot add capacity."
                ),
            )
        )
    if targets.enforcer_enabled:
        by = "name, namespace"
        rules += [
            alert(
                "AWXForkEnforcerFailing",
                f"sum by ({by}) "
                f"(increase(awx_reconciliation_errors_total{series.enforcer(targets)}[15m])) > 0",
                for_="15m",
                severity="warning",
                summary="The AWX fork enforcer keeps failing",
                description=(
                    "The fork enforcer of {{ $labels.name }} in namespace "
                    "{{ $labels.namespace }} had {{ $value | humanize }} failed AWX API "
                    "requests in the last 15 minutes, for 15 minutes: fork limits may drift."
                ),
            ),
            alert(
                "AWXForkLimitsDrifting",
                f"sum by ({by}) (increase(awx_reconciliation_total"
                f"{series.enforcer(targets, event_type='~max_forks|instance_group|job_template')}"
                f"[1h])) > {FORK_DRIFT_PER_HOUR}",
                for_="5m",
                severity="info",
                summary="AWX fork limits keep being changed",
                description=(
                    "The fork enforcer of {{ $labels.name }} in namespace "
                    "{{ $labels.namespace }} corrected {{ $value | humanize }} drifted limits "
                    "in the last hour."
                ),
            ),
        ]
    if targets.rightsizing_enabled:
        rules.append(
            alert(
                "AWXRightsizingRecommendations",
                "count by (name, namespace) (awx_rightsizing_recommendation"
                f"{series.pushed(targets, job='awx-rightsizing', blocked_by='none')}) > 0",
                for_="1h",
                severity="info",
                summary="The right-sizing advisor has recommendations",
                description=(
                    "{{ $value }} right-sizing recommendations for {{ $labels.name }} in "
                    "namespace {{ $labels.namespace }} pass every gate; the report is in the "
                    "ConfigMap {{ $labels.name }}-rightsizing-report."
                ),
            )
        )
    return {"name": GROUP, "rules": rules}
