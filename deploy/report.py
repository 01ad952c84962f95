"""The deploy's report: a JSON summary on stdout for CI, the same in Markdown for a job summary.

Fields (docs/deploy.md): stack, commit, status (succeeded | failed), failure {stage, detail}
(stage: up | gates), gates [{gate, status, detail}], last_good {before, recorded}, rollback
(null, or {to_commit, status, detail, blocked_by, gates}), durations (seconds: up, gates,
rollback, total), telemetry {events_failed, metrics_pushed}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from deploy.gates import GateResult

RollbackStatus = Literal["succeeded", "unhealthy", "failed", "aborted", "none"]
"""succeeded: rolled back and healthy; unhealthy: rolled back, gates fail; failed: the
rollback's preview or up failed; aborted: it would have replaced or deleted a kept resource;
none: no last good deploy to roll back to."""

EXIT_CODES: dict[str, int] = {
    "succeeded": 0, "rolled-back": 1, "usage": 2, "not-rolled-back": 3, "rollback-failed": 4,
}  # fmt: skip


@dataclass
class Rollback:
    to_commit: str | None
    status: RollbackStatus
    detail: str
    blocked_by: list[str] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "to_commit": self.to_commit,
            "status": self.status,
            "detail": self.detail,
            "blocked_by": self.blocked_by,
            "gates": [g.as_dict() for g in self.gates],
        }


@dataclass
class Summary:
    stack: str
    commit: str
    status: Literal["succeeded", "failed"] = "failed"
    failure_stage: Literal["up", "gates"] | None = None
    failure_detail: str = ""
    gates: list[GateResult] = field(default_factory=list)
    last_good_before: str | None = None
    last_good_recorded: str | None = None
    rollback: Rollback | None = None
    durations: dict[str, float] = field(default_factory=dict)
    events_failed: int = 0
    metrics_pushed: bool = False

    @property
    def outcome(self) -> str:
        if self.status == "succeeded":
            return "succeeded"
        if self.rollback is None or self.rollback.status in ("none", "aborted"):
            return "not-rolled-back"
        return "rolled-back" if self.rollback.status == "succeeded" else "rollback-failed"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def as_dict(self) -> dict[str, Any]:
        failure = None
        if self.failure_stage is not None:
            failure = {"stage": self.failure_stage, "detail": self.failure_detail}
        return {
            "stack": self.stack,
            "commit": self.commit,
            "status": self.status,
            "outcome": self.outcome,
            "failure": failure,
            "gates": [g.as_dict() for g in self.gates],
            "last_good": {"before": self.last_good_before, "recorded": self.last_good_recorded},
            "rollback": None if self.rollback is None else self.rollback.as_dict(),
            "durations": {k: round(v, 1) for k, v in self.durations.items()},
            "telemetry": {
                "events_failed": self.events_failed,
                "metrics_pushed": self.metrics_pushed,
            },
        }

    def one_line(self) -> str:
        short = self.commit[:12]
        if self.status == "succeeded":
            return f"deploy of {short} to {self.stack} succeeded; recorded as last good"
        text = (
            f"deploy of {short} to {self.stack} failed at {self.failure_stage}: "
            f"{self.failure_detail}"
        )
        rollback = self.rollback
        if rollback is not None:
            target = (rollback.to_commit or "nothing")[:12]
            text += f"; rollback to {target}: {rollback.status} ({rollback.detail})"
        return text

    def markdown(self) -> str:
        icon = {"succeeded": "✅", "rolled-back": "↩️", "not-rolled-back": "🛑",
                "rollback-failed": "🔥"}[self.outcome]  # fmt: skip
        lines = [f"### {icon} Guarded deploy of `{self.stack}`: {self.outcome}", "",
                 f"Commit `{self.commit}`. {self.one_line()}.", "",
                 "| gate | status | detail |", "|---|---|---|"]  # fmt: skip
        lines += [_row(g) for g in self.gates]
        if self.rollback is not None:
            rollback = self.rollback
            lines += ["", f"**Rollback** to `{rollback.to_commit}`: {rollback.status} — "
                      f"{_cell(rollback.detail)}"]  # fmt: skip
            lines += [f"- blocked by `{urn}`" for urn in rollback.blocked_by]
            if rollback.gates:
                lines += ["", "| gate | status | detail |", "|---|---|---|"]
                lines += [_row(g) for g in rollback.gates]
        timing = ", ".join(f"{k} {v:.0f} s" for k, v in self.durations.items())
        lines += ["", f"Durations: {timing}.", ""]
        return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(result: GateResult) -> str:
    return f"| {result.gate} | {result.status} | {_cell(result.detail)} |"
