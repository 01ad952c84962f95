"""PostgreSQL: AWX's database must accept connections, answer, be writable and have free slots."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from runtime.exporter.health.check import degraded, describe, healthy, unhealthy
from runtime.exporter.health.model import CheckReport, ComponentHealth

COMPONENT = "database"
# Fraction of the non-superuser connection slots in use from which new AWX workers risk
# "too many clients" (AWX opens one connection per worker process and per web thread).
CONNECTIONS_DEGRADED_RATIO = 0.9
# libpq and psycopg round connect_timeout up to 2 s; the monitor's own deadline cuts at 1 s.
LIBPQ_MINIMUM_CONNECT_TIMEOUT = 2

_USAGE_QUERY = """
SELECT
    (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int,
    current_setting('max_connections')::int
        - current_setting('superuser_reserved_connections')::int
"""


@dataclass(frozen=True)
class DatabaseTarget:
    host: str
    port: int
    dbname: str
    user: str
    password: str | None
    sslmode: str


class DatabaseCheck:
    components = (COMPONENT,)

    def __init__(self, target: DatabaseTarget, timeout_seconds: float) -> None:
        self._target = target
        self._timeout_ms = max(1, int(timeout_seconds * 1000))
        self._connect_timeout = max(LIBPQ_MINIMUM_CONNECT_TIMEOUT, round(timeout_seconds))

    def run(self) -> CheckReport:
        try:
            with psycopg.connect(
                host=self._target.host,
                port=self._target.port,
                dbname=self._target.dbname,
                user=self._target.user,
                password=self._target.password,
                sslmode=self._target.sslmode,
                connect_timeout=self._connect_timeout,
                application_name="awx-exporter",
                options=f"-c statement_timeout={self._timeout_ms}",
                autocommit=True,
            ) as connection:
                connection.execute("SELECT 1").fetchone()
                recovery = connection.execute("SELECT pg_is_in_recovery()").fetchone()
                usage = connection.execute(_USAGE_QUERY).fetchone()
        except psycopg.Error as error:
            return CheckReport((unhealthy(COMPONENT, describe(error)),))
        if recovery is None or usage is None:
            return CheckReport((unhealthy(COMPONENT, "the server returned no rows"),))
        return CheckReport((_judge(bool(recovery[0]), int(usage[0]), int(usage[1])),))


def _judge(in_recovery: bool, connections: int, slots: int) -> ComponentHealth:
    if in_recovery:
        return unhealthy(
            COMPONENT, "server is in recovery (read-only standby); AWX needs a writable primary"
        )
    usage = f"{connections} of {slots} client connection slots in use"
    if slots > 0 and connections >= CONNECTIONS_DEGRADED_RATIO * slots:
        return degraded(COMPONENT, usage)
    return healthy(COMPONENT, f"primary answers; {usage}")
