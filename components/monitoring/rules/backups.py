"""Alerts on backups and restores, from the metrics the backup jobs push to the Pushgateway.

Each run pushes its counters as previous + 1 (runtime/backup/metrics.py), so a failure is an
increase of `awx_backup_total{status="failure"}`; the very first run creates the series
already at 1, which `increase` cannot see, hence the second branch of the failure rules.
"""

from __future__ import annotations

from typing import Any

from components.monitoring.rules import series
from components.monitoring.rules.alert import alert
from components.monitoring.targets import MonitoringTargets

GROUP = "awx-backups"
FAILURE_WINDOW = "1h"
MIN_MARGIN_SECONDS = 3600
SIZE_DROP_RATIO = 0.5


def missing_after_seconds(interval_seconds: int) -> int:
    """The schedule's longest gap plus a margin for the job's start delay and run time: a
    quarter of the gap, and at least an hour."""
    return interval_seconds + max(MIN_MARGIN_SECONDS, interval_seconds // 4)


def duration(seconds: int) -> str:
    """Seconds as a Prometheus duration, largest units first: 108000 -> 1d6h."""
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _failed(metric: str, selector: str) -> str:
    window = FAILURE_WINDOW
    return (
        f"sum by (name, namespace) (increase({metric}{selector}[{window}])) > 0"
        f" or sum by (name, namespace) ({metric}{selector} > 0"
        f" unless {metric}{selector} offset {window})"
    )


def backup_alerts(targets: MonitoringTargets) -> dict[str, Any] | None:
    interval = targets.backup_interval_seconds
    if interval is None:
        return None
    limit = duration(missing_after_seconds(interval))
    lookback = duration(2 * missing_after_seconds(interval))
    last_success = f"awx_backup_last_success_timestamp_seconds{series.pushed(targets)}"
    size = f"awx_backup_size_bytes{series.pushed(targets)}"
    by = "name, namespace"
    return {
        "name": GROUP,
        "rules": [
            alert(
                "AWXBackupFailed",
                _failed("awx_backup_total", series.pushed(targets, status="failure")),
                for_="1m",
                severity="warning",
                summary="An AWX backup failed",
                description=(
                    "{{ $value | humanize }} failed backup run(s) of {{ $labels.name }} in "
                    f"namespace {{{{ $labels.namespace }}}} in the last {FAILURE_WINDOW}."
                ),
            ),
            alert(
                "AWXBackupMissing",
                f"time() - max by ({by}) ({last_success}) > {missing_after_seconds(interval)}",
                for_="5m",
                severity="critical",
                labels={"reason": "stale"},
                summary="No recent AWX backup",
                description=(
                    "The newest complete backup of {{ $labels.name }} in namespace "
                    "{{ $labels.namespace }} is {{ $value | humanizeDuration }} old; the "
                    f"schedule runs at least every {duration(interval)}, the limit is {limit}."
                ),
            ),
            # Before the first success there is no timestamp at all: wait a whole schedule
            # gap plus margin (counted from when Prometheus began seeing nothing). `reason`
            # keeps the two rules of one alert apart (promtool lints identical ones).
            alert(
                "AWXBackupMissing",
                f"absent({last_success})",
                for_=limit,
                severity="critical",
                labels={"reason": "absent"},
                summary="No successful AWX backup reported",
                description=(
                    "No successful backup of {{ $labels.name }} in namespace "
                    "{{ $labels.namespace }} has been reported for "
                    f"{limit} (the schedule's longest gap plus margin)."
                ),
            ),
            alert(
                "AWXBackupSizeDropped",
                f"max by ({by}) ({size}) < {SIZE_DROP_RATIO}"
                f" * max by ({by}) (max_over_time({size}[{lookback}]))",
                for_="5m",
                severity="warning",
                summary="The newest AWX backup is much smaller than before",
                description=(
                    "The newest backup of {{ $labels.name }} in namespace "
                    "{{ $labels.namespace }} is {{ $value | humanize1024 }}B, less than "
                    f"{SIZE_DROP_RATIO:.0%} of a recent one: check it is complete."
                ),
            ),
            alert(
                "AWXRestoreFailed",
                _failed("awx_restore_total", series.pushed(targets, status="failure")),
                for_="1m",
                severity="warning",
                summary="An AWX restore or restore drill failed",
                description=(
                    "{{ $value | humanize }} failed restore run(s) (restores and drills) of "
                    "{{ $labels.name }} in namespace {{ $labels.namespace }} in the last "
                    f"{FAILURE_WINDOW}: the backups may not be restorable."
                ),
            ),
        ],
    }
