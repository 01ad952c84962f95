"""`awx-runtime exporter`: awx_* metrics and health endpoints for the AWX platform.

Serves /metrics, /healthz, /ready and /health (runtime/health/http_server.py) from the results
of checks that run concurrently on an interval (runtime/health/monitor.py); what makes each
component Healthy, Degraded or Unhealthy is defined in runtime/health/__init__.py and
docs/exporter.md. Settings: runtime/health/settings.py.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType
from typing import Any

from runtime.errors import ConfigurationError
from runtime.health.api_metrics import ApiRequestMetrics
from runtime.health.awx_api import AwxPingCheck, CapacityWithoutToken, TaskCapacityCheck
from runtime.health.check import Check
from runtime.health.database import DatabaseCheck
from runtime.health.http_server import HealthEndpoints, serve
from runtime.health.kubernetes_api import DeploymentTarget, KubernetesCheck, api_client
from runtime.health.metrics import registry_for
from runtime.health.monitor import HealthMonitor
from runtime.health.redis_server import RedisCheck
from runtime.health.settings import OPTIONS, SECRETS_HELP, ExporterSettings, settings_from
from runtime.logs import log
from runtime.options import add_options


def register(groups: Any) -> None:
    parser = groups.add_parser(
        "exporter",
        help="serve awx_* metrics and health endpoints",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=SECRETS_HELP,
    )
    add_options(parser, OPTIONS)
    parser.set_defaults(handler=run)


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
            api_client(settings.kube_api_url),
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
        server = serve(endpoints, settings.bind, settings.port)
    except OSError as error:
        raise ConfigurationError(f"--port / EXPORTER_PORT: cannot listen: {error}") from error
    _shutdown_on_sigterm(server.shutdown)
    monitor.start()
    log.info(
        "exporter serving",
        extra={"event": "serving", "port": settings.port, "checks": len(checks)},
    )
    try:
        server.serve_forever()
    finally:
        monitor.stop()
        server.server_close()
    log.info("exporter stopped", extra={"event": "stopped"})
    return 0


def _shutdown_on_sigterm(shutdown: Any) -> None:
    def handle(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever() to return, so it must not run on its thread.
        threading.Thread(target=shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, handle)
