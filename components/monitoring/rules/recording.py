"""Recording rules the alerts, the dashboards and the SLOs share (names agreed in the
monitoring contract: the dashboards query exactly these)."""

from __future__ import annotations

from typing import Any

from components.monitoring.rules import series
from components.monitoring.rules.alert import record
from components.monitoring.targets import MonitoringTargets

GROUP = "awx-recording"

FAILED_STATUSES = "failed|error"
FINISHED_STATUSES = "successful|failed|error"
API_ERROR_CODES = "5..|none"
"""HTTP 5xx, and `none`: the exporter got no answer at all (refused, reset, timed out)."""


def jobs_finished(targets: MonitoringTargets, statuses: str, window: str) -> str:
    """Jobs that reached one of `statuses` within `window`.

    awx_status_total is a gauge (jobs in the database per status), not a counter: `delta`,
    not `increase`, and clamped at zero because AWX's cleanup job deletes old jobs and
    would otherwise count as negative finishes. Every web pod serves the same value, so
    each pod's series is taken separately and the largest kept.
    """
    status = series.awx(targets, status=f"~{statuses}")
    return (
        f"sum by (namespace) (max by (namespace, status) "
        f"(clamp_min(delta(awx_status_total{status}[{window}]), 0)))"
    )


def ratio_or_zero(bad: str, total: str) -> str:
    """bad / total, and 0 (not nothing) when there were events but no bad ones."""
    return f"({bad} or 0 * {total}) / {total}"


def recording_rules(targets: MonitoringTargets) -> dict[str, Any]:
    exporter = series.exporter(targets)
    api_errors = series.exporter(targets, code=f"~{API_ERROR_CODES}")
    by = "name, namespace"
    rules = [
        record(
            "awx:pending_jobs:max",
            f"max by (namespace) (awx_pending_jobs_total{series.awx(targets)})",
        ),
        record(
            "awx:running_jobs:max",
            f"max by (namespace) (awx_running_jobs_total{series.awx(targets)})",
        ),
        record(
            "awx:task_capacity_used:ratio",
            f"max by ({by}) (awx_task_capacity_used{exporter})"
            f" / max by ({by}) (awx_task_capacity_total{exporter})",
        ),
        record(
            "awx:job_failure:ratio_rate1h",
            ratio_or_zero(
                jobs_finished(targets, FAILED_STATUSES, "1h"),
                jobs_finished(targets, FINISHED_STATUSES, "1h"),
            ),
        ),
        record(
            "awx:api_request_errors:ratio_rate5m",
            ratio_or_zero(
                f"sum by ({by}) (rate(awx_api_requests_total{api_errors}[5m]))",
                f"sum by ({by}) (rate(awx_api_requests_total{exporter}[5m]))",
            ),
        ),
        record(
            "awx:api_request_duration_seconds:p95_rate5m",
            f"histogram_quantile(0.95, sum by ({by}, le) "
            f"(rate(awx_api_request_duration_seconds_bucket{exporter}[5m])))",
        ),
    ]
    if targets.backup_interval_seconds is not None:
        rules.append(
            record(
                "awx:backup_age_seconds",
                f"time() - max by ({by}) "
                f"(awx_backup_last_success_timestamp_seconds{series.pushed(targets)})",
            )
        )
    return {"name": GROUP, "rules": rules}
