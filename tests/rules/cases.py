"""One scenario per alert: series that make it fire, series that keep it silent, and when.

Each scenario is checked three ways (tests/rules/test_alerts.py): with the failing series the
alert is silent at `before` (its condition holds, `for` has not passed) and fires at `after`
with exactly `labels` and `description`; with the healthy series it is silent at `after`.
Series use promtool's notation: `a+bxn` is n+1 samples from a in steps of b, `_xn` is n
gaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AWX = 'job="awx-api",namespace="awx"'
EXPORTER = 'job="awx-platform-exporter",namespace="awx",name="awx"'
ENFORCER = 'job="awx-fork-enforcer",namespace="awx",name="awx"'
KSM = 'job="kube-state-metrics",namespace="awx"'
PUSHED = 'job="awx-backup",instance="pushgateway:9091",namespace="awx",name="awx"'
RESTORE = 'job="awx-restore-drill",instance="pushgateway:9091",namespace="awx",name="awx"'
WEB_PODS = ('instance="10.0.0.1:8052"', 'instance="10.0.0.2:8052"')
RIGHTSIZED = 'job="awx-rightsizing",instance="pushgateway:9091",namespace="awx",name="awx"'
NS = {"namespace": "awx"}
IDENTITY = {"name": "awx", "namespace": "awx"}


def s(series: str, values: str) -> dict[str, str]:
    return {"series": series, "values": values}


def awx(metric: str, values: str, extra: str = "") -> list[dict[str, str]]:
    """AWX serves the same DB-wide value from every web pod: one series per pod."""
    labels = f"{AWX},{extra}" if extra else AWX
    return [s(f"{metric}{{{labels},{pod}}}", values) for pod in WEB_PODS]


@dataclass(frozen=True)
class Scenario:
    alert: str
    title: str
    failing: list[dict[str, str]]
    healthy: list[dict[str, str]]
    before: str
    after: str
    labels: dict[str, str]
    description: str
    interval: str = "1m"
    summary: str | None = None
    """Only for alerts with several rules of different summaries."""
    others: list[tuple[dict[str, str], str]] = field(default_factory=list)
    """Further alerts of the same name that fire at `after`: labels and description."""


def _status(failed: str, successful: str) -> list[dict[str, str]]:
    return awx("awx_status_total", successful, 'status="successful"') + (
        awx("awx_status_total", failed, 'status="failed"') if failed else []
    )


def _api(ok: str, errors: str | None, code: str = "502") -> list[dict[str, str]]:
    labels = f'{EXPORTER},endpoint="/api/v2/ping/"'
    found = [s(f'awx_api_requests_total{{{labels},code="200"}}', ok)]
    if errors is not None:
        found.append(s(f'awx_api_requests_total{{{labels},code="{code}"}}', errors))
    return found


def _latency(fast: str) -> list[dict[str, str]]:
    labels = f'{EXPORTER},endpoint="/api/v2/ping/"'
    metric = "awx_api_request_duration_seconds_bucket"
    return [
        s(f'{metric}{{{labels},le="0.1"}}', fast),
        s(f'{metric}{{{labels},le="0.5"}}', fast),
        s(f'{metric}{{{labels},le="1"}}', "0+10x60"),
        s(f'{metric}{{{labels},le="+Inf"}}', "0+10x60"),
    ]


def _health(component: str, value: str) -> list[dict[str, str]]:
    return [s(f'awx_platform_component_health{{{EXPORTER},component="{component}"}}', value)]


def _available(deployment: str, value: str) -> list[dict[str, str]]:
    metric = "kube_deployment_status_replicas_available"
    return [s(f'{metric}{{{KSM},deployment="{deployment}"}}', value)]


def _capacity(used: str) -> list[dict[str, str]]:
    return [
        s(f"awx_task_capacity_used{{{EXPORTER}}}", used),
        s(f"awx_task_capacity_total{{{EXPORTER}}}", "100x60"),
    ]


def _hpa(current: str) -> list[dict[str, str]]:
    labels = f'{KSM},horizontalpodautoscaler="awx-task"'
    return [
        s(f"kube_horizontalpodautoscaler_status_current_replicas{{{labels}}}", current),
        s(f"kube_horizontalpodautoscaler_spec_max_replicas{{{labels}}}", "5x60"),
        s(f"kube_horizontalpodautoscaler_spec_min_replicas{{{labels}}}", "1x60"),
    ]


def _volume(available: str) -> list[dict[str, str]]:
    labels = 'job="kubelet",namespace="awx",persistentvolumeclaim="postgres-15-awx-postgres-15-0"'
    return [
        s(f"kubelet_volume_stats_available_bytes{{{labels}}}", available),
        s(f"kubelet_volume_stats_capacity_bytes{{{labels}}}", "100e9x60"),
    ]


def _crash(value: str) -> list[dict[str, str]]:
    labels = f'{KSM},pod="awx-task-7d9f-x2x9q",container="awx-task",uid="u1"'
    return [
        s(f'kube_pod_container_status_waiting_reason{{{labels},reason="CrashLoopBackOff"}}', value)
    ]


def _backup(metric: str, failures: str, labels: str = PUSHED) -> list[dict[str, str]]:
    return [
        s(f'{metric}{{{labels},status="failure"}}', failures),
        s(f'{metric}{{{labels},status="success"}}', "1x150"),
    ]


# Backups every 86400 s: AWXBackupMissing waits 86400 + 21600 s = 30 h.
# Sampled every 10 minutes, the value being the sample's own time: always fresh.
FRESH_BACKUP = s(f"awx_backup_last_success_timestamp_seconds{{{PUSHED}}}", "0+600x200")
PRESENT = [
    *awx("awx_pending_jobs_total", "0x30"),
    *_health("database", "1x30"),
    s(f'awx_reconciliation_total{{{ENFORCER},event_type="pass"}}', "0+1x30"),
]

SCENARIOS = [
    Scenario(
        "AWXJobFailureRateHigh",
        "40% of finished jobs failed",
        failing=_status(failed="0+4x120", successful="0+6x120"),
        healthy=_status(failed="", successful="0+6x120"),
        before="10m",
        after="70m",
        labels=NS,
        description="40% of the jobs that finished in the last hour in namespace awx failed "
        "or errored (threshold 25%).",
    ),
    Scenario(
        "AWXJobsNotStarting",
        "3 pending, none running",
        failing=awx("awx_pending_jobs_total", "3x60") + awx("awx_running_jobs_total", "0x60"),
        healthy=awx("awx_pending_jobs_total", "3x60") + awx("awx_running_jobs_total", "2x60"),
        before="10m",
        after="20m",
        labels=NS,
        description="3 jobs are pending in namespace awx and none has been running for 15 "
        "minutes: the task pods' dispatcher is not starting jobs.",
    ),
    Scenario(
        "AWXCallbackReceiverBacklog",
        "20k events queued",
        failing=awx("callback_receiver_events_queue_size_redis", "20000x60", 'node="awx-task-a"'),
        healthy=awx("callback_receiver_events_queue_size_redis", "100x60", 'node="awx-task-a"'),
        before="10m",
        after="20m",
        labels=NS,
        description="20k job events wait for the callback receiver in namespace awx: job "
        "output lags and Redis memory grows.",
    ),
    Scenario(
        "AWXPendingJobsHigh",
        "25 pending jobs",
        failing=awx("awx_pending_jobs_total", "25x60") + awx("awx_running_jobs_total", "8x60"),
        healthy=awx("awx_pending_jobs_total", "2x60") + awx("awx_running_jobs_total", "8x60"),
        before="10m",
        after="20m",
        labels=NS,
        description="25 jobs have been pending for 15 minutes in namespace awx (threshold "
        "10): task capacity, the default group's max_forks or max_concurrent_jobs are used up.",
    ),
    Scenario(
        "AWXTaskCapacityExhausted",
        "all capacity used",
        failing=_capacity("100x60"),
        healthy=_capacity("50x60"),
        before="5m",
        after="20m",
        labels=IDENTITY,
        description="The task pods of awx in namespace awx use 100% of their capacity: new "
        "jobs stay pending.",
    ),
    Scenario(
        "AWXTaskCapacityLow",
        "85% capacity used",
        failing=_capacity("85x60"),
        healthy=_capacity("50x60"),
        before="20m",
        after="40m",
        labels=IDENTITY,
        description="The task pods of awx in namespace awx use 85% of their capacity.",
    ),
    Scenario(
        "AWXHpaMaxedOut",
        "5 of at most 5 task pods",
        failing=_hpa("5x60"),
        healthy=_hpa("3x60"),
        before="10m",
        after="20m",
        labels={"namespace": "awx", "horizontalpodautoscaler": "awx-task"},
        description="HPA awx-task in namespace awx has run 5 task pods, its maximum, for 15 "
        "minutes: it cannot add capacity.",
    ),
    Scenario(
        "AWXForkEnforcerFailing",
        "one failed request per minute",
        failing=[s(f'awx_reconciliation_errors_total{{{ENFORCER},error_type="auth"}}', "0+1x60")],
        healthy=[s(f'awx_reconciliation_errors_total{{{ENFORCER},error_type="auth"}}', "0x60")],
        before="10m",
        after="30m",
        labels=IDENTITY,
        description="The fork enforcer of awx in namespace awx had 15 failed AWX API requests "
        "in the last 15 minutes, for 15 minutes: fork limits may drift.",
    ),
    Scenario(
        "AWXForkLimitsDrifting",
        "20 corrections a minute from minute 30",
        failing=[
            s(f'awx_reconciliation_total{{{ENFORCER},event_type="job_template"}}', "0x30 20+20x60")
        ],
        healthy=[s(f'awx_reconciliation_total{{{ENFORCER},event_type="job_template"}}', "0x90")],
        before="33m",
        after="80m",
        labels=IDENTITY,
        description="The fork enforcer of awx in namespace awx corrected 1k drifted limits in "
        "the last hour.",
    ),
    Scenario(
        "AWXRightsizingRecommendations",
        "the weekly run pushed two recommendations that pass every gate",
        failing=[
            s(
                f'awx_rightsizing_recommendation{{{RIGHTSIZED},field="a",blocked_by="none"}}',
                "1x120",
            ),
            s(
                f'awx_rightsizing_recommendation{{{RIGHTSIZED},field="b",blocked_by="none"}}',
                "1x120",
            ),
            s(
                f'awx_rightsizing_recommendation{{{RIGHTSIZED},field="c",blocked_by="max-risk"}}',
                "1x120",
            ),
        ],
        healthy=[
            s(
                f'awx_rightsizing_recommendation{{{RIGHTSIZED},field="c",blocked_by="max-risk"}}',
                "1x120",
            ),
        ],
        before="50m",
        after="70m",
        labels=IDENTITY,
        description="2 right-sizing recommendations for awx in namespace awx pass every gate; "
        "the report is in the ConfigMap awx-rightsizing-report.",
    ),
    Scenario(
        "AWXWebDown",
        "the exporter's ping fails",
        failing=_health("awx_api", "0x60") + _available("awx-web", "2x60"),
        healthy=_health("awx_api", "1x60") + _available("awx-web", "2x60"),
        before="3m",
        after="10m",
        labels=NS,
        description="AWX in namespace awx has had no available web pod, or has not answered "
        "/api/v2/ping/ (Deployment awx-web), for 5 minutes: the UI and API are down.",
    ),
    Scenario(
        "AWXWebDown",
        "no web pod available",
        failing=_health("awx_api", "1x60") + _available("awx-web", "0x60"),
        healthy=_health("awx_api", "1x60") + _available("awx-web", "1x60"),
        before="3m",
        after="10m",
        labels=NS,
        description="AWX in namespace awx has had no available web pod, or has not answered "
        "/api/v2/ping/ (Deployment awx-web), for 5 minutes: the UI and API are down.",
    ),
    Scenario(
        "AWXApiErrorRateHigh",
        "20% of probes get a 502",
        failing=_api("0+8x60", "0+2x60"),
        healthy=_api("0+10x60", None),
        before="5m",
        after="30m",
        labels=IDENTITY,
        description="20% of the exporter's requests to the AWX API of awx in namespace awx "
        "got a 5xx or no answer over 5 minutes (threshold 5%).",
    ),
    Scenario(
        "AWXApiErrorRateHigh",
        "20% of probes get no answer",
        failing=_api("0+8x60", "0+2x60", code="none"),
        healthy=_api("0+10x60", "0x60", code="none"),
        before="5m",
        after="30m",
        labels=IDENTITY,
        description="20% of the exporter's requests to the AWX API of awx in namespace awx "
        "got a 5xx or no answer over 5 minutes (threshold 5%).",
    ),
    Scenario(
        "AWXApiLatencyHigh",
        "every probe takes 0.5-1 s",
        failing=_latency("0x60"),
        healthy=_latency("0+10x60"),
        before="10m",
        after="30m",
        labels=IDENTITY,
        description="The 95th percentile of the AWX API's response time for awx in namespace "
        "awx is 975ms (threshold 0.5s).",
    ),
    Scenario(
        "AWXDatabaseDown",
        "the exporter cannot use PostgreSQL",
        failing=_health("database", "0x60"),
        healthy=_health("database", "1x60"),
        before="1m",
        after="5m",
        labels=NS,
        description="AWX in namespace awx cannot use its database (connect, SELECT 1, or the "
        "server is a read-only standby) for 2 minutes: AWX is down.",
    ),
    Scenario(
        "AWXDatabaseDown",
        "postgres-exporter reports pg_up 0",
        failing=[s('pg_up{job="awx-postgres-exporter",namespace="awx",instance="e:9187"}', "0x60")],
        healthy=[s('pg_up{job="awx-postgres-exporter",namespace="awx",instance="e:9187"}', "1x60")],
        before="1m",
        after="5m",
        labels=NS,
        description="AWX in namespace awx cannot use its database (connect, SELECT 1, or the "
        "server is a read-only standby) for 2 minutes: AWX is down.",
    ),
    Scenario(
        "AWXRedisDown",
        "the exporter gets no PONG",
        failing=_health("redis", "0x60"),
        healthy=_health("redis", "0.5x60"),
        before="3m",
        after="10m",
        labels=NS,
        description="Redis of AWX in namespace awx has not answered PING for 5 minutes: job "
        "events and the dispatcher stall.",
    ),
    Scenario(
        "AWXRedisDown",
        "redis_exporter reports redis_up 0",
        failing=[s('redis_up{job="awx-redis-exporter",namespace="awx",instance="r:9121"}', "0x60")],
        healthy=[s('redis_up{job="awx-redis-exporter",namespace="awx",instance="r:9121"}', "1x60")],
        before="3m",
        after="10m",
        labels=NS,
        description="Redis of AWX in namespace awx has not answered PING for 5 minutes: job "
        "events and the dispatcher stall.",
    ),
    Scenario(
        "AWXTaskPodsDown",
        "no task pod available",
        failing=_available("awx-task", "0x60"),
        healthy=_available("awx-task", "2x60"),
        before="3m",
        after="10m",
        labels=NS,
        description="Deployment awx-task in namespace awx has had no available pod for 5 "
        "minutes: no job can start.",
    ),
    Scenario(
        "AWXDeploymentDegraded",
        "deployment status 0.5",
        failing=[s(f"awx_deployment_status{{{EXPORTER}}}", "0.5x60")],
        healthy=[s(f"awx_deployment_status{{{EXPORTER}}}", "1x60")],
        before="10m",
        after="20m",
        labels=IDENTITY,
        description="AWX awx in namespace awx reports deployment status 0.5 (1 healthy, 0.5 "
        "degraded, 0 unhealthy) for 15 minutes.",
    ),
    Scenario(
        "AWXPodCrashLooping",
        "a task container in CrashLoopBackOff",
        failing=_crash("1x60"),
        healthy=_crash("0x60"),
        before="10m",
        after="20m",
        labels={"namespace": "awx", "pod": "awx-task-7d9f-x2x9q", "container": "awx-task"},
        description="Container awx-task of pod awx-task-7d9f-x2x9q in namespace awx has been in "
        "CrashLoopBackOff for 15 minutes.",
    ),
    Scenario(
        "AWXPvcAlmostFull",
        "5 GB of 100 GB free",
        failing=_volume("5e9x60"),
        healthy=_volume("50e9x60"),
        before="5m",
        after="20m",
        labels={"namespace": "awx", "persistentvolumeclaim": "postgres-15-awx-postgres-15-0"},
        description="PersistentVolumeClaim postgres-15-awx-postgres-15-0 in namespace awx has "
        "only 5% free.",
    ),
    Scenario(
        "AWXBackupFailed",
        "the failure counter goes from 0 to 1 at minute 41",
        failing=_backup("awx_backup_total", "0x40 1x110"),
        healthy=_backup("awx_backup_total", "0x150"),
        before="41m",
        after="90m",
        labels=IDENTITY,
        description="1 failed backup run(s) of awx in namespace awx in the last 1h.",
    ),
    Scenario(
        "AWXBackupFailed",
        "the very first run fails (the series appears at 1, minute 40)",
        failing=_backup("awx_backup_total", "_x40 1x110"),
        healthy=_backup("awx_backup_total", "_x40 0x110"),
        before="40m",
        after="90m",
        labels=IDENTITY,
        description="1 failed backup run(s) of awx in namespace awx in the last 1h.",
    ),
    Scenario(
        "AWXBackupMissing",
        "the last success is 30 h 20 m old",
        failing=[s(f"awx_backup_last_success_timestamp_seconds{{{PUSHED}}}", "0x200")],
        healthy=[FRESH_BACKUP],
        before="1810m",
        after="1820m",
        interval="10m",
        labels={**IDENTITY, "reason": "stale"},
        summary="No recent AWX backup",
        description="The newest complete backup of awx in namespace awx is 1d 6h 20m 0s old; "
        "the schedule runs at least every 1d, the limit is 1d6h.",
    ),
    Scenario(
        "AWXBackupMissing",
        "no backup has ever succeeded",
        failing=[s(f'awx_backup_total{{{PUSHED},status="failure"}}', "1x200")],
        healthy=[FRESH_BACKUP],
        before="1790m",
        after="1810m",
        interval="10m",
        labels={**IDENTITY, "reason": "absent"},
        summary="No successful AWX backup reported",
        description="No successful backup of awx in namespace awx has been reported for "
        "1d6h (the schedule's longest gap plus margin).",
    ),
    Scenario(
        "AWXBackupSizeDropped",
        "a 100 MB backup after a 1 GB one",
        failing=[
            s(f'awx_backup_size_bytes{{{PUSHED},backup_name="b1"}}', "1e9x40"),
            s(f'awx_backup_size_bytes{{{PUSHED},backup_name="b2"}}', "_x40 1e8x60"),
        ],
        healthy=[
            s(f'awx_backup_size_bytes{{{PUSHED},backup_name="b1"}}', "1e9x40"),
            s(f'awx_backup_size_bytes{{{PUSHED},backup_name="b2"}}', "_x40 9e8x60"),
        ],
        before="48m",
        after="70m",
        labels=IDENTITY,
        description="The newest backup of awx in namespace awx is 95.37MiB, less than 50% of a "
        "recent one: check it is complete.",
    ),
    Scenario(
        "AWXRestoreFailed",
        "a restore drill fails at minute 41",
        failing=_backup("awx_restore_total", "0x40 1x110", RESTORE),
        healthy=_backup("awx_restore_total", "0x150", RESTORE),
        before="41m",
        after="90m",
        labels=IDENTITY,
        description="1 failed restore run(s) (restores and drills) of awx in namespace awx in "
        "the last 1h: the backups may not be restorable.",
    ),
    Scenario(
        "AWXMetricsAbsent",
        "nothing scraped at all",
        failing=[s('up{job="other"}', "1x60")],
        healthy=PRESENT,
        before="10m",
        after="20m",
        labels={"job": "awx-api", "namespace": "awx"},
        description="No series from scrape job awx-api in namespace awx for 15 minutes: the "
        "alerts that depend on it are blind.",
        others=[
            (
                {"job": job, "namespace": "awx", "name": "awx"},
                f"No series from scrape job {job} in namespace awx for 15 minutes: the alerts "
                "that depend on it are blind.",
            )
            for job in ("awx-platform-exporter", "awx-fork-enforcer")
        ],
    ),
]
