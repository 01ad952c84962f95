"""Generated Prometheus history of one AWX with known distributions, per container.

Each container embodies one case the advisor must get right (docs/rightsizing.md):

| where | case |
|---|---|
| awx-web (web pod) | over-provisioned: ~0.08 core and ~350Mi against 250m/1Gi requests, 2Gi limit |
| awx-task (task pods) | HPA-scaled: one load shared by 2 pods, 3 in business-hour bursts |
| awx-ee (task pods) | CPU-throttled: bursts at its 1-core limit, CFS counters show it |
| redis (both pods) | OOM-killed once in task pod a, at its 512Mi limit |
| awx-rsyslog (both pods) | under-provisioned memory: peaks near its 256Mi limit |
| postgres | busy, but protected by default |
| worker (job pods) | 30 short job pods; one OOM-killed at the 2Gi job-pod limit |
| awx-fresh namespace | a second AWX with two days of history only |

Series are regular (one sample per `step` seconds, contiguous per series) and kept as arrays so
the tests can compute the expected percentiles themselves, independently of Prometheus.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

MIB = 1 << 20
END = int(datetime(2026, 12, 1, tzinfo=UTC).timestamp())
"""Fixed end of the history: the cache stays valid, and the advisor runs with --until END."""


@dataclass(frozen=True)
class Parameters:
    days: int = 14
    step: int = 60
    seed: int = 17
    jobs: int = 30
    end: int = END


@dataclass
class Series:
    name: str
    labels: dict[str, str]
    start: int
    """Timestamp (seconds) of the first sample; one sample every `step` after it."""
    step: int
    values: array[float] = field(default_factory=lambda: array("d"))

    def samples(self) -> Iterator[tuple[int, float]]:
        for index, value in enumerate(self.values):
            yield self.start + index * self.step, value

    @property
    def end(self) -> int:
        return self.start + (len(self.values) - 1) * self.step


NAMESPACE = "awx"
JOB_NAMESPACE = "awx-jobs"
FRESH_NAMESPACE = "awx-fresh"
WEB_RS = "awx-web-5b7c9d4f8"
TASK_RS = "awx-task-6c8f7d9b4"
WEB_POD = f"{WEB_RS}-x2x7k"
TASK_A = f"{TASK_RS}-q8m2n"
TASK_B = f"{TASK_RS}-r7k4p"
POSTGRES_POD = "awx-postgres-15-0"
OOM_REDIS_DAY = 6
"""Redis of task pod a is OOM-killed on this day (index from the start)."""
OOM_JOB = 7
"""Job pod number that is OOM-killed."""
BURST_DAYS = (8, 10, 12)
"""Days with a third task pod from 09:00 to 17:00 (the HPA scaled up)."""
FRESH_DAYS = 2


@dataclass
class History:
    parameters: Parameters
    series: list[Series] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.parameters.end - self.parameters.days * 86400

    def add(self, name: str, labels: dict[str, str], start: int, values: array[float]) -> None:
        self.series.append(Series(name, labels, start, self.parameters.step, values))

    def find(self, name: str, **labels: str) -> list[Series]:
        return [
            series
            for series in self.series
            if series.name == name
            and all(series.labels.get(key) == value for key, value in labels.items())
        ]

    def openmetrics(self) -> Iterator[str]:
        """The history as OpenMetrics text, grouped by metric family as promtool requires."""
        for name in sorted({series.name for series in self.series}):
            yield f"# TYPE {name} gauge\n"
            for series in self.find(name):
                labels = ",".join(
                    f'{key}="{value}"' for key, value in sorted(series.labels.items())
                )
                for timestamp, value in series.samples():
                    yield f"{name}{{{labels}}} {value!r} {timestamp}\n"
        yield "# EOF\n"


def _diurnal(minute: int) -> float:
    """0 at 03:00, 1 at 15:00 UTC."""
    return 0.5 - 0.5 * math.cos(2 * math.pi * ((minute / 60 - 3) % 24) / 24)


class _Builder:
    def __init__(self, parameters: Parameters) -> None:
        self.p = parameters
        self.history = History(parameters)
        self.rng = random.Random(parameters.seed)
        self.minutes = parameters.days * 86400 // parameters.step

    def noise(self, scale: float) -> float:
        return self.rng.gauss(0, scale)

    def container(  # noqa: PLR0917 (the label order of the series it writes)
        self,
        namespace: str,
        pod: str,
        container: str,
        first: int,
        count: int,
        cpu: list[float],
        memory: list[float],
    ) -> None:
        """cAdvisor series of one container: CPU seconds as a counter from per-step rates."""
        labels = {"namespace": namespace, "pod": pod, "container": container}
        start = self.history.start + first * self.p.step
        counter, total = array("d"), 0.0
        for rate in cpu:
            counter.append(round(total, 6))
            total += max(rate, 0.0005) * self.p.step
        self.history.add("container_cpu_usage_seconds_total", labels, start, counter)
        working_set = array("d", (float(int(max(value, 4 * MIB))) for value in memory))
        self.history.add("container_memory_working_set_bytes", labels, start, working_set)
        assert len(cpu) == len(memory) == count

    def gauge(self, name: str, labels: dict[str, str], first: int, values: list[float]) -> None:
        self.history.add(name, labels, self.history.start + first * self.p.step, array("d", values))

    def constant(
        self, name: str, labels: dict[str, str], first: int, count: int, value: float
    ) -> None:
        self.gauge(name, labels, first, [value] * count)


def _awx_pods(b: _Builder) -> None:
    n = b.minutes
    per_day = 86400 // b.p.step
    burst = [False] * n
    for day in BURST_DAYS:
        for minute in range(day * per_day + 9 * 60, day * per_day + 17 * 60):
            burst[minute] = True
    task_pods = [(TASK_A, 0, n), (TASK_B, 0, n)]
    for number, day in enumerate(BURST_DAYS):
        task_pods.append((f"{TASK_RS}-t{number}b{day:02d}", day * per_day + 9 * 60, 8 * 60))
    # The whole task load (cores), shared by the pods present: the HPA's job.
    demand = [0.25 + 0.9 * _diurnal(m) + (0.9 if burst[m] else 0.0) for m in range(n)]
    pods_at = [3 if burst[m] else 2 for m in range(n)]

    web_cpu = [0.03 + 0.05 * _diurnal(m) + b.noise(0.004) for m in range(n)]
    web_mem = [300 * MIB + 40 * MIB * _diurnal(m) + b.noise(3 * MIB) for m in range(n)]
    b.container(NAMESPACE, WEB_POD, "awx-web", 0, n, web_cpu, web_mem)
    b.container(
        NAMESPACE, WEB_POD, "redis", 0, n, [0.01] * n, [40 * MIB + b.noise(MIB) for _ in range(n)]
    )
    b.container(
        NAMESPACE,
        WEB_POD,
        "awx-rsyslog",
        0,
        n,
        [0.005] * n,
        [200 * MIB + 45 * MIB * _diurnal(m) + b.noise(2 * MIB) for m in range(n)],
    )
    for pod, first, count in task_pods:
        minutes = range(first, first + count)
        task_cpu = [demand[m] / pods_at[m] + b.noise(0.01) for m in minutes]
        task_mem = [
            700 * MIB + 150 * MIB * demand[m] / pods_at[m] + b.noise(4 * MIB) for m in minutes
        ]
        b.container(NAMESPACE, pod, "awx-task", first, count, task_cpu, task_mem)
        bursting = [b.rng.random() < 0.15 for _ in minutes]
        ee_cpu = [0.97 if hot else 0.08 + b.noise(0.01) for hot in bursting]
        b.container(
            NAMESPACE,
            pod,
            "awx-ee",
            first,
            count,
            ee_cpu,
            [150 * MIB + b.noise(MIB) for _ in minutes],
        )
        periods, throttled = array("d"), array("d")
        total_periods = total_throttled = 0.0
        for hot in bursting:
            periods.append(total_periods)
            throttled.append(total_throttled)
            total_periods += 10 * b.p.step  # one CFS period per 100 ms
            total_throttled += 4 * b.p.step if hot else 0.0
        labels = {"namespace": NAMESPACE, "pod": pod, "container": "awx-ee"}
        start = b.history.start + first * b.p.step
        b.history.add("container_cpu_cfs_periods_total", labels, start, periods)
        b.history.add("container_cpu_cfs_throttled_periods_total", labels, start, throttled)
        if pod == TASK_A:
            oom_at = OOM_REDIS_DAY * per_day + 15 * 60
            redis_mem = [
                (120 * MIB + 390 * MIB * (m - oom_at + 120) / 120)
                if oom_at - 120 <= m <= oom_at
                else 90 * MIB + 30 * MIB * _diurnal(m) + b.noise(MIB)
                for m in minutes
            ]
        else:
            redis_mem = [90 * MIB + 30 * MIB * _diurnal(m) + b.noise(MIB) for m in minutes]
        b.container(
            NAMESPACE,
            pod,
            "redis",
            first,
            count,
            [0.02 + b.noise(0.002) for _ in minutes],
            redis_mem,
        )
        b.container(
            NAMESPACE,
            pod,
            "awx-rsyslog",
            first,
            count,
            [0.006] * count,
            [205 * MIB + 40 * MIB * _diurnal(m) + b.noise(2 * MIB) for m in minutes],
        )
        owner = {
            "namespace": NAMESPACE,
            "pod": pod,
            "owner_kind": "ReplicaSet",
            "owner_name": TASK_RS,
        }
        b.constant("kube_pod_owner", owner, first, count, 1)
        b.gauge(
            "awx_instance_capacity",
            {"namespace": NAMESPACE, "hostname": pod, "node_type": "control"},
            first,
            [50.0] * count,
        )
        b.gauge(
            "awx_instance_consumed_capacity",
            {"namespace": NAMESPACE, "hostname": pod, "node_type": "control"},
            first,
            [float(round(60 * demand[m] / pods_at[m])) for m in minutes],
        )
    _owners_and_limits(b, task_pods, n)
    b.gauge(
        "kube_deployment_status_replicas",
        {"namespace": NAMESPACE, "deployment": "awx-task"},
        0,
        [float(p) for p in pods_at],
    )
    b.gauge(
        "awx_pending_jobs_total",
        {"namespace": NAMESPACE, "pod": WEB_POD},
        0,
        [float(max(0, round(14 * (demand[m] - 1.6)))) for m in range(n)],
    )
    pg_cpu = [0.2 + 0.5 * _diurnal(m) + b.noise(0.02) for m in range(n)]
    pg_mem = [1400 * MIB + 300 * MIB * _diurnal(m) + b.noise(8 * MIB) for m in range(n)]
    b.container(NAMESPACE, POSTGRES_POD, "postgres", 0, n, pg_cpu, pg_mem)


def _owners_and_limits(b: _Builder, task_pods: list[tuple[str, int, int]], n: int) -> None:
    b.constant(
        "kube_pod_owner",
        {"namespace": NAMESPACE, "pod": WEB_POD, "owner_kind": "ReplicaSet", "owner_name": WEB_RS},
        0,
        n,
        1,
    )
    b.constant(
        "kube_pod_owner",
        {
            "namespace": NAMESPACE,
            "pod": POSTGRES_POD,
            "owner_kind": "StatefulSet",
            "owner_name": "awx-postgres-15",
        },
        0,
        n,
        1,
    )
    for replicaset, deployment in ((WEB_RS, "awx-web"), (TASK_RS, "awx-task")):
        b.constant(
            "kube_replicaset_owner",
            {
                "namespace": NAMESPACE,
                "replicaset": replicaset,
                "owner_kind": "Deployment",
                "owner_name": deployment,
            },
            0,
            n,
            1,
        )
    per_day = 86400 // b.p.step
    oom_at = OOM_REDIS_DAY * per_day + 15 * 60
    labels = {"namespace": NAMESPACE, "pod": TASK_A, "container": "redis"}
    b.constant(
        "kube_pod_container_resource_limits",
        {**labels, "resource": "memory", "unit": "byte"},
        0,
        n,
        512 * MIB,
    )
    b.constant(
        "kube_pod_container_status_last_terminated_reason",
        {**labels, "reason": "OOMKilled"},
        oom_at + 1,
        n - oom_at - 1,
        1,
    )
    b.gauge(
        "kube_pod_container_status_restarts_total",
        labels,
        0,
        [0.0 if m <= oom_at else 1.0 for m in range(n)],
    )


def _jobs(b: _Builder) -> None:
    n = b.minutes
    for number in range(b.p.jobs):
        duration = b.rng.randrange(30, 90)
        first = b.rng.randrange(60, n - duration - 60)
        pod = f"automation-job-{1000 + number}-{b.rng.randrange(16**5):05x}"
        level = b.rng.uniform(0.2, 0.8)
        peak = b.rng.uniform(300, 1400) * MIB
        if number == OOM_JOB:
            peak = 2048 * MIB
        cpu = [level + b.noise(0.05) for _ in range(duration)]
        memory = [
            min(peak, 150 * MIB + (peak - 150 * MIB) * (i + 1) / (duration * 0.6))
            for i in range(duration)
        ]
        b.container(JOB_NAMESPACE, pod, "worker", first, duration, cpu, memory)
        if number == OOM_JOB:
            labels = {"namespace": JOB_NAMESPACE, "pod": pod, "container": "worker"}
            b.constant(
                "kube_pod_container_status_last_terminated_reason",
                {**labels, "reason": "OOMKilled"},
                first + duration - 1,
                10,
                1,
            )
            b.constant(
                "kube_pod_container_resource_limits",
                {**labels, "resource": "memory", "unit": "byte"},
                first,
                duration,
                2048 * MIB,
            )


def _fresh(b: _Builder) -> None:
    per_day = 86400 // b.p.step
    first = b.minutes - FRESH_DAYS * per_day
    count = FRESH_DAYS * per_day
    minutes = range(first, b.minutes)
    pod = "awx-web-7f6d5c4b3-fr3sh"
    b.container(
        FRESH_NAMESPACE,
        pod,
        "awx-web",
        first,
        count,
        [0.04 + 0.02 * _diurnal(m) + b.noise(0.003) for m in minutes],
        [320 * MIB + b.noise(3 * MIB) for _ in minutes],
    )


def generate(parameters: Parameters) -> History:
    builder = _Builder(parameters)
    _awx_pods(builder)
    _jobs(builder)
    _fresh(builder)
    return builder.history
