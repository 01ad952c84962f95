"""AWX: the API answers /api/v2/ping/, and its control nodes have task capacity left.

/api/v2/ping/ needs no authentication and lists each instance's capacity, but not what is
consumed. Of the endpoints that do give consumed capacity, /api/v2/instances/ is the cheapest
(one JSON page; /api/v2/metrics/ renders every AWX metric) and it needs a token (AWX_TOKEN).
Each running job costs its controlling node (a task pod: node_type control, or hybrid) one
unit, so task capacity is the sum over the enabled control and hybrid instances.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runtime.awx_api import AwxApi, AwxApiError, Credentials, retry_policy
from runtime.exporter.health.api_metrics import ApiRequestMetrics
from runtime.exporter.health.check import degraded, describe, healthy, unhealthy
from runtime.exporter.health.model import Capacity, CheckReport, ComponentHealth, Status

API_COMPONENT = "awx_api"
CAPACITY_COMPONENT = "task_capacity"
CONTROLLING_NODE_TYPES = frozenset({"control", "hybrid"})
PING_PATH = "/api/v2/ping/"
INSTANCES_PATH = "/api/v2/instances/?page_size=200"
# No retries: a check has one deadline, and the monitor runs it again next cycle.
ONE_TRY = retry_policy(attempts=1)


def client(
    base_url: str,
    timeout_seconds: float,
    token: str | None = None,
    metrics: ApiRequestMetrics | None = None,
) -> AwxApi:
    """The shared AWX client as a check uses it: one try, every request counted in `metrics`."""
    return AwxApi(
        base_url,
        Credentials(token=token) if token else None,
        timeout_seconds=timeout_seconds,
        retry=ONE_TRY,
        observe=metrics.observe_response if metrics is not None else None,
    )


def _reason(error: AwxApiError) -> str:
    """A component's reason: what was asked and what came back, short (no advice)."""
    if error.kind == "connection":
        return f"{error.method} {error.path} failed: {error.reason}"
    if error.kind == "invalid":
        return f"{error.method} {error.path} did not return JSON"
    return f"{error.method} {error.path} answered HTTP {error.status}"


def _controlling(instances: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [item for item in instances if item.get("node_type") in CONTROLLING_NODE_TYPES]


class AwxPingCheck:
    components = (API_COMPONENT,)

    def __init__(
        self, base_url: str, timeout_seconds: float, metrics: ApiRequestMetrics | None = None
    ) -> None:
        self._api = client(base_url, timeout_seconds, metrics=metrics)

    def run(self) -> CheckReport:
        try:
            ping = self._api.get(PING_PATH)
            instances = _controlling(ping["instances"])
            capacities = [float(item["capacity"]) for item in instances]
        except AwxApiError as error:
            return CheckReport((unhealthy(API_COMPONENT, _reason(error)),))
        except (KeyError, TypeError, ValueError) as error:
            reason = f"GET {PING_PATH} is not AWX's ping document ({describe(error)})"
            return CheckReport((unhealthy(API_COMPONENT, reason),))
        with_capacity = sum(1 for value in capacities if value > 0)
        summary = (
            f"AWX {ping.get('version', '?')}: {with_capacity} of {len(capacities)} "
            "control nodes have capacity"
        )
        capacity = Capacity(total=sum(capacities))
        if with_capacity == 0:
            return CheckReport((unhealthy(API_COMPONENT, summary),), capacity=capacity)
        if with_capacity < len(capacities):
            return CheckReport((degraded(API_COMPONENT, summary),), capacity=capacity)
        return CheckReport((healthy(API_COMPONENT, summary),), capacity=capacity)


class TaskCapacityCheck:
    components = (CAPACITY_COMPONENT,)

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout_seconds: float,
        warning_ratio: float,
        metrics: ApiRequestMetrics | None = None,
    ) -> None:
        self._api = client(base_url, timeout_seconds, token, metrics)
        self._warning_ratio = warning_ratio

    def run(self) -> CheckReport:
        try:
            instances = self._enabled_controlling_instances()
            total = sum(float(item["capacity"]) for item in instances)
            used = sum(float(item["consumed_capacity"]) for item in instances)
        except AwxApiError as error:
            return CheckReport((unhealthy(CAPACITY_COMPONENT, _reason(error)),))
        except (KeyError, TypeError, ValueError) as error:
            reason = f"GET {INSTANCES_PATH} is not AWX's instance list ({describe(error)})"
            return CheckReport((unhealthy(CAPACITY_COMPONENT, reason),))
        capacity = Capacity(total=total, used=used)
        remaining = total - used
        summary = f"{remaining:g} of {total:g} task capacity units left"
        if remaining <= 0:
            return CheckReport((unhealthy(CAPACITY_COMPONENT, summary),), capacity=capacity)
        if remaining < self._warning_ratio * total:
            return CheckReport((degraded(CAPACITY_COMPONENT, summary),), capacity=capacity)
        return CheckReport((healthy(CAPACITY_COMPONENT, summary),), capacity=capacity)

    def _enabled_controlling_instances(self) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        path: str | None = INSTANCES_PATH
        while path:
            page = self._api.get(path)
            found.extend(item for item in _controlling(page["results"]) if item["enabled"])
            path = page.get("next")
        return found


class CapacityWithoutToken:
    """Without AWX_TOKEN the consumed capacity cannot be read; say so instead of guessing."""

    components = (CAPACITY_COMPONENT,)

    def run(self) -> CheckReport:
        reason = f"no AWX_TOKEN given; {INSTANCES_PATH.split('?', maxsplit=1)[0]} needs one"
        return CheckReport((ComponentHealth(CAPACITY_COMPONENT, Status.NOT_CONFIGURED, reason),))
