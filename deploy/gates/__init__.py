"""Health gates: each answers one question about the deployed stack, as a `GateResult`.

A gate is polled (`Gate.check`) every round of the soak loop (gates/soak.py); `once` gates
(the policy pack over the state) are asked a single time, since nothing they look at changes
while the deploy waits. `skipped` is for a gate with nothing to check (not configured, or an
endpoint not reachable from here): it never blocks, and its note says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Status = Literal["pass", "fail", "skipped"]


@dataclass(frozen=True)
class GateResult:
    gate: str
    status: Status
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"gate": self.gate, "status": self.status, "detail": self.detail}


class Gate(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def once(self) -> bool:
        """Asked a single time (what it reads does not change while the deploy waits)."""

    def check(self) -> GateResult: ...


def passed(gate: str, detail: str) -> GateResult:
    return GateResult(gate, "pass", detail)


def failed(gate: str, detail: str) -> GateResult:
    return GateResult(gate, "fail", detail)


def skipped(gate: str, detail: str) -> GateResult:
    return GateResult(gate, "skipped", detail)
