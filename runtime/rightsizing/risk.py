"""The risk of applying a recommendation: what could go wrong with the new value, judged from
OOM kills, CPU throttling, restarts and the headroom the new value leaves at the observed peak.
An increase with no sign of trouble is low; a decrease is only as safe as its headroom."""

from __future__ import annotations

from runtime.rightsizing.model import RISKS, Recommendation
from runtime.rightsizing.resources import MARGIN, THROTTLED
from runtime.rightsizing.usage import ComponentUsage

HEAVILY_THROTTLED = 0.25
"""A quarter of all CFS periods throttled: the CPU history says little about real demand."""


def _at_least(level: str, other: str) -> str:
    return max(level, other, key=RISKS.index)


def assess(recommendation: Recommendation, usage: ComponentUsage | None) -> str:
    new, now = recommendation.recommended_value, recommendation.current_value
    level = "low"
    if usage is None:
        return "medium" if new < now else "low"
    resource = recommendation.resource
    if resource == "memory":
        peak = usage.highest("memory_max") or 0.0
        p95 = usage.highest("memory_p95") or 0.0
        if recommendation.kind == "limit":
            if new < peak:
                level = "critical"  # the observed peak would be OOM-killed
            elif new < peak * (1 + MARGIN):
                level = "high"
        elif new < now and new < p95:
            level = "medium"  # above the request under node pressure: first to be evicted
        if usage.oom_killed:
            level = _at_least(level, "medium")  # demand beyond the limit was never seen
    if resource == "cpu":
        throttled = usage.highest("throttled") or 0.0
        if throttled >= HEAVILY_THROTTLED:
            level = _at_least(level, "high")
        elif throttled >= THROTTLED:
            level = _at_least(level, "medium")
        peak = usage.highest("cpu_max") or 0.0
        if recommendation.kind == "limit" and new < peak:
            level = _at_least(level, "medium")  # it will throttle at the observed peak
    if new < now and usage.total("restarts") > 0 and not usage.oom_killed:
        level = _at_least(level, "medium")
    return level
