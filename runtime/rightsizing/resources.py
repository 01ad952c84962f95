"""CPU and memory requests and limits per AWX container and for the job pods.

Requests follow the busy end of normal use (p95, plus a margin); limits follow the peak plus a
margin, never below the request. Evidence that the history is truncated overrides the
statistics: an OOM-killed container's memory never goes down and its limit gets KRR's bump,
a throttled container's CPU limit never goes down and gets the same bump. The task pods' CPU
and memory requests are what their HPA's utilization targets are percentages of, so they are
chosen with the targets (see _hpa_request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.rightsizing import quantities
from runtime.rightsizing.model import Recommendation
from runtime.rightsizing.usage import ComponentUsage

MARGIN = 0.15
"""Safety margin over p95 (requests) and the peak (limits): the VPA recommender's 15%, and
KRR's memory buffer."""
BUMP = 1.25
"""An OOM-killed (or CPU-throttled) container's limit is raised at least this much over the
limit it hit: KRR's OOM bump. Its usage above that limit was never observed."""
THROTTLED = 0.05
"""Share of CFS periods throttled from which the CPU history counts as cut off by the limit."""

CONTAINERS = {
    "task": "awx-task",
    "web": "awx-web",
    "ee": "awx-ee",
    "redis": "redis",
    "rsyslog": "awx-rsyslog",
    "init": "init",
    "postgres": "postgres",
    "job": "worker",
}


def field_prefix(component: str) -> str:
    if component == "job":
        return "autoscaling.job_pod.resources"
    return f"awx.resources.{component}"


@dataclass(frozen=True)
class Inputs:
    """What the engine needs from the stack file besides the current values."""

    hpa: bool
    target_cpu: int
    target_memory: int
    fork_memory: float
    """max_forks_per_task x memory_per_fork: the job pod memory limit's fork floor."""
    hpa_average: dict[str, float | None]
    """p95 of the task pods' average use per resource (what the HPA's utilization is of)."""


def _days(usage: ComponentUsage, window: float) -> str:
    if usage.component == "job":
        return f"{usage.pods} jobs"
    days = min(usage.covered_minutes * 60, window) / 86400
    return f"{days:.1f} days"


def propose(
    usage: ComponentUsage,
    current: dict[str, Any],
    inputs: Inputs,
    window: float,
) -> list[Recommendation]:
    """Recommendations for one component; `current` maps each field to its value (or None)."""
    found: list[Recommendation] = []
    prefix = field_prefix(usage.component)
    span = _days(usage, window)
    pods = f"{usage.pods} pod{'s' if usage.pods != 1 else ''}"
    for resource in ("cpu", "memory"):
        request_key, limit_key = f"{prefix}.requests.{resource}", f"{prefix}.limits.{resource}"
        request_now, limit_now = current.get(request_key), current.get(limit_key)
        request = _request(usage, resource, inputs, request_now, span=span, pods=pods)
        if request is not None and request_now is not None:
            value, reason = request
            found.append(
                _make(
                    usage,
                    resource,
                    request_key,
                    request_now,
                    value=value,
                    reason=reason,
                    kind="request",
                )
            )
        if limit_now is not None:
            floor_value = request[0] if request is not None else quantities.parse(request_now or 0)
            limit = _limit(usage, resource, inputs, limit_now, request=floor_value, span=span)
            if limit is not None:
                value, reason = limit
                found.append(
                    _make(
                        usage,
                        resource,
                        limit_key,
                        limit_now,
                        value=value,
                        reason=reason,
                        kind="limit",
                    )
                )
    return found


def _make(
    usage: ComponentUsage,
    resource: str,
    key: str,
    now: Any,
    *,
    value: float,
    reason: str,
    kind: str,
) -> Recommendation:
    return Recommendation(
        component=usage.component,
        container=CONTAINERS[usage.component],
        resource=resource,  # type: ignore[arg-type]
        field=key,
        current_value=quantities.parse(now),
        target_value=value,
        reason=reason,
        kind=kind,  # type: ignore[arg-type]
    )


def _request(
    usage: ComponentUsage, resource: str, inputs: Inputs, now: Any, *, span: str, pods: str
) -> tuple[float, str] | None:
    if usage.component == "task" and inputs.hpa:
        return _hpa_request(usage, resource, inputs, now, span)
    p95 = usage.highest(f"{resource}_p95")
    if p95 is None:
        return None
    value = p95 * (1 + MARGIN)
    shown = _shown(resource, p95)
    reason = f"p95 {resource} over {span} was {shown} (busiest of {pods}); +15% margin."
    oom_floor = quantities.parse(now) if resource == "memory" and usage.oom_killed else 0.0
    if value < oom_floor:
        value = oom_floor
        reason += " Held at the current request: the container was OOM-killed."
    return value, reason


def _hpa_request(
    usage: ComponentUsage, resource: str, inputs: Inputs, now: Any, span: str
) -> tuple[float, str] | None:
    """The request at which the task pods' p95 average use equals the HPA's target.

    The HPA compares average use with target x request. Sizing the request from per-pod use
    alone feeds back (KRR #80): a smaller request raises utilization, the HPA adds pods, use per
    pod falls, and the next run shrinks the request again. Pinning p95 of the average to the
    target keeps the pod count at the p95 load where it is and lets the HPA scale above it.
    """
    average = inputs.hpa_average.get(resource)
    if average is None or now is None:
        return None
    target = inputs.target_cpu if resource == "cpu" else inputs.target_memory
    value = average / (target / 100)
    current = quantities.parse(now)
    before = average / current * 100 if current else 0.0
    reason = (
        f"the task pods' average {resource} at p95 over {span} was {_shown(resource, average)}, "
        f"{before:.0f}% of the {now} request; at {quantities.formatted(resource, value)} it is "
        f"{target}%, the HPA's target: utilization moves from {before:.0f}% to {target}% and "
        "the HPA keeps that load's pod count instead of "
        + ("adding pods." if before > target else "running pods it does not need.")
    )
    return value, reason


def _limit(
    usage: ComponentUsage, resource: str, inputs: Inputs, now: Any, *, request: float, span: str
) -> tuple[float, str] | None:
    peak = usage.highest(f"{resource}_max")
    if peak is None:
        return None
    current = quantities.parse(now)
    value = max(peak * (1 + MARGIN), request)
    reason = f"peak {resource} over {span} was {_shown(resource, peak)}; +15% margin."
    if request > peak * (1 + MARGIN):
        reason += f" Not below the recommended request ({quantities.formatted(resource, request)})."
    if resource == "memory" and usage.oom_killed:
        hit = usage.oom_limit or current
        value = max(value, hit * BUMP, current)
        reason += (
            f" OOM-killed at a {quantities.memory(hit)} limit: at least x1.25 of it, never lower."
        )
    throttled = usage.highest("throttled")
    if resource == "cpu" and throttled is not None and throttled >= THROTTLED:
        value = max(value, current * BUMP)
        reason += (
            f" {throttled:.0%} of CFS periods were throttled: the peak was cut off by the "
            "limit, so it goes up x1.25 and never down."
        )
    if usage.component == "job" and resource == "memory" and value < inputs.fork_memory:
        value = inputs.fork_memory
        reason += (
            f" Held at max_forks_per_task x memory_per_fork "
            f"({quantities.memory(inputs.fork_memory)}), the fork cap's memory."
        )
    return value, reason


def _shown(resource: str, value: float) -> str:
    return f"{value:.3f} cores" if resource == "cpu" else quantities.memory(value)
