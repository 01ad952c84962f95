"""HTTP endpoints: /metrics, /healthz (liveness), /ready (readiness), /health (JSON report).

/healthz answers 200 whenever the process serves. /ready answers 200 once a cycle of checks has
finished recently and none of the critical components (the exporter's own dependencies, by
default the Kubernetes API) is Unhealthy; it deliberately ignores the components it reports on,
so that a database outage does not take the exporter out of its Service exactly when its zeros
are needed. /health answers 200 when the overall status is Healthy or Degraded, 503 otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from http import HTTPStatus
from typing import Any

from prometheus_client.registry import CollectorRegistry

from runtime.exporter.health.model import Status, overall
from runtime.exporter.health.monitor import HealthMonitor, Snapshot
from runtime.http_server import HttpServer, Reply, Route, json_reply, metrics_route


class HealthEndpoints:
    def __init__(
        self, monitor: HealthMonitor, registry: CollectorRegistry, critical: Collection[str]
    ) -> None:
        self.monitor = monitor
        self.registry = registry
        self.critical = frozenset(critical)

    def readiness(self) -> tuple[HTTPStatus, dict[str, Any]]:
        snapshot = self.monitor.latest
        if snapshot is None:
            return HTTPStatus.SERVICE_UNAVAILABLE, {"ready": False, "reason": "checks not run yet"}
        if not self.monitor.is_fresh(time.monotonic()):
            return HTTPStatus.SERVICE_UNAVAILABLE, {"ready": False, "reason": "checks are stale"}
        failing = sorted(
            name
            for name in self.critical
            if name in snapshot.components and snapshot.components[name].status is Status.UNHEALTHY
        )
        if failing:
            reason = "critical components unhealthy: " + ", ".join(failing)
            return HTTPStatus.SERVICE_UNAVAILABLE, {"ready": False, "reason": reason}
        return HTTPStatus.OK, {"ready": True, "reason": "checks are recent and critical ones pass"}

    def health(self) -> tuple[HTTPStatus, dict[str, Any]]:
        snapshot = self.monitor.latest
        if snapshot is None:
            return HTTPStatus.SERVICE_UNAVAILABLE, {"status": "Unknown", "components": {}}
        status = overall(snapshot.components.values())
        code = HTTPStatus.SERVICE_UNAVAILABLE if status is Status.UNHEALTHY else HTTPStatus.OK
        return code, _health_document(snapshot, status)


def _health_document(snapshot: Snapshot, status: Status) -> dict[str, Any]:
    return {
        "status": str(status),
        "checked_at": snapshot.finished_unix,
        "components": {
            name: {
                "status": str(result.status),
                "reason": result.reason,
                "latency_seconds": result.latency_seconds,
            }
            for name, result in sorted(snapshot.components.items())
        },
    }


def server(endpoints: HealthEndpoints, host: str, port: int) -> HttpServer:
    """A bound server (runtime/http_server.py); the caller runs or starts it."""
    routes: dict[str, Route] = {
        "/metrics": metrics_route(endpoints.registry),
        "/healthz": lambda: Reply(HTTPStatus.OK, b"ok\n"),
        "/ready": lambda: json_reply(*endpoints.readiness()),
        "/health": lambda: json_reply(*endpoints.health()),
    }
    return HttpServer(routes, host, port, server_version="awx-exporter")
