"""A recommendation as the engine proposes it and as the report shows it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from runtime.rightsizing import quantities

Resource = Literal["cpu", "memory", "replicas"]
RISKS = ("low", "medium", "high", "critical")
GATES = ("protected", "floor", "min-confidence", "max-risk", "max-change-percent")
"""blocked_by values, in the order the gates are checked."""


@dataclass
class Recommendation:
    component: str
    container: str
    resource: Resource
    field: str
    """The stack config key it changes, e.g. awx.resources.task.requests.cpu."""
    current_value: float
    target_value: float
    """What the history asks for, before floors and the change cap."""
    reason: str
    confidence: float = 0.0
    recommended_value: float = 0.0
    risk: str = "low"
    monthly_savings: float = 0.0
    blocked_by: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    """Sentences the gates add to the reason (a cap, a floor, a clamp to the limit)."""
    kind: Literal["request", "limit", "count"] = "request"

    def __post_init__(self) -> None:
        self.recommended_value = self.target_value

    def quantity(self, value: float) -> str | int:
        if self.kind == "count":
            return int(value)
        return quantities.formatted(self.resource, value)

    @property
    def current(self) -> str | int:
        return self.quantity(self.current_value)

    @property
    def recommended(self) -> str | int:
        return self.quantity(self.recommended_value)

    @property
    def changes(self) -> bool:
        return self.recommended != self.current

    @property
    def change_percent(self) -> float:
        if self.current_value == 0:
            return 100.0
        return (self.recommended_value - self.current_value) / self.current_value * 100

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "container": self.container,
            "resource": self.resource,
            "field": self.field,
            "current": self.current,
            "recommended": self.recommended,
            "confidence": round(self.confidence, 3),
            "risk": self.risk,
            "monthly_savings": round(self.monthly_savings, 2),
            "blocked_by": self.blocked_by,
            "reason": " ".join([self.reason, *self.notes]),
        }
