"""Monitoring of AWX: the Prometheus stack, scraping, rules, routing and dashboards."""

from components.monitoring.awx_monitoring import AwxMonitoring, AwxMonitoringArgs
from components.monitoring.targets import monitoring_targets, object_storage_ports

__all__ = ["AwxMonitoring", "AwxMonitoringArgs", "monitoring_targets", "object_storage_ports"]
