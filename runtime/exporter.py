"""`awx-runtime exporter`: awx_* metrics and health endpoints for the AWX platform.

Serves /metrics, /healthz, /ready and /health (runtime/health/http_server.py) from the results
of checks that run concurrently on an interval (runtime/health/monitor.py); what makes each
component Healthy, Degraded or Unhealthy is defined in runtime/health/__init__.py and
docs/exporter.md. Every setting is a flag with an environment fallback; the two secrets
(PGPASSWORD, AWX_TOKEN) are read from the environment only, so they never show in `ps`.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from dataclasses import dataclass
from types import FrameType
from typing import Any

from runtime.errors import ConfigurationError
from runtime.health.awx_api import AwxPingCheck, CapacityWithoutToken, TaskCapacityCheck
from runtime.health.check import Check
from runtime.health.database import DatabaseCheck, DatabaseTarget
from runtime.health.http_server import HealthEndpoints, serve
from runtime.health.kubernetes_api import (
    DeploymentTarget,
    KubernetesCheck,
    api_client,
    default_pod_selector,
)
from runtime.health.metrics import registry_for
from runtime.health.monitor import HealthMonitor, MonitorTiming
from runtime.health.redis_server import RedisCheck
from runtime.logs import log

COMPONENTS = ("database", "redis", "awx_api", "task_capacity", "kubernetes", "deployment")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass(frozen=True)
class Option:
    dest: str
    flag: str
    env: str
    help: str
    default: str | None = None
    """None: the setting is required."""


OPTIONS = (
    Option("port", "--port", "EXPORTER_PORT", "port to serve on", "9180"),
    Option("bind", "--bind", "EXPORTER_BIND", "address to serve on", "0.0.0.0"),
    Option("name", "--name", "AWX_DEPLOYMENT_NAME", "name of the AWX custom resource"),
    Option("namespace", "--namespace", "AWX_NAMESPACE", "namespace of the AWX deployment"),
    Option(
        "awx_api_url",
        "--awx-api-url",
        "AWX_API_URL",
        "AWX base URL, e.g. http://awx-service.awx.svc:80",
    ),
    Option("pg_host", "--pg-host", "PGHOST", "PostgreSQL host"),
    Option("pg_port", "--pg-port", "PGPORT", "PostgreSQL port", "5432"),
    Option("pg_database", "--pg-database", "PGDATABASE", "PostgreSQL database", "awx"),
    Option("pg_user", "--pg-user", "PGUSER", "PostgreSQL user", "awx"),
    Option("pg_sslmode", "--pg-sslmode", "PGSSLMODE", "PostgreSQL sslmode", "prefer"),
    Option(
        "redis_url",
        "--redis-url",
        "REDIS_URL",
        "Redis URL (redis://, rediss:// or unix://); empty: not checked",
        "",
    ),
    Option(
        "kube_api_url",
        "--kube-api-url",
        "EXPORTER_KUBE_API_URL",
        "Kubernetes API URL without auth (out-of-cluster use); empty: in-cluster ServiceAccount",
        "",
    ),
    Option(
        "pod_selector",
        "--pod-selector",
        "EXPORTER_POD_SELECTOR",
        "label selector of the AWX pods; empty: the operator's labels for --name",
        "",
    ),
    Option("interval", "--interval", "EXPORTER_INTERVAL", "seconds between check cycles", "15"),
    Option(
        "check_timeout",
        "--check-timeout",
        "EXPORTER_CHECK_TIMEOUT",
        "deadline of each check, seconds",
        "1",
    ),
    Option(
        "slow_threshold",
        "--slow-threshold",
        "EXPORTER_SLOW_THRESHOLD",
        "a check slower than this (seconds) is Degraded; empty: half the deadline",
        "",
    ),
    Option(
        "capacity_warning_ratio",
        "--capacity-warning-ratio",
        "EXPORTER_CAPACITY_WARNING_RATIO",
        "task capacity is Degraded when less than this fraction is left",
        "0.1",
    ),
    Option(
        "critical",
        "--critical",
        "EXPORTER_CRITICAL_COMPONENTS",
        "comma-separated components whose Unhealthy status fails /ready",
        "kubernetes",
    ),
)


def register(groups: Any) -> None:
    parser = groups.add_parser(
        "exporter",
        help="serve awx_* metrics and health endpoints",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog="Secrets from the environment only: PGPASSWORD (PostgreSQL password), "
        "AWX_TOKEN (AWX OAuth2 token; enables the task_capacity check).",
    )
    for option in OPTIONS:
        fallback = f"default {option.default!r}" if option.default is not None else "required"
        parser.add_argument(
            option.flag, dest=option.dest, help=f"{option.help} (env {option.env}; {fallback})"
        )
    parser.set_defaults(handler=run)


def _resolve(arguments: argparse.Namespace) -> dict[str, str]:
    values: dict[str, str] = {}
    for option in OPTIONS:
        value = getattr(arguments, option.dest)
        if value is None:
            value = os.environ.get(option.env, option.default)
        if value is None or (option.default is None and not value.strip()):
            raise ConfigurationError(f"{option.flag} / {option.env}: required, not set")
        values[option.dest] = value.strip()
    return values


def _number(values: dict[str, str], dest: str, kind: type[float] | type[int]) -> Any:
    option = next(item for item in OPTIONS if item.dest == dest)
    try:
        number = kind(values[dest])
    except ValueError:
        expected = "an integer" if kind is int else "a number"
        raise ConfigurationError(
            f"{option.flag} / {option.env}: {values[dest]!r} is not {expected}"
        ) from None
    if number <= 0:
        raise ConfigurationError(f"{option.flag} / {option.env}: must be positive")
    return number


@dataclass(frozen=True)
class ExporterSettings:
    bind: str
    port: int
    awx_name: str
    namespace: str
    awx_api_url: str
    awx_token: str | None
    database: DatabaseTarget
    redis_url: str | None
    kube_api_url: str | None
    pod_selector: str
    timing: MonitorTiming
    capacity_warning_ratio: float
    critical: tuple[str, ...]


def settings_from(arguments: argparse.Namespace) -> ExporterSettings:
    values = _resolve(arguments)
    timeout = float(_number(values, "check_timeout", float))
    slow = _number(values, "slow_threshold", float) if values["slow_threshold"] else timeout / 2
    redis_url = values["redis_url"] or None
    if redis_url is not None and not redis_url.startswith(REDIS_SCHEMES):
        raise ConfigurationError(
            "--redis-url / REDIS_URL: must start with " + ", ".join(REDIS_SCHEMES)
        )
    critical = tuple(item.strip() for item in values["critical"].split(",") if item.strip())
    unknown = sorted(set(critical) - set(COMPONENTS))
    if unknown:
        raise ConfigurationError(
            f"--critical / EXPORTER_CRITICAL_COMPONENTS: unknown {', '.join(unknown)}; "
            f"known: {', '.join(COMPONENTS)}"
        )
    return ExporterSettings(
        bind=values["bind"],
        port=int(_number(values, "port", int)),
        awx_name=values["name"],
        namespace=values["namespace"],
        awx_api_url=values["awx_api_url"],
        awx_token=os.environ.get("AWX_TOKEN") or None,
        database=DatabaseTarget(
            host=values["pg_host"],
            port=int(_number(values, "pg_port", int)),
            dbname=values["pg_database"],
            user=values["pg_user"],
            password=os.environ.get("PGPASSWORD") or None,
            sslmode=values["pg_sslmode"],
        ),
        redis_url=redis_url,
        kube_api_url=values["kube_api_url"] or None,
        pod_selector=values["pod_selector"] or default_pod_selector(values["name"]),
        timing=MonitorTiming(float(_number(values, "interval", float)), timeout, float(slow)),
        capacity_warning_ratio=float(_number(values, "capacity_warning_ratio", float)),
        critical=critical,
    )


# Client-side timeouts only bound how long a check's thread lives; the monitor's deadline is what
# reports the timeout, so they are set past it and the reason is always the monitor's.
CLIENT_TIMEOUT_FACTOR = 2


def build_checks(settings: ExporterSettings) -> list[Check]:
    timeout = CLIENT_TIMEOUT_FACTOR * settings.timing.timeout_seconds
    checks: list[Check] = [
        DatabaseCheck(settings.database, timeout),
        RedisCheck(settings.redis_url, timeout),
        AwxPingCheck(settings.awx_api_url, timeout),
        KubernetesCheck(
            DeploymentTarget(settings.awx_name, settings.namespace, settings.pod_selector),
            api_client(settings.kube_api_url),
            timeout,
        ),
    ]
    if settings.awx_token:
        checks.append(
            TaskCapacityCheck(
                settings.awx_api_url, settings.awx_token, timeout, settings.capacity_warning_ratio
            )
        )
    else:
        checks.append(CapacityWithoutToken())
    return checks


def run(arguments: argparse.Namespace) -> int:
    settings = settings_from(arguments)
    checks = build_checks(settings)
    monitor = HealthMonitor(checks, settings.timing)
    endpoints = HealthEndpoints(
        monitor, registry_for(monitor, settings.awx_name, settings.namespace), settings.critical
    )
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
