"""What the monitoring component learns from the rest of the stack configuration."""

from __future__ import annotations

from urllib.parse import urlsplit

from components.config import StackConfig
from components.monitoring.schedule import longest_gap_seconds
from components.monitoring.targets import MonitoringTargets
from components.settings.backup import BackupSettings

HTTPS_PORT = 443


def monitoring_targets(config: StackConfig) -> MonitoringTargets:
    awx, scaling, backup = config.awx, config.autoscaling, config.backup
    # The HPA is named after the task Deployment; KEDA's ScaledObject owns its own HPA.
    hpa = f"{awx.name}-task" if scaling.enabled and not scaling.queue_metric else None
    return MonitoringTargets(
        namespace=awx.namespace,
        instance=awx.name,
        jobs_namespace=scaling.job_pod.namespace_for(awx.namespace),
        task_deployment=f"{awx.name}-task",
        web_deployment=f"{awx.name}-web",
        hpa_name=hpa,
        backup_interval_seconds=longest_gap_seconds(backup.schedule) if backup.enabled else None,
        enforcer_enabled=scaling.enforcer.enabled,
    )


def object_storage_ports(backup: BackupSettings) -> tuple[int, ...]:
    """Ports backup pods reach their store on: HTTPS, plus an S3-compatible endpoint's own."""
    endpoint = backup.s3.endpoint_url if backup.s3 is not None else None
    if endpoint is None:
        return (HTTPS_PORT,)
    parts = urlsplit(endpoint)
    port = parts.port or (HTTPS_PORT if parts.scheme == "https" else 80)
    return tuple(sorted({HTTPS_PORT, port}))
