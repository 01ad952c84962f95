"""Backups: age of the last success, success rate, size, duration, restores and restore drills.

Backup, restore and drill pods push their metrics to the Pushgateway (runtime/backup/
metrics.py): counters `awx_backup_total{status}`, `awx_restore_total{status}`,
`awx_restore_drill_total{status}`, and gauges of the last run. A run is minutes apart from the
next, so `increase` over `$__rate_interval` shows each run as a bar where it happened.
"""

from __future__ import annotations

from components.monitoring.dashboards.model import Panel, Query, Row, Step
from components.monitoring.dashboards.promql import RANGE, Scope, eq, increase

DAY_SECONDS = 86400
WEEK_SECONDS = 7 * DAY_SECONDS


def backup_rows(scope: Scope, interval_seconds: int) -> tuple[Row, ...]:
    return (_status(scope, interval_seconds), _history(scope), _restores(scope))


def _age_steps(interval_seconds: int) -> tuple[Step, ...]:
    # Orange once a scheduled run is late, red when the next one is late too.
    return (
        Step("green"),
        Step("orange", float(interval_seconds)),
        Step("red", float(2 * interval_seconds)),
    )


def _success_ratio(scope: Scope, metric: str, window: str) -> str:
    runs = f"sum({increase(scope.pushed(metric), window)})"
    successes = f"sum({increase(scope.pushed(metric, eq('status', 'success')), window)})"
    return f"{successes} / {runs}"


def _status(scope: Scope, interval_seconds: int) -> Row:
    return Row(
        "Backup status",
        (
            Panel(
                "Time since last successful backup",
                "Age of the newest complete backup (recording rule awx:backup_age_seconds). "
                f"Orange after one schedule interval ({interval_seconds}s) without a success, "
                "red after two; AWXBackupMissing fires in between.",
                "s",
                (Query(f"max({scope.recorded('awx:backup_age_seconds')})", "age"),),
                kind="stat",
                width=6,
                height=5,
                steps=_age_steps(interval_seconds),
            ),
            Panel(
                "Backup success rate",
                "Successful backup runs out of all runs over the dashboard's time range. No "
                "value: no backup ran in the range.",
                "percentunit",
                (Query(_success_ratio(scope, "awx_backup_total", RANGE), "success"),),
                kind="stat",
                width=6,
                height=5,
                minimum=0,
                maximum=1,
                steps=(Step("red"), Step("orange", 0.9), Step("green", 1)),
            ),
            Panel(
                "Newest backup size",
                "Stored (compressed, encrypted) size of the newest complete backup.",
                "bytes",
                (Query(f"max({scope.pushed('awx_backup_size_bytes')})", "size"),),
                kind="stat",
                width=6,
                height=5,
            ),
            Panel(
                "Last backup duration",
                "How long the last backup run took, successful or not.",
                "s",
                (Query(f"max({scope.pushed('awx_backup_duration_seconds')})", "duration"),),
                kind="stat",
                width=6,
                height=5,
            ),
        ),
    )


def _history(scope: Scope) -> Row:
    return Row(
        "Backup history",
        (
            Panel(
                "Backup runs by result",
                "Backup runs that finished in each interval, by status (success, failure). A "
                "failure is followed by AWXBackupFailed; the backup pod's log names the step.",
                "short",
                (
                    Query(
                        f"sum by (status) ({increase(scope.pushed('awx_backup_total'))}) > 0",
                        "{{status}}",
                    ),
                ),
                width=8,
                draw="bars",
                stacked=True,
            ),
            Panel(
                "Backup size",
                "Size of the newest complete backup over time: a sudden drop can mean a "
                "truncated dump, steady growth is the database growing.",
                "bytes",
                (Query(f"max({scope.pushed('awx_backup_size_bytes')})", "size"),),
                width=8,
                minimum=0,
            ),
            Panel(
                "Backup duration",
                "Duration of each backup run over time; compare it with the schedule interval.",
                "s",
                (Query(f"max({scope.pushed('awx_backup_duration_seconds')})", "duration"),),
                width=8,
                minimum=0,
            ),
        ),
    )


def _restores(scope: Scope) -> Row:
    return Row(
        "Restores and restore drills",
        (
            Panel(
                "Time since last successful restore drill",
                "Age of the last restore drill that restored and checked the newest backup. "
                "Orange after a week (the default weekly drill schedule), red after two.",
                "s",
                (
                    Query(
                        "time() - max("
                        + scope.pushed("awx_restore_drill_last_success_timestamp_seconds")
                        + ")",
                        "age",
                    ),
                ),
                kind="stat",
                width=6,
                steps=(
                    Step("green"),
                    Step("orange", float(WEEK_SECONDS + DAY_SECONDS)),
                    Step("red", float(2 * WEEK_SECONDS + DAY_SECONDS)),
                ),
            ),
            Panel(
                "Restore drill success rate",
                "Successful restore drills out of all drills over the dashboard's time range. "
                "No value: no drill ran in the range (widen it to more than a week).",
                "percentunit",
                (Query(_success_ratio(scope, "awx_restore_drill_total", RANGE), "success"),),
                kind="stat",
                width=6,
                minimum=0,
                maximum=1,
                steps=(Step("red"), Step("green", 1)),
            ),
            Panel(
                "Restore and drill runs by result",
                "Restore runs by kind (job awx-restore: a restore into AWX's database; "
                "awx-restore-drill: the scheduled drill into a scratch database) and status.",
                "short",
                (
                    Query(
                        "sum by (job, status) ("
                        + increase(scope.pushed("awx_restore_total"))
                        + ") > 0",
                        "{{job}} {{status}}",
                    ),
                ),
                width=12,
                draw="bars",
                stacked=True,
            ),
        ),
    )
