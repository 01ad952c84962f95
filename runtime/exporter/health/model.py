"""Results of health checks: statuses, per-component results and the facts checks observe."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    HEALTHY = "Healthy"
    DEGRADED = "Degraded"
    UNHEALTHY = "Unhealthy"
    NOT_CONFIGURED = "NotConfigured"

    @property
    def score(self) -> float | None:
        """Value of awx_platform_component_health; None for a component that is not configured."""
        return _SCORES.get(self)


_SCORES = {Status.HEALTHY: 1.0, Status.DEGRADED: 0.5, Status.UNHEALTHY: 0.0}


@dataclass(frozen=True)
class ComponentHealth:
    component: str
    status: Status
    reason: str
    latency_seconds: float | None = None
    """Wall time of the check that produced this result; None when it did not run."""

    def with_latency(self, seconds: float) -> ComponentHealth:
        return ComponentHealth(self.component, self.status, self.reason, seconds)


@dataclass(frozen=True)
class Capacity:
    """Task capacity of AWX's control nodes; `used` is None when only /ping/ was readable."""

    total: float
    used: float | None = None


@dataclass(frozen=True)
class DeploymentState:
    """What Kubernetes says about the AWX deployment: its health and pod counts by type/phase."""

    status: Status
    pods: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """Number of pods per (pod_type, phase)."""


@dataclass(frozen=True)
class CheckReport:
    """What one run of one check found: its components and any facts for the metrics."""

    components: tuple[ComponentHealth, ...]
    capacity: Capacity | None = None
    deployment: DeploymentState | None = None


def overall(components: Iterable[ComponentHealth]) -> Status:
    statuses = {result.status for result in components}
    for status in (Status.UNHEALTHY, Status.DEGRADED):
        if status in statuses:
            return status
    return Status.HEALTHY
