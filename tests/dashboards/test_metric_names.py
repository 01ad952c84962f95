"""Dashboards query only metrics that exist: raw metrics of known sources or agreed recordings."""

from __future__ import annotations

import re

from prometheus_client.exposition import generate_latest

from runtime.forks.metrics import ReconciliationMetrics
from tests.dashboards.samples import expressions

CONTRACT_RECORDINGS = {
    "awx:pending_jobs:max",
    "awx:running_jobs:max",
    "awx:task_capacity_used:ratio",
    "awx:job_failure:ratio_rate1h",
    "awx:api_request_errors:ratio_rate5m",
    "awx:api_request_duration_seconds:p95_rate5m",
    "awx:backup_age_seconds",
    "slo:error_budget_remaining:ratio",
    *(
        f"slo:sli_error:ratio_rate{window}"
        for window in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
    ),
}
"""Recording rules the monitoring contract makes mon-rules define, by exactly these names."""
RAW_METRICS = {
    # the exporter (runtime/exporter/health/metrics.py, runtime/exporter/health/api_metrics.py)
    "awx_deployment_status",
    "awx_platform_component_health",
    "awx_pod_status",
    "awx_task_capacity_total",
    "awx_task_capacity_used",
    "awx_api_requests_total",
    "awx_api_request_duration_seconds_bucket",
    # AWX's /api/v2/metrics/ (REFERENCE.md)
    "awx_status_total",
    "awx_instance_remaining_capacity",
    # backup, restore and drill pods through the Pushgateway (runtime/backup/metrics.py)
    "awx_backup_total",
    "awx_backup_size_bytes",
    "awx_backup_duration_seconds",
    "awx_restore_total",
    "awx_restore_drill_total",
    "awx_restore_drill_last_success_timestamp_seconds",
    # the right-sizing advisor through the Pushgateway (runtime/rightsizing/publish.py)
    "awx_rightsizing_potential_monthly_savings",
    "awx_rightsizing_recommendation",
    # the fork enforcer (runtime/forks/metrics.py)
    "awx_reconciliation_total",
    "awx_reconciliation_errors_total",
    "awx_reconciliation_duration_seconds_bucket",
    # kube-prometheus-stack: kube-state-metrics, kubelet/cAdvisor, Prometheus itself
    "kube_deployment_status_replicas",
    "kube_deployment_status_replicas_available",
    "kube_horizontalpodautoscaler_status_desired_replicas",
    "kube_horizontalpodautoscaler_spec_min_replicas",
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "container_cpu_usage_seconds_total",
    "up",
}
KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "bool"}
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
IDENTIFIER = re.compile(r"(?<![\w:.])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()")


def metric_names(expr: str) -> set[str]:
    stripped = STRING.sub('""', expr)
    stripped = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", stripped)
    stripped = GROUPING.sub("", stripped)
    return {name for name in IDENTIFIER.findall(stripped) if name not in KEYWORDS}


def test_metric_name_extraction() -> None:
    expr = (
        'sum by (le) (rate(a_bucket{x="b(c)"}[5m])) / on (slo) group_left () '
        'label_replace(vector(0.5), "slo", "n", "", "") or time() - max(awx:backup_age_seconds)'
    )
    assert metric_names(expr) == {"a_bucket", "awx:backup_age_seconds"}


def test_only_known_metrics_and_contract_recordings() -> None:
    used: set[str] = set()
    for file, title, expr in expressions():
        names = metric_names(expr)
        assert names, f"{file}: {title}: no metric in {expr}"
        unknown = names - RAW_METRICS - CONTRACT_RECORDINGS
        assert not unknown, f"{file}: {title}: unknown metrics {sorted(unknown)}"
        used |= names
    recordings = {name for name in used if ":" in name}
    # The dashboards use every recording the contract names, so mon-rules must define them all.
    assert recordings == CONTRACT_RECORDINGS


def test_enforcer_metric_names_match_what_it_exposes() -> None:
    metrics = ReconciliationMetrics("awx", "awx")
    metrics.count("pass")
    metrics.error("auth")
    metrics.observe("pass", 0.2)
    exposed = set(re.findall(r"^(\w+)[{ ]", generate_latest(metrics.registry).decode(), re.M))
    used = {name for *_, expr in expressions() for name in metric_names(expr)}
    assert {name for name in used if name.startswith("awx_reconciliation")} <= exposed
