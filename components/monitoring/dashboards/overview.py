"""AWX overview: deployment health, pods, jobs, capacity, task scaling and API latency."""

from __future__ import annotations

from components.monitoring.dashboards.model import Panel, Query, Row, Step, ValueText
from components.monitoring.dashboards.promql import Scope, eq, percentile_queries, rate

HEALTH_TEXTS = (
    ValueText(1, "Healthy", "green"),
    ValueText(0.5, "Degraded", "orange"),
    ValueText(0, "Unhealthy", "red"),
)
HEALTH_STEPS = (Step("red"), Step("orange", 0.5), Step("green", 1))
RATIO_STEPS = (Step("green"), Step("orange", 0.8), Step("red", 0.95))


def overview_rows(scope: Scope) -> tuple[Row, ...]:
    return (
        _health(scope),
        _jobs(scope),
        _capacity(scope),
        _scaling(scope),
        _api(scope),
    )


def _health(scope: Scope) -> Row:
    targets = scope.targets
    return Row(
        "Deployment health",
        (
            Panel(
                "Deployment status",
                "The exporter's verdict on the AWX resource and its web and task pods: Healthy, "
                "Degraded (some web or task pod not Running and Ready) or Unhealthy (resource "
                "missing or failed, or no web or task pod ready). No value: the exporter cannot "
                "reach the Kubernetes API.",
                "none",
                (Query(f"max({scope.exporter('awx_deployment_status')})"),),
                kind="stat",
                width=6,
                height=5,
                steps=HEALTH_STEPS,
                value_texts=HEALTH_TEXTS,
            ),
            Panel(
                "Component health",
                "Health of each dependency the exporter checks (database, redis, awx_api, "
                "task_capacity, kubernetes, deployment): 1 healthy, 0.5 degraded, 0 unhealthy. "
                "GET /health on the exporter gives the reason.",
                "none",
                (
                    Query(
                        f"max by (component) ({scope.exporter('awx_platform_component_health')})",
                        "{{component}}",
                    ),
                ),
                kind="stat",
                width=12,
                height=5,
                steps=HEALTH_STEPS,
                value_texts=HEALTH_TEXTS,
            ),
            Panel(
                "Web and task pods ready",
                "Available replicas of the web and task Deployments (kube-state-metrics); 0 "
                "means that part of AWX is down.",
                "short",
                tuple(
                    Query(
                        "sum("
                        + scope.kube_state(
                            "kube_deployment_status_replicas_available",
                            eq("deployment", deployment),
                        )
                        + ")",
                        deployment,
                    )
                    for deployment in (targets.web_deployment, targets.task_deployment)
                ),
                kind="stat",
                width=6,
                height=5,
                steps=(Step("red"), Step("green", 1)),
            ),
            Panel(
                "Pods by type and phase",
                "AWX pods per type (web, task, postgres, other) and phase, as the exporter "
                "lists them. Pending or Failed pods that stay are worth a `kubectl describe`.",
                "short",
                (
                    Query(
                        "sum by (pod_type, phase) (" + scope.exporter("awx_pod_status") + ") > 0",
                        "{{pod_type}} {{phase}}",
                    ),
                ),
                width=24,
                height=7,
                stacked=True,
            ),
        ),
    )


def _jobs(scope: Scope) -> Row:
    return Row(
        "Jobs",
        (
            Panel(
                "Pending and running jobs",
                "Jobs waiting for capacity and jobs running (AWX's DB-wide gauges, max over the "
                "web pods). Pending that keeps growing while running stays flat means AWX is out "
                "of capacity or an instance group limit is reached.",
                "short",
                (
                    Query(f"max({scope.recorded('awx:pending_jobs:max')})", "pending"),
                    Query(f"max({scope.recorded('awx:running_jobs:max')})", "running"),
                ),
                width=12,
            ),
            Panel(
                "Job failure ratio (1h)",
                "Share of finished jobs that failed or errored over the last hour (recording "
                "rule awx:job_failure:ratio_rate1h).",
                "percentunit",
                (Query(f"max({scope.recorded('awx:job_failure:ratio_rate1h')})", "failed"),),
                width=6,
                minimum=0,
                steps=(Step("green"), Step("orange", 0.1), Step("red", 0.25)),
                threshold_lines=True,
            ),
            Panel(
                "Jobs by status",
                "Number of jobs AWX holds in each status (awx_status_total, a gauge counted from "
                "the database).",
                "short",
                (
                    Query(
                        f"max by (status) ({scope.awx('awx_status_total')})",
                        "{{status}}",
                    ),
                ),
                width=6,
            ),
        ),
    )


def _capacity(scope: Scope) -> Row:
    return Row(
        "Capacity",
        (
            Panel(
                "Task capacity used",
                "Consumed share of the control (task) nodes' capacity; each running job costs "
                "its controlling node one unit. Near 100% new jobs stay pending.",
                "percentunit",
                (Query(f"max({scope.recorded('awx:task_capacity_used:ratio')})", "used"),),
                kind="stat",
                width=6,
                minimum=0,
                maximum=1,
                steps=RATIO_STEPS,
            ),
            Panel(
                "Task capacity: used and total",
                "Capacity units of the enabled control and hybrid instances, as the exporter "
                "reads them from /api/v2/instances/.",
                "short",
                (
                    Query(f"max({scope.exporter('awx_task_capacity_used')})", "used"),
                    Query(f"max({scope.exporter('awx_task_capacity_total')})", "total"),
                ),
                width=9,
            ),
            Panel(
                "Remaining capacity per instance",
                "awx_instance_remaining_capacity per AWX instance (max over the web pods, which "
                "all serve the same values). An instance at 0 takes no new work.",
                "short",
                (
                    Query(
                        "max by (hostname, node_type) ("
                        + scope.awx("awx_instance_remaining_capacity")
                        + ")",
                        "{{hostname}} ({{node_type}})",
                    ),
                ),
                width=9,
            ),
        ),
    )


def _scaling(scope: Scope) -> Row:
    targets = scope.targets
    task = eq("deployment", targets.task_deployment)
    replicas = [
        Query(
            f"sum({scope.kube_state('kube_deployment_status_replicas', task)})",
            "task replicas",
        ),
        Query(
            f"sum({scope.kube_state('kube_deployment_status_replicas_available', task)})",
            "task available",
        ),
    ]
    description = "Replicas of the task Deployment (kube-state-metrics)."
    if targets.hpa_name is not None:
        hpa = eq("horizontalpodautoscaler", targets.hpa_name)
        replicas += [
            Query(f"max({scope.kube_state(metric, hpa)})", legend)
            for metric, legend in (
                ("kube_horizontalpodautoscaler_status_desired_replicas", "HPA desired"),
                ("kube_horizontalpodautoscaler_spec_min_replicas", "HPA min"),
                ("kube_horizontalpodautoscaler_spec_max_replicas", "HPA max"),
            )
        ]
        description = (
            f"Replicas of the task Deployment against the bounds of HPA {targets.hpa_name} "
            "(kube-state-metrics). Replicas pinned at max while jobs pend: raise "
            "max_task_replicas or add nodes."
        )
    panels: tuple[Panel, ...] = ()
    if targets.rightsizing_enabled:
        panels = (_rightsizing(scope),)
    return Row(
        "Task scaling",
        (
            *panels,
            Panel(
                "Task replicas vs autoscaler bounds",
                description,
                "short",
                tuple(replicas),
                width=12,
                minimum=0,
            ),
            Panel(
                "Task pod CPU",
                "CPU used by the task pods' containers (cAdvisor through the kubelet), the "
                "HPA's scaling signal next to memory.",
                "cores",
                (
                    Query(
                        "sum by (pod) ("
                        + rate(
                            scope.kubelet(
                                "container_cpu_usage_seconds_total",
                                f'pod=~"{targets.task_deployment}-.*"',
                                'container!=""',
                            )
                        )
                        + ")",
                        "{{pod}}",
                    ),
                ),
                width=12,
                minimum=0,
            ),
        ),
    )


def _rightsizing(scope: Scope) -> Panel:
    job = eq("job", "awx-rightsizing")
    return Panel(
        "Right-sizing: savings and recommendations",
        "The weekly advisor's last run (docs/rightsizing.md): monthly savings of the "
        "recommendations that pass every gate, and how many pass or are held back; the report "
        "is in the ConfigMap <awx>-rightsizing-report.",
        "short",
        (
            Query(
                f"max({scope.pushed('awx_rightsizing_potential_monthly_savings', job)})",
                "monthly savings",
            ),
            Query(
                "count("
                + scope.pushed("awx_rightsizing_recommendation", job, eq("blocked_by", "none"))
                + ")",
                "passing every gate",
            ),
            Query(
                "count("
                + scope.pushed("awx_rightsizing_recommendation", job, 'blocked_by!="none"')
                + ")",
                "held back",
            ),
        ),
        width=24,
    )


def _api(scope: Scope) -> Row:
    buckets = scope.exporter("awx_api_request_duration_seconds_bucket")
    return Row(
        "AWX API",
        (
            Panel(
                "API latency P50 / P95 / P99",
                "Latency of the exporter's probes of the AWX API (/api/v2/ping/ and "
                "/api/v2/instances/), from the awx_api_request_duration_seconds histogram.",
                "s",
                percentile_queries(buckets),
                width=12,
                minimum=0,
            ),
            Panel(
                "API P95 latency per endpoint",
                "95th percentile per probed endpoint; tells a slow database-backed listing "
                "(instances) from a slow web tier (ping).",
                "s",
                percentile_queries(buckets, by=("endpoint",))[1:2],
                width=12,
                minimum=0,
            ),
            Panel(
                "API error ratio (5m)",
                "Share of the exporter's AWX API probes answered with an error or not at all "
                "(recording rule awx:api_request_errors:ratio_rate5m).",
                "percentunit",
                (Query(f"max({scope.recorded('awx:api_request_errors:ratio_rate5m')})", "errors"),),
                width=8,
                minimum=0,
                steps=(Step("green"), Step("orange", 0.01), Step("red", 0.05)),
                threshold_lines=True,
            ),
            Panel(
                "API requests by status code",
                "Probe requests per second by HTTP status code (`none`: no response arrived: "
                "refused, reset or timed out).",
                "reqps",
                (
                    Query(
                        f"sum by (code) ({rate(scope.exporter('awx_api_requests_total'))})",
                        "{{code}}",
                    ),
                ),
                width=8,
                stacked=True,
            ),
            Panel(
                "API P95 latency (5m, recorded)",
                "The value AWXApiLatencyHigh alerts on (recording rule "
                "awx:api_request_duration_seconds:p95_rate5m).",
                "s",
                (
                    Query(
                        f"max({scope.recorded('awx:api_request_duration_seconds:p95_rate5m')})",
                        "p95",
                    ),
                ),
                kind="stat",
                width=8,
                steps=(Step("green"), Step("orange", 1), Step("red", 2)),
            ),
        ),
    )
