"""The soak loop: ask every gate each round until all have held for the window, or time is up.

A round with any failing gate restarts the window: a Deployment that becomes Available and
then crash-loops never counts as healthy. `once` gates are asked first and a single time; one
of them failing ends the soak at once (waiting cannot change the state they read). Skipped
gates never block. The loop gives up when `timeout` seconds have passed since it started,
reporting the last round, so the whole wait is bounded by DEPLOY_HEALTH_TIMEOUT.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deploy.gates import Gate, GateResult

log = logging.getLogger("deploy")


@dataclass(frozen=True)
class SoakOutcome:
    healthy: bool
    results: list[GateResult]
    """The once gates' answers, then the last round's."""
    seconds: float
    reason: str

    @property
    def failures(self) -> list[GateResult]:
        return [r for r in self.results if r.status == "fail"]


def soak(
    gates: Sequence[Gate],
    *,
    window: float,
    timeout: float,
    interval: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> SoakOutcome:
    started = clock()
    once = [gate.check() for gate in gates if gate.once]
    _log_round(once)
    if any(result.status == "fail" for result in once):
        return SoakOutcome(False, once, clock() - started, "a one-time gate failed")
    polled = [gate for gate in gates if not gate.once]
    healthy_since: float | None = None
    while True:
        results = [gate.check() for gate in polled]
        now = clock()
        if all(result.status != "fail" for result in results):
            healthy_since = now if healthy_since is None else healthy_since
            if now - healthy_since >= window:
                return SoakOutcome(
                    True, once + results, now - started, f"healthy for {window:.0f} s"
                )
        else:
            if healthy_since is not None:
                log.warning("a gate failed during the soak window; the window starts again")
            healthy_since = None
        _log_round(results)
        elapsed = now - started
        if elapsed >= timeout:
            held = "" if healthy_since is None else f" (healthy for {now - healthy_since:.0f} s)"
            return SoakOutcome(
                False, once + results, elapsed,
                f"not healthy for {window:.0f} s within {timeout:.0f} s{held}",
            )  # fmt: skip
        sleep(max(0.0, min(interval, timeout - elapsed)))


def _log_round(results: Sequence[GateResult]) -> None:
    for result in results:
        if result.status == "fail":
            log.info("gate %s: %s", result.gate, result.detail)
