"""HTTP endpoints: /metrics, /healthz (liveness), /ready (readiness), /health (JSON report).

/healthz answers 200 whenever the process serves. /ready answers 200 once a cycle of checks has
finished recently and none of the critical components (the exporter's own dependencies, by
default the Kubernetes API) is Unhealthy; it deliberately ignores the components it reports on,
so that a database outage does not take the exporter out of its Service exactly when its zeros
are needed. /health answers 200 when the overall status is Healthy or Degraded, 503 otherwise.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from runtime.health.model import Status, overall
from runtime.health.monitor import HealthMonitor, Snapshot


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


def serve(endpoints: HealthEndpoints, host: str, port: int) -> ThreadingHTTPServer:
    """A bound server; the caller runs serve_forever() (or shutdown() from another thread)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "awx-exporter"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._reply(HTTPStatus.OK, generate_latest(endpoints.registry), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                self._reply(HTTPStatus.OK, b"ok\n", "text/plain; charset=utf-8")
            elif path == "/ready":
                self._json(*endpoints.readiness())
            elif path == "/health":
                self._json(*endpoints.health())
            else:
                self._reply(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

        def _json(self, status: HTTPStatus, document: dict[str, Any]) -> None:
            self._reply(status, json.dumps(document).encode(), "application/json")

        def _reply(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            # Probes and scrapes every few seconds would drown the useful log lines.
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
