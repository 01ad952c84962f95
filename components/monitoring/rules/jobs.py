"""Alerts on AWX jobs: failing, not starting, events piling up."""

from __future__ import annotations

from typing import Any

from components.monitoring.rules import series
from components.monitoring.rules.alert import alert, selector
from components.monitoring.targets import MonitoringTargets

GROUP = "awx-jobs"
JOB_FAILURE_RATIO = 0.25
"""Share of finished jobs that failed or errored within an hour."""
CALLBACK_BACKLOG_EVENTS = 10_000
"""Job events waiting in Redis for the callback receiver."""


def job_alerts(targets: MonitoringTargets) -> dict[str, Any]:
    namespace = selector(namespace=targets.namespace)
    return {
        "name": GROUP,
        "rules": [
            alert(
                "AWXJobFailureRateHigh",
                f"awx:job_failure:ratio_rate1h{namespace} > {JOB_FAILURE_RATIO}",
                for_="15m",
                severity="warning",
                summary="Many AWX jobs fail",
                description=(
                    "{{ $value | humanizePercentage }} of the jobs that finished in the last "
                    "hour in namespace {{ $labels.namespace }} failed or errored "
                    f"(threshold {JOB_FAILURE_RATIO:.0%})."
                ),
            ),
            alert(
                "AWXJobsNotStarting",
                f"awx:pending_jobs:max{namespace} > 0"
                f" and on (namespace) awx:running_jobs:max{namespace} == 0",
                for_="15m",
                severity="critical",
                summary="AWX jobs wait but none runs",
                description=(
                    "{{ $value }} jobs are pending in namespace {{ $labels.namespace }} and "
                    "none has been running for 15 minutes: the task pods' dispatcher is not "
                    "starting jobs."
                ),
            ),
            alert(
                "AWXCallbackReceiverBacklog",
                "max by (namespace) "
                f"(callback_receiver_events_queue_size_redis{series.awx(targets)})"
                f" > {CALLBACK_BACKLOG_EVENTS}",
                for_="15m",
                severity="warning",
                summary="AWX job events pile up in Redis",
                description=(
                    "{{ $value | humanize }} job events wait for the callback receiver in "
                    "namespace {{ $labels.namespace }}: job output lags and Redis memory grows."
                ),
            ),
        ],
    }
