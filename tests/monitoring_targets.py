"""Sample deployments for the rules and dashboards tests: everything on, and everything off."""

from components.monitoring.targets import MonitoringTargets

FULL = MonitoringTargets(
    namespace="awx",
    instance="awx",
    jobs_namespace="awx-jobs",
    task_deployment="awx-task",
    web_deployment="awx-web",
    hpa_name="awx-task",
    backup_interval_seconds=86400,
    enforcer_enabled=True,
    rightsizing_enabled=True,
)
"""Every optional source on, so every alert and panel exists."""
MINIMAL = MonitoringTargets(
    namespace="tower",
    instance="prod",
    jobs_namespace="tower-jobs",
    task_deployment="prod-task",
    web_deployment="prod-web",
    hpa_name=None,
    backup_interval_seconds=None,
    enforcer_enabled=False,
)
"""No HPA, no backups, no enforcer, and names unlike the defaults."""
