"""Selectors for each source of metrics, scoped to the one AWX deployment the rules watch.

- AWX's own metrics (job JOB_AWX) carry no `name` label: `namespace` scopes them, and every
  web pod serves the same DB-wide values, so rules aggregate them with `max`.
- The exporter and the fork enforcer label their series `name` and `namespace` themselves.
- Backup metrics arrive through the Pushgateway with honorLabels: the pushed `job`
  (awx-backup, awx-restore, awx-restore-drill) wins over the ServiceMonitor's, so they are
  selected by `name` and `namespace` only (their metric names are ours alone).
"""

from __future__ import annotations

from components.monitoring.rules.alert import selector
from components.monitoring.targets import (
    JOB_AWX,
    JOB_ENFORCER,
    JOB_EXPORTER,
    JOB_KUBE_STATE_METRICS,
    JOB_KUBELET,
    JOB_POSTGRES_EXPORTER,
    JOB_REDIS_EXPORTER,
    MonitoringTargets,
)


def identity(targets: MonitoringTargets) -> str:
    """The recording rules' labels for series of awx-platform's own metrics."""
    return selector(name=targets.instance, namespace=targets.namespace)


def awx(targets: MonitoringTargets, **extra: str) -> str:
    return selector(job=JOB_AWX, namespace=targets.namespace, **extra)


def exporter(targets: MonitoringTargets, **extra: str) -> str:
    return selector(job=JOB_EXPORTER, namespace=targets.namespace, name=targets.instance, **extra)


def enforcer(targets: MonitoringTargets, **extra: str) -> str:
    return selector(job=JOB_ENFORCER, namespace=targets.namespace, name=targets.instance, **extra)


def pushed(targets: MonitoringTargets, **extra: str) -> str:
    return selector(namespace=targets.namespace, name=targets.instance, **extra)


def postgres_exporter(targets: MonitoringTargets) -> str:
    return selector(job=JOB_POSTGRES_EXPORTER, namespace=targets.namespace)


def redis_exporter(targets: MonitoringTargets) -> str:
    return selector(job=JOB_REDIS_EXPORTER, namespace=targets.namespace)


def kube_state(targets: MonitoringTargets, **extra: str) -> str:
    return selector(job=JOB_KUBE_STATE_METRICS, namespace=targets.namespace, **extra)


def kubelet(targets: MonitoringTargets) -> str:
    return selector(job=JOB_KUBELET, namespace=targets.namespace)
