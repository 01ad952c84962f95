"""Runs `awx-runtime exporter`: builds the checks, the monitor and the endpoints, and serves.

Serves /metrics, /healthz, /ready and /health (health/endpoints.py) from the results of checks
that run concurrently on an interval (health/monitor.py); what makes each component Healthy,
Degraded or Unhealthy is defined in health/__init__.py and docs/exporter.md.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType
from typing import Any

from runtime.errors import ConfigurationError
from runtime.exporter.health.api_metrics import ApiRequestMetrics
from runtime.exporter.health.awx_checks import AwxPingCheck, CapacityWithoutToken, TaskCapacityCheck
from runtime.exporter.health.check import Check
from runtime.exporter.health.database import DatabaseCheck
from runtime.exporter.health.endpoints import HealthEndpoints, server
from runtime.exporter.health.kubernetes_api import DeploymentTarget, KubernetesCheck
from runtime.exporter.health.metrics import registry_for
from runtime.exporter.health.monitor import HealthMonitor
from runtime.exporter.health.redis_server import RedisCheck
from runtime.exporter.settings import ExporterSettings, settings_from
from runtime.kubernetes_api import connect
from runtime.logs import log

# Client-side timeouts only bound how long a check's thread lives; the monitor's deadline is what
# reports the timeout, so they are set past it and the reason is always the monitor's.
CLIENT_TIMEOUT_FACTOR = 2


def build_checks(
    settings: ExporterSettings, api_requests: ApiRequestMetrics | None = None
) -> list[Check]:
    timeout = CLIENT_TIMEOUT_FACTOR * settings.timing.timeout_seconds
    checks: list[Check] = [
        DatabaseCheck(settings.database, timeout),
        RedisCheck(settings.redis_url, timeout),
        AwxPingCheck(settings.awx_api_url, timeout, api_requests),
        KubernetesCheck(
            DeploymentTarget(settings.awx_name, settings.namespace, settings.pod_selector),
            connect(settings.kube),
            timeout,
        ),
    ]
    if settings.awx_token:
        checks.append(
            TaskCapacityCheck(
                settings.awx_api_url,
                settings.awx_token,
                timeout,
                settings.capacity_warning_ratio,
                api_requests,
            )
        )
    else:
        checks.append(CapacityWithoutToken())
    return checks


def run(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    api_requests = ApiRequestMetrics()
    checks = build_checks(settings, api_requests)
    monitor = HealthMonitor(checks, settings.timing)
    registry = registry_for(monitor, settings.awx_name, settings.namespace, api_requests)
    endpoints = HealthEndpoints(monitor, registry, settings.critical)
    try:
        http = server(endpoints, settings.bind, settings.port)
    except OSError as error:
        raise ConfigurationError(f"--port / EXPORTER_PORT: cannot listen: {error}") from error
    _shutdown_on_sigterm(http.shutdown)
    monitor.start()
    log.info(
        "exporter serving",
        extra={"event": "serving", "port": settings.port, "checks": len(checks)},
    )
    try:
        http.serve_forever()
    finally:
        monitor.stop()
    log.info("exporter stopped", extra={"event": "stopped"})
    return 0


def _shutdown_on_sigterm(shutdown: Any) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, so it must not run on its thread.
        threading.Thread(target=shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, handle)
