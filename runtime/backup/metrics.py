"""Metrics of backup, restore and drill runs, pushed to a Prometheus Pushgateway.

A run is a short-lived pod, so it pushes (POST: only the metric names it sends are replaced
in its group). Counters must keep counting across runs, but each run starts from zero: before
pushing, the run reads the group's current values from the Pushgateway API (/api/v1/metrics)
and pushes previous + 1. Two runs finishing in the same instant could lose one increment; the
backup lock makes that impossible for `create`.

Each group also carries `awx_runtime_events_failed_total`: Kubernetes Events the runs could
not record (runtime/events.py).

Groups: job `awx-backup` (create), `awx-restore` (restore), `awx-restore-drill` (drill), each
with the grouping labels name (AWX deployment) and namespace. A failed push is logged and does
not change the command's exit status: the backup itself is what matters, and a missing push
shows up as a stale `awx_backup_last_success_timestamp_seconds`.

prometheus_client (~12 MB of memory) is imported only when a push happens, after the data
pipeline has ended, so it never adds to a create's peak memory; the current values are read
with the standard library for the same reason.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime.events import FAILED_HELP, FAILED_METRIC
from runtime.logs import log

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

STATUSES = ("success", "failure")
_TIMEOUT_SECONDS = 10.0


@dataclass
class MetricsPusher:
    url: str | None
    job: str
    name: str
    namespace: str
    _registry: CollectorRegistry = field(init=False)

    def __post_init__(self) -> None:
        from prometheus_client import CollectorRegistry  # noqa: PLC0415

        self._registry = CollectorRegistry()

    @property
    def grouping(self) -> dict[str, str]:
        return {"name": self.name, "namespace": self.namespace}

    def _current(self, metric: str) -> dict[str, float]:
        """The group's current value of counter `metric` per status ({} if never pushed; a
        counter without a status label is under "")."""
        import urllib.request  # noqa: PLC0415  (with http.client and ssl: ~5 MB)

        assert self.url is not None
        address = f"{self.url.rstrip('/')}/api/v1/metrics"
        with urllib.request.urlopen(address, timeout=_TIMEOUT_SECONDS) as response:
            groups = json.load(response).get("data", [])
        values: dict[str, float] = {}
        for group in groups:
            labels = group.get("labels", {})
            wanted = {"job": self.job, **self.grouping}
            if any(labels.get(key) != value for key, value in wanted.items()):
                continue
            family: dict[str, Any] = group.get(metric) or {}
            for sample in family.get("metrics", []):
                values[sample.get("labels", {}).get("status", "")] = float(sample["value"])
        return values

    def count(self, metric: str, help_text: str, status: str) -> None:
        """Add one to `<metric>_total{status}` on top of the Pushgateway's current value."""
        from prometheus_client import Counter  # noqa: PLC0415

        assert self.url is not None
        current = self._current(f"{metric}_total")
        counter = Counter(
            metric, help_text, ["name", "namespace", "status"], registry=self._registry
        )
        for each in STATUSES:
            child = counter.labels(self.name, self.namespace, each)
            child.inc(current.get(each, 0.0) + (1 if each == status else 0))

    def add(self, metric: str, help_text: str, amount: int) -> None:
        """Add `amount` to `<metric>_total` (no status label) on top of its current value."""
        from prometheus_client import Counter  # noqa: PLC0415

        assert self.url is not None
        current = self._current(f"{metric}_total").get("", 0.0)
        counter = Counter(metric, help_text, ["name", "namespace"], registry=self._registry)
        counter.labels(self.name, self.namespace).inc(current + amount)

    def gauge(self, metric: str, help_text: str, value: float, **labels: str) -> None:
        from prometheus_client import Gauge  # noqa: PLC0415

        names = ["name", "namespace", *labels]
        gauge = Gauge(metric, help_text, names, registry=self._registry)
        gauge.labels(self.name, self.namespace, *labels.values()).set(value)

    def push(self) -> None:
        from prometheus_client import pushadd_to_gateway  # noqa: PLC0415

        assert self.url is not None
        pushadd_to_gateway(
            self.url,
            job=self.job,
            registry=self._registry,
            grouping_key=self.grouping,
            timeout=_TIMEOUT_SECONDS,
        )


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
        pusher = MetricsPusher(url, "awx-backup", name, namespace)
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
        pusher = MetricsPusher(
            url, "awx-restore-drill" if drill else "awx-restore", name, namespace
        )
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
