"""Task replica bounds from the load the task pods carried, and the fork cap from the memory
the job pods needed: recommendations that follow from the resource ones, so they are computed
with the requests and the job pod limit that will be in force (after the gates)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from runtime.rightsizing import quantities
from runtime.rightsizing.model import Recommendation
from runtime.rightsizing.resources import MARGIN
from runtime.rightsizing.usage import ComponentUsage

HEADROOM = 1.25
"""max_task_replicas leaves a quarter more pods than the busiest moment of the window needed:
growth between two runs must not meet the bound."""


@dataclass(frozen=True)
class TaskScaling:
    min_replicas: int
    max_replicas: int
    fallback_replicas: int | None
    target_cpu: int
    target_memory: int
    queue_metric: bool
    pending_jobs_per_task: int
    scale_up_threshold: int
    cpu_request: float
    memory_request: float


def max_replicas(awx: dict[str, float], scaling: TaskScaling) -> Recommendation | None:
    """Pods the HPA (or KEDA) would have asked for at the window's peaks, plus headroom."""
    needs: dict[str, int] = {}
    cpu_total = awx.get("task_cpu_total_max")
    if cpu_total is not None and scaling.cpu_request > 0:
        needs["CPU"] = math.ceil(cpu_total / (scaling.cpu_request * scaling.target_cpu / 100))
    memory_total = awx.get("task_memory_total_max")
    if memory_total is not None and scaling.memory_request > 0:
        needs["memory"] = math.ceil(
            memory_total / (scaling.memory_request * scaling.target_memory / 100)
        )
    if scaling.queue_metric:
        pending, capacity = awx.get("pending_max"), awx.get("capacity_max")
        if pending is not None:
            needs["pending jobs"] = math.ceil(pending / scaling.pending_jobs_per_task)
        replicas = awx.get("replicas_max")
        if capacity is not None and replicas is not None:
            needs["control capacity"] = math.ceil(replicas * capacity / scaling.scale_up_threshold)
    if not needs:
        return None
    signal, needed = max(needs.items(), key=lambda item: item[1])
    value = max(math.ceil(needed * HEADROOM), scaling.min_replicas, scaling.fallback_replicas or 0)
    if value == scaling.max_replicas:
        return None
    detail = ", ".join(f"{name} {count}" for name, count in needs.items())
    return Recommendation(
        component="task",
        container="awx-task",
        resource="replicas",
        field="autoscaling.max_task_replicas",
        current_value=scaling.max_replicas,
        target_value=value,
        reason=(
            f"at the window's peaks the task pods needed {needed} pods by {signal} ({detail}) "
            f"with the recommended requests; x1.25 headroom gives {value}."
        ),
        kind="count",
    )


def max_forks(
    jobs: ComponentUsage, forks: int, job_memory_limit: float, target_limit: float
) -> Recommendation | None:
    """Fewer forks per job when the job pod limit in force cannot hold what the biggest job
    needed (OOM kills, or a limit increase the gates held back)."""
    peak = jobs.highest("memory_max")
    if peak is None or forks <= 0 or job_memory_limit >= target_limit:
        return None
    per_fork = peak * (1 + MARGIN) / forks
    value = max(1, math.floor(job_memory_limit / per_fork))
    if value >= forks:
        return None
    return Recommendation(
        component="job",
        container="worker",
        resource="memory",
        field="autoscaling.max_forks_per_task",
        current_value=forks,
        target_value=value,
        reason=(
            f"the biggest job peaked at {quantities.memory(peak)} with up to {forks} forks "
            f"({quantities.memory(per_fork)} per fork with the 15% margin); the job pod limit in "
            f"force, {quantities.memory(job_memory_limit)}, holds {value} forks at that rate."
        ),
        kind="count",
    )
