"""Metrics of backup, restore and drill runs, pushed to a Prometheus Pushgateway.

A run is a short-lived pod, so it pushes through the runtime's one pusher
(runtime/pushgateway.py): counters continue from the group's current values (previous + 1).
Two runs finishing in the same instant could lose one increment; the backup lock makes that
impossible for `create`.

Each group also carries `awx_runtime_events_failed_total`: Kubernetes Events the runs could
not record (runtime/events.py).

Groups: job `awx-backup` (create), `awx-restore` (restore), `awx-restore-drill` (drill), each
with the grouping labels name (AWX deployment) and namespace. A failed push is logged and does
not change the command's exit status: the backup itself is what matters, and a missing push
shows up as a stale `awx_backup_last_success_timestamp_seconds`.

prometheus_client (~12 MB of memory) is imported only when a push happens, after the data
pipeline has ended, so it never adds to a create's peak memory.
"""

from __future__ import annotations

import time
from typing import Any

from runtime.events import FAILED_HELP, FAILED_METRIC
from runtime.logs import log
from runtime.pushgateway import MetricsPusher


def _group(name: str, namespace: str) -> dict[str, str]:
    """The grouping labels of every backup, restore and drill group."""
    return {"name": name, "namespace": namespace}


def _safely(url: str | None, action: str, work: Any) -> None:
    if url is None:
        return
    try:
        work()
    except Exception as failure:
        log.error(
            f"could not push metrics to {url}: {failure}",
            extra={"event": "metrics-push-failed", "action": action},
        )


def push_backup(
    url: str | None,
    name: str,
    namespace: str,
    *,
    success: bool,
    duration: float,
    backup_name: str | None = None,
    size: int | None = None,
    events_failed: int = 0,
) -> None:
    def work() -> None:
        assert url is not None
        pusher = MetricsPusher(url, "awx-backup", _group(name, namespace))
        status = "success" if success else "failure"
        pusher.count("awx_backup", "Backup runs by result.", status)
        pusher.add(FAILED_METRIC, FAILED_HELP, events_failed)
        pusher.gauge("awx_backup_duration_seconds", "Duration of the last backup run.", duration)
        if success and backup_name is not None and size is not None:
            pusher.gauge(
                "awx_backup_size_bytes",
                "Stored size of the newest backup.",
                size,
                backup_name=backup_name,
            )
            pusher.gauge(
                "awx_backup_last_success_timestamp_seconds",
                "When the newest complete backup finished.",
                time.time(),
            )
        pusher.push()

    _safely(url, "backup", work)


def push_restore(
    url: str | None,
    name: str,
    namespace: str,
    success: bool,
    drill: bool,
    *,
    events_failed: int = 0,
) -> None:
    def work() -> None:
        assert url is not None
        job = "awx-restore-drill" if drill else "awx-restore"
        pusher = MetricsPusher(url, job, _group(name, namespace))
        status = "success" if success else "failure"
        pusher.count("awx_restore", "Restore runs by result.", status)
        pusher.add(FAILED_METRIC, FAILED_HELP, events_failed)
        if drill:
            pusher.count("awx_restore_drill", "Restore drills by result.", status)
            if success:
                pusher.gauge(
                    "awx_restore_drill_last_success_timestamp_seconds",
                    "When the last successful restore drill finished.",
                    time.time(),
                )
        pusher.push()

    _safely(url, "restore", work)
