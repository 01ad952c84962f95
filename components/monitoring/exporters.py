"""What the Pushgateway and the PostgreSQL and Redis exporters run: images, ports, environment.

The PostgreSQL exporter reads the same configuration Secret AWX uses (host, port, database,
username, password, sslmode), so it needs no credentials of its own; the connection string
is assembled by Kubernetes from those variables, never written out here.
"""

from __future__ import annotations

import pulumi

from components.monitoring.workloads import MetricsWorkload
from components.runtime_pod import env_from_secret
from components.settings.monitoring import PUSHGATEWAY_PORT, PUSHGATEWAY_SERVICE, ExporterSettings

POSTGRES_EXPORTER_PORT = 9187
REDIS_EXPORTER_PORT = 9121


def pushgateway(settings: ExporterSettings) -> MetricsWorkload:
    return MetricsWorkload(
        name=PUSHGATEWAY_SERVICE,
        component=PUSHGATEWAY_SERVICE,
        image=settings.pushgateway_image,
        port=PUSHGATEWAY_PORT,
        probe_path="/-/healthy",
        readiness_path="/-/ready",
    )


def postgres_exporter(
    name: str, settings: ExporterSettings, configuration_secret: pulumi.Input[str]
) -> MetricsWorkload:
    return MetricsWorkload(
        name=name,
        component="awx-postgres-exporter",
        image=settings.postgres_image,
        port=POSTGRES_EXPORTER_PORT,
        probe_path="/",
        env=[
            env_from_secret("PGHOST", configuration_secret, "host"),
            env_from_secret("PGPORT", configuration_secret, "port"),
            env_from_secret("PGDATABASE", configuration_secret, "database"),
            env_from_secret("PGSSLMODE", configuration_secret, "sslmode", optional=True),
            env_from_secret("DATA_SOURCE_USER", configuration_secret, "username"),
            env_from_secret("DATA_SOURCE_PASS", configuration_secret, "password"),
            # Kubernetes expands $(VAR) from the variables above; an unset PGSSLMODE stays
            # literal and fails the connection visibly rather than silently dropping TLS.
            {
                "name": "DATA_SOURCE_URI",
                "value": "$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)",
            },
        ],
    )


def redis_exporter(name: str, address: str, settings: ExporterSettings) -> MetricsWorkload:
    return MetricsWorkload(
        name=name,
        component="awx-redis-exporter",
        image=settings.redis_image,
        port=REDIS_EXPORTER_PORT,
        probe_path="/health",
        env=[{"name": "REDIS_ADDR", "value": f"redis://{address}"}],
    )
