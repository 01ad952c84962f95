"""Redis: AWX's broker and cache must answer PING (optional: checked only when a URL is given)."""

from __future__ import annotations

import redis

from runtime.exporter.health.check import describe, healthy, unhealthy
from runtime.exporter.health.model import CheckReport, ComponentHealth, Status

COMPONENT = "redis"


class RedisCheck:
    components = (COMPONENT,)

    def __init__(self, url: str | None, timeout_seconds: float) -> None:
        self._url = url
        self._timeout = timeout_seconds

    def run(self) -> CheckReport:
        if not self._url:
            return CheckReport(
                (ComponentHealth(COMPONENT, Status.NOT_CONFIGURED, "no REDIS_URL given"),)
            )
        client = redis.Redis.from_url(
            self._url, socket_timeout=self._timeout, socket_connect_timeout=self._timeout
        )
        try:
            answered = client.ping()
        except redis.RedisError as error:
            return CheckReport((unhealthy(COMPONENT, describe(error)),))
        finally:
            client.close()
        if answered is not True:
            return CheckReport((unhealthy(COMPONENT, f"PING answered {answered!r}"),))
        return CheckReport((healthy(COMPONENT, "PING answered PONG"),))
