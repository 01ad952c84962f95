"""kube-prometheus-stack: the Helm values, and the Secrets the release reads by name.

The release name is `monitoring.release_label`, so the chart's Prometheus selects our
ServiceMonitors and PrometheusRule by the same `release` label in both modes (installed or
attached). Secrets are never chart values: Grafana's admin credentials and Alertmanager's
configuration are Secrets created before the release and named in its values, so no key,
webhook or password ends up in the release's values or in Helm's history.
"""

from __future__ import annotations

from typing import Any

from components.pods import kubernetes_resources
from components.settings.monitoring import MonitoringSettings

CHART = "kube-prometheus-stack"
GRAFANA_USER_KEY = "admin-user"
GRAFANA_PASSWORD_KEY = "admin-password"
DASHBOARD_LABEL = "grafana_dashboard"
FOLDER_ANNOTATION = "grafana_folder"


def grafana_secret_name(settings: MonitoringSettings) -> str:
    return settings.grafana.admin_password_secret or f"{settings.release_label}-grafana-admin"


def alertmanager_secret_name(settings: MonitoringSettings) -> str:
    return f"{settings.release_label}-alertmanager-config"


def _volume(size: str, storage_class: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": size}},
    }
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    return {"volumeClaimTemplate": {"spec": spec}}


def chart_values(settings: MonitoringSettings) -> dict[str, Any]:
    prometheus = settings.prometheus
    prometheus_spec: dict[str, Any] = {
        "retention": prometheus.retention,
        "replicas": prometheus.replicas,
        "resources": kubernetes_resources(prometheus.resources),
        "storageSpec": _volume(prometheus.storage_size, prometheus.storage_class),
        # Replicas on separate nodes when the scheduler can manage it.
        "podAntiAffinity": "soft",
        "externalLabels": {"cluster_monitoring": settings.release_label},
    }
    if prometheus.retention_size is not None:
        prometheus_spec["retentionSize"] = prometheus.retention_size
    alertmanager = settings.alertmanager
    grafana: dict[str, Any] = {"enabled": settings.grafana.enabled}
    if settings.grafana.enabled:
        grafana.update(
            {
                "admin": {
                    "existingSecret": grafana_secret_name(settings),
                    "userKey": GRAFANA_USER_KEY,
                    "passwordKey": GRAFANA_PASSWORD_KEY,
                },
                "sidecar": {
                    "dashboards": {
                        "enabled": True,
                        "label": DASHBOARD_LABEL,
                        "labelValue": "1",
                        "searchNamespace": "ALL",
                        "folderAnnotation": FOLDER_ANNOTATION,
                        "provider": {"foldersFromFilesStructure": True},
                    }
                },
                "persistence": {
                    "enabled": settings.grafana.persistence_size is not None,
                    **(
                        {"size": settings.grafana.persistence_size}
                        if settings.grafana.persistence_size
                        else {}
                    ),
                },
            }
        )
    return {
        "fullnameOverride": settings.release_label,
        "prometheus": {"prometheusSpec": prometheus_spec},
        "alertmanager": {
            "alertmanagerSpec": {
                "replicas": alertmanager.replicas,
                "configSecret": alertmanager_secret_name(settings),
                "storage": _volume(alertmanager.storage_size, prometheus.storage_class),
                "podAntiAffinity": "soft",
            }
        },
        "grafana": grafana,
    }
