"""Fork enforcer: reconciliation passes, drift it corrected, errors, and how long passes take.

Metrics: runtime/reconciliation_metrics.py. A pass runs every minute by default, so counts are
shown per minute (`opm`) rather than as fractions of an event per second.
"""

from __future__ import annotations

from components.monitoring.dashboards.model import Panel, Query, Row, Step, ValueText
from components.monitoring.dashboards.promql import Scope, eq, percentile_queries, rate, series
from components.monitoring.targets import JOB_ENFORCER


def _per_minute(selector: str, by: str) -> str:
    return f"60 * sum by ({by}) ({rate(selector)})"


def enforcer_rows(scope: Scope) -> tuple[Row, ...]:
    passes = scope.enforcer("awx_reconciliation_total", eq("event_type", "pass"))
    drift = scope.enforcer("awx_reconciliation_total", 'event_type!="pass"')
    errors = scope.enforcer("awx_reconciliation_errors_total")
    buckets = "awx_reconciliation_duration_seconds_bucket"
    return (
        Row(
            "Reconciliation",
            (
                Panel(
                    "Enforcer up",
                    "Whether Prometheus scrapes the enforcer's /metrics (`up`). Down: the "
                    "Deployment <awx>-fork-enforcer has no ready pod.",
                    "none",
                    (
                        Query(
                            "max(" + series("up", eq("job", JOB_ENFORCER), scope.namespace) + ")",
                            "up",
                        ),
                    ),
                    kind="stat",
                    width=6,
                    height=6,
                    steps=(Step("red"), Step("green", 1)),
                    value_texts=(ValueText(1, "Up", "green"), ValueText(0, "Down", "red")),
                ),
                Panel(
                    "Reconciliation passes",
                    "Passes per minute (one per --interval, 60 s by default). Zero while the pod "
                    "is up means the loop is stuck; the liveness probe restarts it.",
                    "opm",
                    (Query(_per_minute(passes, "event_type"), "passes"),),
                    width=6,
                    height=6,
                    minimum=0,
                ),
                Panel(
                    "Drift corrections by kind",
                    "Items found off their configured value and patched back, per minute: "
                    "max_forks (MAX_FORKS), instance_group (max_forks / max_concurrent_jobs), "
                    "job_template (forks above the cap). Steady corrections mean something keeps "
                    "changing them back.",
                    "opm",
                    (Query(_per_minute(drift, "event_type"), "{{event_type}}"),),
                    width=12,
                    height=6,
                    minimum=0,
                    draw="bars",
                    stacked=True,
                ),
                Panel(
                    "Errors by type",
                    "Failed AWX API requests per minute by type: auth and forbidden (token or "
                    "user), not_found, connection, rejected (HTTP 400), read_only (set in "
                    "settings.py), server (5xx). AWXForkEnforcerFailing alerts on these.",
                    "opm",
                    (Query(_per_minute(errors, "error_type"), "{{error_type}}"),),
                    width=24,
                    height=7,
                    minimum=0,
                    draw="bars",
                    stacked=True,
                ),
            ),
        ),
        Row(
            "Duration",
            (
                Panel(
                    "Pass duration P50 / P95 / P99",
                    "How long a whole reconciliation pass takes (histogram "
                    "awx_reconciliation_duration_seconds, event_type pass). Passes near the "
                    "interval mean the AWX API is slow or there are many job templates to fix.",
                    "s",
                    percentile_queries(scope.enforcer(buckets, eq("event_type", "pass"))),
                    width=12,
                    minimum=0,
                ),
                Panel(
                    "Step duration P95",
                    "95th percentile per step of a pass (max_forks, instance_group, job_template).",
                    "s",
                    percentile_queries(
                        scope.enforcer(buckets, 'event_type!="pass"'), by=("event_type",)
                    )[1:2],
                    width=12,
                    minimum=0,
                ),
            ),
        ),
    )
