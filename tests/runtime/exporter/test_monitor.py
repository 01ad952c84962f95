"""The monitor's deadline and its refusal to pile up runs of a check that hangs."""

from __future__ import annotations

import threading

from runtime.exporter.health.check import healthy
from runtime.exporter.health.model import CheckReport, Status
from runtime.exporter.health.monitor import HealthMonitor, MonitorTiming


class BlockingCheck:
    """Answers Healthy once `release` is set; counts how often it was started."""

    components = ("blocking",)

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.started = 0

    def run(self) -> CheckReport:
        self.started += 1
        self.entered.set()
        self.release.wait(timeout=60)
        return CheckReport((healthy("blocking", "answered"),))


class QuickCheck:
    components = ("quick",)

    def run(self) -> CheckReport:
        return CheckReport((healthy("quick", "answered"),))


class RaisingCheck:
    components = ("broken", "also_broken")

    def run(self) -> CheckReport:
        raise RuntimeError("unexpected\nsecond line")


def test_hanging_check_times_out_and_is_not_started_again_until_it_returns() -> None:
    check = BlockingCheck()
    # A second, quick check leaves a worker free: a wrongly restarted run would take it.
    monitor = HealthMonitor([check, QuickCheck()], MonitorTiming(1, 0.05, 10))
    try:
        for _ in range(3):
            cycle = monitor.run_cycle()
            assert check.entered.wait(timeout=10)
            assert cycle.components["blocking"].status is Status.UNHEALTHY
            assert cycle.components["blocking"].reason == "timed out after 0.05s"
            assert cycle.components["quick"].status is Status.HEALTHY
        assert check.started == 1
        check.release.set()
        assert monitor.run_cycle().components["blocking"].status is Status.HEALTHY
        check.release.clear()
        monitor.run_cycle()
        assert check.started == 2
    finally:
        check.release.set()
        monitor.stop()


def test_check_raising_reports_all_its_components_unhealthy_with_one_line() -> None:
    monitor = HealthMonitor([RaisingCheck()], MonitorTiming(1, 5, 5))
    try:
        components = monitor.run_cycle().components
        for name in RaisingCheck.components:
            assert components[name].status is Status.UNHEALTHY
            assert components[name].reason == "check failed: RuntimeError: unexpected"
    finally:
        monitor.stop()


def test_no_snapshot_is_not_fresh_and_a_new_one_is() -> None:
    monitor = HealthMonitor([RaisingCheck()], MonitorTiming(1, 5, 5))
    try:
        assert monitor.latest is None
        assert not monitor.is_fresh(0)
        snapshot = monitor.run_cycle()
        assert monitor.is_fresh(snapshot.finished_monotonic)
        assert not monitor.is_fresh(snapshot.finished_monotonic + 3 * 1 + 5 + 0.01)
    finally:
        monitor.stop()
