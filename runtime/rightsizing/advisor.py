"""One advisor run: history in, gated recommendations out (nothing is written here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.rightsizing import confidence as confidence_of
from runtime.rightsizing import gates as gating
from runtime.rightsizing import quantities, replicas, resources, risk, savings
from runtime.rightsizing.model import Recommendation
from runtime.rightsizing.stack_file import StackFile
from runtime.rightsizing.usage import COMPONENTS, ComponentUsage, History

SPOT_PLACEMENTS = ("prefer", "require")


@dataclass(frozen=True)
class Report:
    recommendations: list[Recommendation]
    history: History

    def as_dict(self) -> dict[str, Any]:
        return {"recommendations": [r.as_dict() for r in self.recommendations]}


def prices_from(stack: StackFile) -> savings.Prices:
    configured = stack.configured("rightsizing.prices") or {}
    defaults = savings.Prices()
    return savings.Prices(
        **{
            name: float(configured.get(name, getattr(defaults, name)))
            for name in ("cpu", "memory", "spot_cpu", "spot_memory")
        }
    )


def _number(stack: StackFile, key: str) -> int:
    return int(stack.value(key))


def _average_pods(history: History, stack: StackFile, component: str) -> float:
    """Pods that carry the component's requests, on average over the window."""
    task = history.awx.get("replicas_average") or float(
        _number(stack, "autoscaling.min_task_replicas")
    )
    web = float(_number(stack, "awx.web_replicas"))
    usage = history.components.get(component)
    if component == "job":
        return (usage.total("minutes") if usage else 0.0) / (history.window_seconds / 60)
    return {
        "task": task,
        "ee": task,
        "web": web,
        "redis": task + web,
        "rsyslog": task + web,
        "init": task + web,
    }.get(component, 1.0)


def advise(history: History, stack: StackFile, gates: gating.Gates) -> Report:
    hpa = bool(stack.value("autoscaling.enabled"))
    target_cpu = _number(stack, "autoscaling.target_cpu_utilization")
    target_memory = _number(stack, "autoscaling.target_memory_utilization")
    forks = _number(stack, "autoscaling.max_forks_per_task")
    per_fork = quantities.parse(stack.value("autoscaling.job_pod.memory_per_fork"))
    inputs = resources.Inputs(
        hpa=hpa,
        target_cpu=target_cpu,
        target_memory=target_memory,
        fork_memory=forks * per_fork,
        hpa_average={
            "cpu": history.awx.get("task_cpu_average_p95"),
            "memory": history.awx.get("task_memory_average_p95"),
        },
    )
    prices = prices_from(stack)
    spot = stack.value("awx.placement.job_pods.spot") in SPOT_PLACEMENTS
    found: list[Recommendation] = []
    for component in COMPONENTS:
        usage = history.components.get(component)
        if usage is None:
            continue
        prefix = resources.field_prefix(component)
        current = {
            f"{prefix}.{kind}.{resource}": stack.value(f"{prefix}.{kind}.{resource}")
            for kind in ("requests", "limits")
            for resource in ("cpu", "memory")
        }
        score = confidence_of.confidence(usage)
        for rec in resources.propose(usage, current, inputs, history.window_seconds):
            rec.confidence = score
            found.append(rec)
    found = [r for r in found if r.quantity(r.target_value) != r.current]
    pods = {c: _average_pods(history, stack, c) for c in COMPONENTS}
    for rec in found:
        _gate(rec, history.components.get(rec.component), gates)
        rec.monthly_savings = savings.monthly(
            rec, pods[rec.component], prices, spot and rec.component == "job"
        )
    _pairs_consistent(found, stack)
    found.extend(_follow_ups(history, stack, gates, found, inputs))
    return Report(found, history)


def _gate(rec: Recommendation, usage: ComponentUsage | None, gates: gating.Gates) -> None:
    floor_blocked = gating.floor_blocks(rec, gates)
    gating.shape(rec, gates)
    rec.risk = risk.assess(rec, usage)
    rec.blocked_by = gating.blocking_gate(rec, gates, floor_blocked)


def _in_force(found: list[Recommendation], stack: StackFile, key: str) -> float:
    """The value a key will have after this run: its applied recommendation, or today's."""
    for rec in found:
        if rec.field == key and rec.blocked_by is None:
            return rec.recommended_value
    value = stack.value(key)
    return quantities.parse(value) if value is not None else 0.0


def _pairs_consistent(found: list[Recommendation], stack: StackFile) -> None:
    """Requests within limits after the gates (the config models refuse anything else): a
    request is held at the limit in force, a limit at the request in force, and when that
    leaves nothing to change, the other value's gate holds this one back too."""
    by_field = {rec.field: rec for rec in found}
    for rec in found:
        if rec.blocked_by is not None or rec.kind not in ("request", "limit"):
            continue
        is_request = rec.kind == "request"
        other_key = (
            rec.field.replace(".requests.", ".limits.")
            if is_request
            else rec.field.replace(".limits.", ".requests.")
        )
        if stack.value(other_key) is None:
            continue
        other = _in_force(found, stack, other_key)
        if (rec.recommended_value > other) if is_request else (rec.recommended_value < other):
            rec.recommended_value = other
            what = "limit" if is_request else "request"
            rec.notes.append(f"Held at the {what} in force ({rec.quantity(other)}).")
            if not rec.changes:
                partner = by_field.get(other_key)
                rec.blocked_by = (partner.blocked_by if partner else None) or "max-change-percent"


def _follow_ups(
    history: History,
    stack: StackFile,
    gates: gating.Gates,
    found: list[Recommendation],
    inputs: resources.Inputs,
) -> list[Recommendation]:
    extra: list[Recommendation] = []
    task = history.components.get("task")
    if task is not None and inputs.hpa:
        fallback = stack.value("autoscaling.fallback_replicas")
        scaling = replicas.TaskScaling(
            min_replicas=_number(stack, "autoscaling.min_task_replicas"),
            max_replicas=_number(stack, "autoscaling.max_task_replicas"),
            fallback_replicas=int(fallback) if fallback is not None else None,
            target_cpu=inputs.target_cpu,
            target_memory=inputs.target_memory,
            queue_metric=bool(stack.value("autoscaling.queue_metric")),
            pending_jobs_per_task=_number(stack, "autoscaling.pending_jobs_per_task"),
            scale_up_threshold=_number(stack, "autoscaling.scale_up_threshold"),
            cpu_request=_in_force(found, stack, "awx.resources.task.requests.cpu"),
            memory_request=_in_force(found, stack, "awx.resources.task.requests.memory"),
        )
        rec = replicas.max_replicas(history.awx, scaling)
        if rec is not None:
            rec.confidence = confidence_of.confidence(task)
            _gate(rec, task, gates)
            observed = history.awx.get("replicas_max") or 0
            if rec.recommended_value < observed:
                rec.risk = "high"  # the HPA ran more pods than this at some point
                rec.blocked_by = gating.blocking_gate(rec, gates, False)
            extra.append(rec)
    jobs = history.components.get("job")
    limit_key = "autoscaling.job_pod.resources.limits.memory"
    target = next((r.target_value for r in found if r.field == limit_key), None)
    if jobs is not None and target is not None:
        rec = replicas.max_forks(
            jobs,
            _number(stack, "autoscaling.max_forks_per_task"),
            _in_force(found, stack, limit_key),
            target,
        )
        if rec is not None:
            rec.confidence = confidence_of.confidence(jobs)
            _gate(rec, None, gates)
            rec.risk = "medium"  # job templates above the cap are brought down by the enforcer
            rec.blocked_by = gating.blocking_gate(rec, gates, False)
            extra.append(rec)
    return extra
