"""The soak loop on scripted gates and a virtual clock (no real waiting)."""

from dataclasses import dataclass, field

from deploy.gates import GateResult, Status
from deploy.gates.soak import soak


@dataclass
class Clock:
    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Scripted:
    """A gate answering the given statuses in turn, then repeating the last one."""

    name: str
    statuses: list[Status]
    once: bool = False
    asked: int = 0

    def check(self) -> GateResult:
        status = self.statuses[min(self.asked, len(self.statuses) - 1)]
        self.asked += 1
        return GateResult(self.name, status, f"{self.name} answer {self.asked}")


def run(*gates: Scripted, window: float = 10, timeout: float = 60, interval: float = 5):  # type: ignore[no-untyped-def]
    clock = Clock()
    outcome = soak(gates, window=window, timeout=timeout, interval=interval, clock=clock,
                   sleep=clock.sleep)  # fmt: skip
    return outcome, clock


def test_healthy_once_the_gates_held_for_the_window() -> None:
    gate = Scripted("deployments", ["fail", "pass"])
    outcome, clock = run(gate)
    assert outcome.healthy
    # t=0 fail, t=5 pass (window starts), t=10 pass, t=15 pass: held 10 s.
    assert gate.asked == 4
    assert clock.now == 15
    assert outcome.reason == "healthy for 10 s"


def test_a_failure_inside_the_window_starts_it_again() -> None:
    gate = Scripted("deployments", ["pass", "pass", "fail", "pass"])
    outcome, clock = run(gate)
    assert outcome.healthy
    # pass at 0 and 5, fail at 10, pass from 15: healthy at 25.
    assert clock.now == 25


def test_never_healthy_fails_at_the_timeout_with_the_last_answers() -> None:
    gate = Scripted("deployments", ["fail"])
    outcome, clock = run(gate, timeout=30)
    assert not outcome.healthy
    assert clock.now == 30
    assert outcome.failures == [
        GateResult("deployments", "fail", f"deployments answer {gate.asked}")
    ]
    assert outcome.reason == "not healthy for 10 s within 30 s"


def test_healthy_too_late_for_the_window_still_fails() -> None:
    gate = Scripted("deployments", ["fail"] * 5 + ["pass"])
    outcome, _ = run(gate, timeout=30)
    assert not outcome.healthy
    assert outcome.reason == "not healthy for 10 s within 30 s (healthy for 5 s)"


def test_skipped_gates_do_not_block() -> None:
    outcome, _ = run(Scripted("deployments", ["pass"]), Scripted("awx_ping", ["skipped"]))
    assert outcome.healthy
    assert [r.status for r in outcome.results] == ["pass", "skipped"]


def test_a_failing_once_gate_ends_the_soak_without_waiting() -> None:
    policy = Scripted("policy", ["fail"], once=True)
    polled = Scripted("deployments", ["pass"])
    outcome, clock = run(policy, polled)
    assert not outcome.healthy
    assert clock.sleeps == [] and polled.asked == 0
    assert outcome.reason == "a one-time gate failed"


def test_once_gates_are_asked_a_single_time() -> None:
    policy = Scripted("policy", ["pass"], once=True)
    outcome, _ = run(policy, Scripted("deployments", ["pass"]))
    assert outcome.healthy and policy.asked == 1
    assert [r.gate for r in outcome.results] == ["policy", "deployments"]


def test_window_zero_returns_at_the_first_healthy_round() -> None:
    gate = Scripted("deployments", ["pass"])
    outcome, clock = run(gate, window=0)
    assert outcome.healthy and gate.asked == 1 and clock.now == 0
