"""The SLOs a stack gets when its `monitoring.slos` is empty."""

from __future__ import annotations

from components.monitoring.rules import series
from components.monitoring.rules.recording import (
    API_ERROR_CODES,
    FAILED_STATUSES,
    FINISHED_STATUSES,
    jobs_finished,
)
from components.monitoring.rules.slo import WINDOW_PLACEHOLDER
from components.monitoring.targets import MonitoringTargets
from components.settings.monitoring import Slo

API_OBJECTIVE = 99.5
JOB_OBJECTIVE = 95.0
BACKUP_OBJECTIVE = 80.0
"""Backups run once a schedule gap (a day by default): any window shorter than that holds
one run, so its error ratio is 0 or 1. At 80% neither page condition (14.4x and 6x the
budget, i.e. above 100%) can ever hold: one failed backup makes a ticket, and a missing
backup pages through AWXBackupMissing instead."""


def default_slos(targets: MonitoringTargets) -> list[Slo]:
    window = WINDOW_PLACEHOLDER
    requests = series.exporter(targets)
    failed_requests = series.exporter(targets, code=f"~{API_ERROR_CODES}")
    slos = [
        Slo(
            name="awx-api-availability",
            objective=API_OBJECTIVE,
            description="AWX's API answers the exporter's probes without a 5xx or timeout",
            error_query=f"rate(awx_api_requests_total{failed_requests}[{window}])",
            total_query=f"rate(awx_api_requests_total{requests}[{window}])",
        ),
        Slo(
            name="awx-job-success",
            objective=JOB_OBJECTIVE,
            description="finished AWX jobs end successful, not failed or errored",
            error_query=jobs_finished(targets, FAILED_STATUSES, window),
            total_query=jobs_finished(targets, FINISHED_STATUSES, window),
        ),
    ]
    if targets.backup_interval_seconds is not None:
        slos.append(
            Slo(
                name="awx-backup-success",
                objective=BACKUP_OBJECTIVE,
                description="scheduled backups complete",
                error_query=(
                    "increase(awx_backup_total"
                    f"{series.pushed(targets, status='failure')}[{window}])"
                ),
                total_query=f"increase(awx_backup_total{series.pushed(targets)}[{window}])",
            )
        )
    return slos
