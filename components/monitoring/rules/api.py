"""Alerts on AWX's web tier and API, seen by the exporter's probes and by scraping."""

from __future__ import annotations

from typing import Any

from components.monitoring.rules import series
from components.monitoring.rules.alert import alert
from components.monitoring.targets import MonitoringTargets

GROUP = "awx-api"
API_ERROR_RATIO = 0.05
API_P95_SECONDS = 0.5
"""Half the exporter's one-second check deadline (a bucket bound of its histogram)."""


def api_alerts(targets: MonitoringTargets) -> dict[str, Any]:
    identity = series.identity(targets)
    web = series.kube_state(targets, deployment=targets.web_deployment)
    # absent() labels its answer with the selector's equality matchers, `job` included, so
    # each missing source stays a series of its own.
    absent = [
        f"absent(awx_pending_jobs_total{series.awx(targets)})",
        f"absent(awx_platform_component_health{series.exporter(targets)})",
    ]
    if targets.enforcer_enabled:
        absent.append(f"absent(awx_reconciliation_total{series.enforcer(targets)})")
    return {
        "name": GROUP,
        "rules": [
            alert(
                "AWXWebDown",
                "max by (namespace) (awx_platform_component_health"
                f"{series.exporter(targets, component='awx_api')}) == 0"
                f" or max by (namespace) (kube_deployment_status_replicas_available{web}) == 0",
                for_="5m",
                severity="critical",
                summary="AWX's web tier does not answer",
                description=(
                    "AWX in namespace {{ $labels.namespace }} has had no available web pod, "
                    f"or has not answered /api/v2/ping/ (Deployment {targets.web_deployment}), "
                    "for 5 minutes: the UI and API are down."
                ),
            ),
            alert(
                "AWXApiErrorRateHigh",
                f"awx:api_request_errors:ratio_rate5m{identity} > {API_ERROR_RATIO}",
                for_="10m",
                severity="critical",
                summary="AWX's API fails many requests",
                description=(
                    "{{ $value | humanizePercentage }} of the exporter's requests to the AWX "
                    "API of {{ $labels.name }} in namespace {{ $labels.namespace }} got a 5xx "
                    f"or no answer over 5 minutes (threshold {API_ERROR_RATIO:.0%})."
                ),
            ),
            alert(
                "AWXApiLatencyHigh",
                f"awx:api_request_duration_seconds:p95_rate5m{identity} > {API_P95_SECONDS}",
                for_="15m",
                severity="warning",
                summary="AWX's API answers slowly",
                description=(
                    "The 95th percentile of the AWX API's response time for {{ $labels.name }} "
                    "in namespace {{ $labels.namespace }} is {{ $value | humanizeDuration }} "
                    f"(threshold {API_P95_SECONDS}s)."
                ),
            ),
            alert(
                "AWXMetricsAbsent",
                " or ".join(absent),
                for_="15m",
                severity="warning",
                summary="Prometheus gets no AWX metrics",
                description=(
                    "No series from scrape job {{ $labels.job }} in namespace "
                    "{{ $labels.namespace }} for 15 minutes: the alerts that depend on it "
                    "are blind."
                ),
            ),
        ],
    }
