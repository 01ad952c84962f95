"""What the rules and dashboards know about the scrape targets: `job` labels and names, and how
they follow from the stack configuration.

Every ServiceMonitor the monitoring component creates rewrites `job` to one of the JOB_*
values below (a relabeling with `targetLabel: job`), so rules and dashboards select by these
constants instead of by Service names the operator or a chart chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from components.config import StackConfig
from components.monitoring.schedule import longest_gap_seconds
from components.settings.backup import BackupSettings

HTTPS_PORT = 443

JOB_AWX = "awx-api"
"""AWX's /api/v2/metrics/ on the web Service (bearer token)."""
JOB_EXPORTER = "awx-platform-exporter"
"""`awx-runtime exporter` (awx_deployment_status, awx_pod_status, capacity, component health,
awx_api_requests_total{endpoint,code}, awx_api_request_duration_seconds{endpoint} histogram of
its API probes; `code` is the HTTP status or `none` when no response arrived)."""
JOB_ENFORCER = "awx-fork-enforcer"
"""`awx-runtime forks enforce` (awx_reconciliation_total/_errors_total/_duration_seconds)."""
JOB_POSTGRES_EXPORTER = "awx-postgres-exporter"
"""prometheus-postgres-exporter (pg_up, pg_stat_*)."""
JOB_REDIS_EXPORTER = "awx-redis-exporter"
"""redis_exporter (redis_up)."""
JOB_PUSHGATEWAY = "awx-pushgateway"
"""The Pushgateway the backup jobs push to (honorLabels: pushed labels win)."""
JOB_KUBE_STATE_METRICS = "kube-state-metrics"
"""kube-prometheus-stack's kube-state-metrics (its default job label)."""
JOB_KUBELET = "kubelet"
"""kube-prometheus-stack's kubelet scrape (kubelet_volume_stats_*)."""


@dataclass(frozen=True)
class MonitoringTargets:
    """The deployment the rules and dashboards watch."""

    namespace: str
    """Namespace of AWX (label `namespace` on every AWX-side series)."""
    instance: str
    """Name of the AWX custom resource (label `name` on awx-platform's own metrics)."""
    jobs_namespace: str
    """Namespace of the automation-job pods."""
    task_deployment: str
    """The task Deployment (`<instance>-task`), the HPA's target."""
    web_deployment: str
    """The web Deployment (`<instance>-web`)."""
    hpa_name: str | None
    """HorizontalPodAutoscaler of the task Deployment (None when scaling is off or KEDA)."""
    backup_interval_seconds: int | None
    """Longest gap between two scheduled backups (None when backups are off)."""
    enforcer_enabled: bool
    """Whether the fork enforcer runs (its alerts and panels exist only then)."""
    rightsizing_enabled: bool = False
    """Whether the right-sizing advisor runs in the cluster (its alert and panel exist then)."""


def monitoring_targets(config: StackConfig) -> MonitoringTargets:
    """What the rules and dashboards of this stack watch."""
    awx, scaling, backup = config.awx, config.autoscaling, config.backup
    # The HPA is named after the task Deployment; KEDA's ScaledObject owns its own HPA.
    hpa = awx.task_deployment if scaling.enabled and not scaling.queue_metric else None
    return MonitoringTargets(
        namespace=awx.namespace,
        instance=awx.name,
        jobs_namespace=scaling.job_pod.namespace_for(awx.namespace),
        task_deployment=awx.task_deployment,
        web_deployment=awx.web_deployment,
        hpa_name=hpa,
        backup_interval_seconds=longest_gap_seconds(backup.schedule) if backup.enabled else None,
        enforcer_enabled=scaling.enforcer.enabled,
        rightsizing_enabled=config.rightsizing.enabled,
    )


def object_storage_ports(backup: BackupSettings) -> tuple[int, ...]:
    """Ports backup pods reach their store on: HTTPS, plus an S3-compatible endpoint's own."""
    endpoint = backup.s3.endpoint_url if backup.s3 is not None else None
    if endpoint is None:
        return (HTTPS_PORT,)
    parts = urlsplit(endpoint)
    port = parts.port or (HTTPS_PORT if parts.scheme == "https" else 80)
    return tuple(sorted({HTTPS_PORT, port}))
