"""Safety gates: what may change, and by how much, in one run.

Each recommendation passes floors (never below a minimum), the change cap (at most
--max-change-percent of the current value per run, saying so: a large change is taken in
steps, each one watched by the guarded deploy), then the blocking gates in the order of
model.GATES. The first gate that holds a recommendation back is its `blocked_by`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from runtime.rightsizing import quantities
from runtime.rightsizing.model import RISKS, Recommendation

FLOORS = {"cpu": 0.010, "memory": 64.0 * quantities.MIB, "replicas": 1.0}
"""10m CPU (KRR's floor); 64Mi, the smallest request AWX's defaults give any container
(redis, rsyslog, init); one task pod."""


@dataclass(frozen=True)
class Gates:
    min_confidence: float = 0.7
    max_risk: str = "medium"
    max_change_percent: float = 50.0
    protected: frozenset[str] = field(default_factory=lambda: frozenset({"postgres"}))
    floors: dict[str, float] = field(default_factory=lambda: dict(FLOORS))


def shape(recommendation: Recommendation, gates: Gates) -> None:
    """Apply the floor and the change cap to recommendation.recommended_value."""
    rec = recommendation
    floor = _floor(rec, gates)
    if rec.target_value < floor:
        rec.recommended_value = floor
        rec.notes.append(f"Raised to the floor of {rec.quantity(floor)}.")
    limit = gates.max_change_percent / 100
    now = rec.current_value
    if now > 0 and abs(rec.recommended_value - now) > now * limit:
        capped = now * (1 + limit) if rec.recommended_value > now else now * (1 - limit)
        if rec.kind == "count":  # whole pods or forks, never past the cap
            capped = math.floor(capped) if capped > now else math.ceil(capped)
        full = rec.quantity(rec.recommended_value)
        rec.recommended_value = capped
        rec.notes.append(
            f"Capped at {gates.max_change_percent:g}% of the current value in one run "
            f"(uncapped: {full})."
        )


def blocking_gate(recommendation: Recommendation, gates: Gates, floor_blocked: bool) -> str | None:
    rec = recommendation
    if rec.component in gates.protected:
        return "protected"
    if floor_blocked:
        return "floor"
    if rec.confidence < gates.min_confidence:
        return "min-confidence"
    if RISKS.index(rec.risk) > RISKS.index(gates.max_risk):
        return "max-risk"
    if not rec.changes:
        return "max-change-percent"  # the cap left no step to take
    return None


def floor_blocks(recommendation: Recommendation, gates: Gates) -> bool:
    """The history asks for less than the floor and the value is at or under it already."""
    floor = _floor(recommendation, gates)
    return recommendation.target_value < floor and recommendation.current_value <= floor


def _floor(recommendation: Recommendation, gates: Gates) -> float:
    # Counts (pods, forks) share the floor of one; quantities have their resource's.
    key = "replicas" if recommendation.kind == "count" else recommendation.resource
    return gates.floors.get(key, 0.0)
