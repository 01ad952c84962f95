"""The `autoscaling` section: task-pod scaling and the fork budget that keeps jobs in memory.

Two budgets meet here. Task (control) pods scale with load; every running job costs its
controlling task pod one unit of capacity. Job pods run the playbooks, one pod per job, in the
`default` container group; their memory limit caps how many forks one job may use
(`max_forks_per_task` x `job_pod.memory_per_fork` must fit), and the ResourceQuota of their
namespace caps how many of them run at once (`max_concurrent_jobs`).
"""

import zoneinfo
from decimal import Decimal
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from components.settings.awx import ComputeResources, ResourceRequirements
from components.settings.base import (
    CronSchedule,
    DnsLabel,
    DnsName,
    FieldError,
    PositiveQuantity,
    Section,
)
from components.settings.quantity import parse_quantity

MEBIBYTE = Decimal(1 << 20)
ENFORCER_METRICS_PORT = 9181
"""Port of the fork enforcer's `/metrics` and `/healthz` (Service port `metrics`); the
monitoring feature's NetworkPolicies let Prometheus reach it."""


class JobPodSettings(Section):
    """The automation-job pods of the `default` container group (one pod per running job)."""

    namespace: DnsLabel | None = None
    """Namespace job pods run in, with its own ResourceQuota and LimitRange; empty means
    `<awx.namespace>-jobs`. It must differ from awx.namespace so that the quota counts job
    pods only."""
    resources: ResourceRequirements = ResourceRequirements(
        requests=ComputeResources(cpu="500m", memory="1Gi"),
        limits=ComputeResources(cpu="2", memory="2Gi"),
    )
    """Requests and limits of the job container (the `default` container group's pod spec
    override); default requests 500m CPU and 1Gi, limits 2 CPU and 2Gi. requests.cpu,
    requests.memory and limits.memory are required: the memory limit is what a job's forks
    must fit into."""
    memory_per_fork: PositiveQuantity = "100Mi"
    """Memory one fork needs; AWX's own capacity model counts 100 MB per fork
    (SYSTEM_TASK_FORKS_MEM)."""

    @model_validator(mode="after")
    def _sizes_are_declared(self) -> Self:
        for path in ("requests.cpu", "requests.memory", "limits.memory"):
            kind, resource = path.split(".")
            if getattr(getattr(self.resources, kind), resource) is None:
                raise FieldError(
                    f"resources.{path}",
                    "is required: job pods need requests for scheduling and a memory limit "
                    "for the fork cap",
                )
        return self

    def namespace_for(self, awx_namespace: str) -> str:
        """The namespace job pods run in, given AWX's namespace."""
        return self.namespace or f"{awx_namespace}-jobs"

    @property
    def memory_limit_bytes(self) -> Decimal:
        return parse_quantity(str(self.resources.limits.memory))

    @property
    def fork_memory_bytes(self) -> Decimal:
        return parse_quantity(self.memory_per_fork)

    def forks_that_fit(self) -> int:
        """The most forks whose memory fits the job pod's memory limit."""
        return int(self.memory_limit_bytes // self.fork_memory_bytes)


def _iana_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not an IANA time zone; use e.g. Europe/Berlin, America/New_York or UTC"
        ) from None
    return name


def _five_fields(text: str) -> str:
    if len(text.split()) != 5:
        raise ValueError(f"{text!r} is not a five-field cron expression (KEDA's cron trigger)")
    return text


KedaCron = Annotated[CronSchedule, AfterValidator(_five_fields)]


class ScalingSchedule(Section):
    """A time window with a floor of task pods: a KEDA cron trigger on the task ScaledObject."""

    name: DnsLabel
    """Name of the trigger; unique among the schedules."""
    timezone: Annotated[str, AfterValidator(_iana_timezone)] = "UTC"
    """IANA time zone that start and end are read in."""
    start: KedaCron
    """When the window opens (five-field cron), e.g. `0 8 * * 1-5`."""
    end: KedaCron
    """When it closes (five-field cron, not the same as start), e.g. `0 18 * * 1-5`."""
    desired_replicas: int = Field(ge=1, le=100)
    """Task pods at least, inside the window; other triggers can still scale up to the max."""

    @model_validator(mode="after")
    def _start_is_not_end(self) -> Self:
        if self.start.split() == self.end.split():
            raise FieldError("end", f"must differ from start ({self.start!r})")
        return self


class ForkEnforcerSettings(Section):
    """The `awx-runtime forks enforce` Deployment that keeps AWX at the declared fork limits."""

    enabled: bool = True
    """Run the enforcer (Deployment `<awx.name>-fork-enforcer`, metrics on port 9181)."""
    interval_seconds: int = Field(default=60, ge=10, le=3600)
    """Seconds between two reconciliation passes."""
    dry_run: bool = False
    """Only report drift (logs and metrics); change nothing in AWX."""
    token_secret: DnsName | None = None
    """Existing Secret (key `token`) with an AWX OAuth2 token of a superuser; empty means basic
    auth as awx.admin_user with the admin password Secret (key `password`)."""


class AutoscalingSettings(Section):
    enabled: bool = True
    """Scale task pods automatically (HPA, or KEDA with queue_metric); the operator stops
    managing their count (task_manage_replicas: false)."""
    min_task_replicas: int = Field(default=2, ge=1, le=100)
    """Fewest task pods."""
    max_task_replicas: int = Field(default=10, ge=1, le=100)
    """Most task pods."""
    target_cpu_utilization: int = Field(default=70, ge=1, le=100)
    """Average task-pod CPU use, in percent of the CPU request, that the autoscaler aims for."""
    target_memory_utilization: int = Field(default=80, ge=1, le=100)
    """Average task-pod memory use, in percent of the memory request, that the autoscaler
    aims for."""
    max_forks_per_task: int = Field(default=20, ge=1, le=10000)
    """Largest fork count one job may use (AWX MAX_FORKS); larger job templates are refused and
    the fork enforcer brings existing ones down. Times job_pod.memory_per_fork it must fit the
    job pod's memory limit."""
    max_total_forks: int = Field(default=200, ge=1, le=100000)
    """Fork budget of the `default` instance group (its max_forks, seeded from
    DEFAULT_EXECUTION_QUEUE_MAX_FORKS); jobs beyond it wait in pending instead of overloading
    the cluster."""
    max_concurrent_jobs: int = Field(default=10, ge=1, le=1000)
    """Most jobs the `default` instance group runs at once (its max_concurrent_jobs); also the
    pod count of the job namespace's ResourceQuota."""
    cooldown_period_seconds: int = Field(default=300, ge=0, le=3600)
    """Scale-down stabilization window: task pods are removed at most one per period, and only
    when every recommendation of the whole window allowed it. Scale-up has no window."""
    scale_up_threshold: int = Field(default=80, ge=1, le=100)
    """Queue-aware scaling: control-capacity use in percent (consumed / total capacity of the
    task pods) at or above which task pods are added, to ceil(pods x use / scale_up_threshold)."""
    scale_down_threshold: int = Field(default=30, ge=0, le=99)
    """Queue-aware scaling: control-capacity use in percent at or below which task pods are
    removed, to ceil(pods x use / scale_up_threshold); between the two thresholds the capacity
    signal holds the current count."""
    queue_metric: bool = False
    """Scale with a KEDA ScaledObject on AWX's pending jobs and control capacity (plus CPU and
    memory) instead of the plain HPA; needs KEDA and Prometheus scraping AWX's metrics."""
    pending_jobs_per_task: int = Field(default=5, ge=1, le=1000)
    """Queue-aware scaling: pending jobs one task pod is expected to absorb; more pending jobs
    ask for ceil(pending / pending_jobs_per_task) task pods."""
    fallback_replicas: int | None = Field(default=None, ge=1, le=100)
    """Queue-aware scaling: task pods to run while Prometheus cannot be queried (3 failed polls
    in a row); empty means max_task_replicas, so an outage never starves running jobs."""
    prometheus_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/\S*)?$")
    """Queue-aware scaling: Prometheus that KEDA queries; empty means the prometheus-operated
    Service in monitoring.namespace."""
    schedules: list[ScalingSchedule] = []
    """Queue-aware scaling: time windows with a floor of task pods (KEDA cron triggers), e.g.
    business hours; needs queue_metric: true (the HPA has no schedules)."""
    job_pod: JobPodSettings = JobPodSettings()
    """Size and namespace of the job pods; their memory limit caps the forks per job."""
    enforcer: ForkEnforcerSettings = ForkEnforcerSettings()
    """The fork-limit enforcer that keeps AWX's API at these values."""

    @model_validator(mode="after")
    def _bounds_are_ordered(self) -> Self:
        if self.min_task_replicas > self.max_task_replicas:
            raise FieldError(
                "max_task_replicas",
                f"must be at least min_task_replicas ({self.min_task_replicas}); "
                f"got {self.max_task_replicas}",
            )
        if self.max_forks_per_task > self.max_total_forks:
            raise FieldError(
                "max_forks_per_task",
                f"must not exceed max_total_forks ({self.max_total_forks}); "
                f"got {self.max_forks_per_task}",
            )
        if self.scale_down_threshold >= self.scale_up_threshold:
            raise FieldError(
                "scale_down_threshold",
                f"must be below scale_up_threshold ({self.scale_up_threshold}); "
                f"got {self.scale_down_threshold}",
            )
        return self

    @model_validator(mode="after")
    def _fallback_within_bounds(self) -> Self:
        fallback = self.fallback_replicas
        if fallback is not None and not (
            self.min_task_replicas <= fallback <= self.max_task_replicas
        ):
            raise FieldError(
                "fallback_replicas",
                f"must lie between min_task_replicas ({self.min_task_replicas}) and "
                f"max_task_replicas ({self.max_task_replicas}); got {fallback}",
            )
        return self

    @model_validator(mode="after")
    def _forks_fit_the_job_pod(self) -> Self:
        job_pod = self.job_pod
        needed = self.max_forks_per_task * job_pod.fork_memory_bytes
        if needed > job_pod.memory_limit_bytes:
            fits = job_pod.forks_that_fit()
            raise FieldError(
                "max_forks_per_task",
                f"{self.max_forks_per_task} forks x {job_pod.memory_per_fork} per fork "
                f"= {_mebibytes(needed)} do not fit the job pod's memory limit "
                f"({job_pod.resources.limits.memory}); at most {fits} forks fit, or raise "
                f"job_pod.resources.limits.memory to at least {_mebibytes(needed)}",
            )
        return self

    @model_validator(mode="after")
    def _schedules_fit(self) -> Self:
        if self.schedules and not (self.enabled and self.queue_metric):
            raise FieldError(
                "schedules",
                "need queue_metric: true (KEDA): the HPA has no schedules, KEDA's cron triggers do",
            )
        seen: set[str] = set()
        for index, schedule in enumerate(self.schedules):
            if schedule.name in seen:
                raise FieldError(f"schedules[{index}].name", f"{schedule.name!r} is used twice")
            seen.add(schedule.name)
            if schedule.desired_replicas > self.max_task_replicas:
                raise FieldError(
                    f"schedules[{index}].desired_replicas",
                    f"must not exceed max_task_replicas ({self.max_task_replicas}); "
                    f"got {schedule.desired_replicas}",
                )
        return self

    @property
    def effective_fallback_replicas(self) -> int:
        return self.fallback_replicas or self.max_task_replicas


def _mebibytes(value: Decimal) -> str:
    return f"{int(-(-value // MEBIBYTE))}Mi"
