"""The exporter's settings: every one a flag with an environment fallback (runtime/options.py).

The two secrets never are flags (a process listing would show them): each comes from a file
named by a flag (--pg-password-file, --awx-token-file: how the pod gets them, mounted from
their Secrets), else from the environment (PGPASSWORD, AWX_TOKEN).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from runtime.exporter.health import awx_checks, database, kubernetes_api, redis_server
from runtime.exporter.health.database import DatabaseTarget
from runtime.exporter.health.kubernetes_api import default_pod_selector
from runtime.exporter.health.monitor import MonitorTiming
from runtime.kubernetes_api import Connection, connection_from, connection_options
from runtime.options import Option, OptionValues

COMPONENTS = (
    database.COMPONENT,
    redis_server.COMPONENT,
    awx_checks.API_COMPONENT,
    awx_checks.CAPACITY_COMPONENT,
    kubernetes_api.API_COMPONENT,
    kubernetes_api.DEPLOYMENT_COMPONENT,
)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
SECRETS_HELP = (
    "Secrets from files (--pg-password-file, --awx-token-file), else the environment: "
    "PGPASSWORD (PostgreSQL password), AWX_TOKEN (AWX OAuth2 token; enables the task_capacity "
    "check)."
)

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
    Option(
        "pg_password_file",
        "--pg-password-file",
        "PGPASSWORD_FILE",
        "file with the PostgreSQL password; empty: PGPASSWORD",
        "",
    ),
    Option(
        "awx_token_file",
        "--awx-token-file",
        "AWX_TOKEN_FILE",
        "file with an AWX OAuth2 token; empty: AWX_TOKEN",
        "",
    ),
    Option("pg_sslmode", "--pg-sslmode", "PGSSLMODE", "PostgreSQL sslmode", "prefer"),
    Option(
        "redis_url",
        "--redis-url",
        "REDIS_URL",
        "Redis URL (redis://, rediss:// or unix://); empty: not checked",
        "",
    ),
    *connection_options("EXPORTER", "the AWX resource and its pods"),
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
    kube: Connection
    pod_selector: str
    timing: MonitorTiming
    capacity_warning_ratio: float
    critical: tuple[str, ...]


def settings_from(arguments: argparse.Namespace) -> ExporterSettings:
    values = OptionValues(arguments, OPTIONS)
    timeout = values.positive("check_timeout", float)
    slow = values.positive("slow_threshold", float) if values.optional("slow_threshold") else None
    redis_url = values.optional("redis_url")
    if redis_url is not None and not redis_url.startswith(REDIS_SCHEMES):
        raise values.error("redis_url", "must start with " + ", ".join(REDIS_SCHEMES))
    critical = values.items("critical")
    unknown = sorted(set(critical) - set(COMPONENTS))
    if unknown:
        known = ", ".join(COMPONENTS)
        raise values.error("critical", f"unknown {', '.join(unknown)}; known: {known}")
    name = values.text("name")
    return ExporterSettings(
        bind=values.text("bind"),
        port=values.positive("port", int),
        awx_name=name,
        namespace=values.text("namespace"),
        awx_api_url=values.text("awx_api_url"),
        awx_token=values.secret("awx_token_file", "AWX_TOKEN"),
        database=DatabaseTarget(
            host=values.text("pg_host"),
            port=values.positive("pg_port", int),
            dbname=values.text("pg_database"),
            user=values.text("pg_user"),
            password=values.secret("pg_password_file", "PGPASSWORD"),
            sslmode=values.text("pg_sslmode"),
        ),
        redis_url=redis_url,
        kube=connection_from(values),
        pod_selector=values.optional("pod_selector") or default_pod_selector(name),
        timing=MonitorTiming(values.positive("interval", float), timeout, slow or timeout / 2),
        capacity_warning_ratio=values.positive("capacity_warning_ratio", float),
        critical=critical,
    )
