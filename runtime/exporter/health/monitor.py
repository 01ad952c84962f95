"""Runs every check concurrently on an interval and keeps the latest results for the endpoints.

Scrapes and probes only read the cached snapshot, so they never wait on a dependency. Each
check gets a hard deadline: when it passes, its components are reported Unhealthy with a
timeout reason and the check is not started again until its previous run has returned (its
client timeouts end it soon after), so a hanging dependency never piles up threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from runtime.exporter.health.check import Check, degraded, describe, unhealthy
from runtime.exporter.health.model import (
    Capacity,
    CheckReport,
    ComponentHealth,
    DeploymentState,
    Status,
)
from runtime.logs import log


@dataclass(frozen=True)
class Snapshot:
    """Results of one cycle of all checks."""

    finished_monotonic: float
    finished_unix: float
    components: Mapping[str, ComponentHealth]
    capacity: Capacity | None = None
    deployment: DeploymentState | None = None


@dataclass(frozen=True)
class MonitorTiming:
    interval_seconds: float
    timeout_seconds: float
    slow_seconds: float
    """A Healthy result that took longer than this is reported Degraded."""


class HealthMonitor:
    def __init__(self, checks: Sequence[Check], timing: MonitorTiming) -> None:
        self._checks = tuple(checks)
        self._timing = timing
        self._pool = ThreadPoolExecutor(len(self._checks), thread_name_prefix="health-check")
        self._running: dict[int, Future[CheckReport]] = {}
        self._latest: Snapshot | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def latest(self) -> Snapshot | None:
        with self._lock:
            return self._latest

    def is_fresh(self, now_monotonic: float) -> bool:
        """A cycle finished within the last three intervals (plus one deadline)."""
        latest = self.latest
        if latest is None:
            return False
        allowed = 3 * self._timing.interval_seconds + self._timing.timeout_seconds
        return now_monotonic - latest.finished_monotonic <= allowed

    def run_cycle(self) -> Snapshot:
        futures = {index: self._submit(index) for index in range(len(self._checks))}
        wait(futures.values(), timeout=self._timing.timeout_seconds)
        reports = [self._collect(index, future) for index, future in futures.items()]
        snapshot = _merge(reports)
        with self._lock:
            self._latest = snapshot
        return snapshot

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._loop, name="health-monitor", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            snapshot = self.run_cycle()
            log.debug(
                "health checks ran",
                extra={
                    "event": "checked",
                    "statuses": {name: str(c.status) for name, c in snapshot.components.items()},
                },
            )
            self._stop.wait(max(0.0, self._timing.interval_seconds - (time.monotonic() - started)))

    def _submit(self, index: int) -> Future[CheckReport]:
        previous = self._running.get(index)
        if previous is not None and not previous.done():
            return previous
        future = self._pool.submit(_timed, self._checks[index])
        self._running[index] = future
        return future

    def _collect(self, index: int, future: Future[CheckReport]) -> CheckReport:
        check = self._checks[index]
        if not future.done():
            reason = f"timed out after {self._timing.timeout_seconds:g}s"
            timeout = self._timing.timeout_seconds
            return CheckReport(
                tuple(unhealthy(name, reason).with_latency(timeout) for name in check.components)
            )
        error = future.exception()
        if error is not None:
            # A bug or an unexpected library error: report it instead of losing the component.
            log.error("health check raised", extra={"event": "check_error", "error": repr(error)})
            return CheckReport(
                tuple(
                    unhealthy(name, f"check failed: {describe(error)}") for name in check.components
                )
            )
        return _flag_slow(future.result(), self._timing.slow_seconds)


def _timed(check: Check) -> CheckReport:
    started = time.monotonic()
    report = check.run()
    elapsed = time.monotonic() - started
    return CheckReport(
        tuple(result.with_latency(elapsed) for result in report.components),
        report.capacity,
        report.deployment,
    )


def _flag_slow(report: CheckReport, slow_seconds: float) -> CheckReport:
    def judge(result: ComponentHealth) -> ComponentHealth:
        latency = result.latency_seconds
        if result.status is not Status.HEALTHY or latency is None or latency <= slow_seconds:
            return result
        reason = f"slow: {result.reason} (took {latency:.2f}s, threshold {slow_seconds:g}s)"
        return degraded(result.component, reason).with_latency(latency)

    return CheckReport(tuple(map(judge, report.components)), report.capacity, report.deployment)


def _merge(reports: Sequence[CheckReport]) -> Snapshot:
    components = {result.component: result for report in reports for result in report.components}
    # The instance list (with a token) knows the used capacity; /ping/ only the total.
    capacities = [report.capacity for report in reports if report.capacity is not None]
    capacity = max(capacities, key=lambda item: item.used is not None, default=None)
    deployment = next((r.deployment for r in reports if r.deployment is not None), None)
    return Snapshot(time.monotonic(), time.time(), components, capacity, deployment)
