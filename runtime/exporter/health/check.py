"""The interface every health check implements, and small constructors for results."""

from __future__ import annotations

from typing import Protocol

from runtime.exporter.health.model import CheckReport, ComponentHealth, Status


class Check(Protocol):
    @property
    def components(self) -> tuple[str, ...]:
        """Components this check reports, in order; all become Unhealthy when it times out."""
        ...

    def run(self) -> CheckReport:
        """Probe the dependency; must not raise for the dependency's own failures."""
        ...


def healthy(component: str, reason: str) -> ComponentHealth:
    return ComponentHealth(component, Status.HEALTHY, reason)


def degraded(component: str, reason: str) -> ComponentHealth:
    return ComponentHealth(component, Status.DEGRADED, reason)


def unhealthy(component: str, reason: str) -> ComponentHealth:
    return ComponentHealth(component, Status.UNHEALTHY, reason)


def describe(error: BaseException) -> str:
    """One line for a failure: its type and first line, without tracebacks or secrets."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
