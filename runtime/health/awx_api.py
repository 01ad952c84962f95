"""AWX: the API answers /api/v2/ping/, and its control nodes have task capacity left.

/api/v2/ping/ needs no authentication and lists each instance's capacity, but not what is
consumed. Of the endpoints that do give consumed capacity, /api/v2/instances/ is the cheapest
(one JSON page; /api/v2/metrics/ renders every AWX metric) and it needs a token (AWX_TOKEN).
Each running job costs its controlling node (a task pod: node_type control, or hybrid) one
unit, so task capacity is the sum over the enabled control and hybrid instances.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from runtime.health.api_metrics import NO_RESPONSE, ApiRequestMetrics
from runtime.health.check import degraded, describe, healthy, unhealthy
from runtime.health.model import Capacity, CheckReport, ComponentHealth, Status

API_COMPONENT = "awx_api"
CAPACITY_COMPONENT = "task_capacity"
CONTROLLING_NODE_TYPES = frozenset({"control", "hybrid"})
PING_PATH = "/api/v2/ping/"
INSTANCES_PATH = "/api/v2/instances/?page_size=200"


class AwxApiError(Exception):
    """AWX did not give a usable answer; the message is the reason a component reports."""


def get_json(
    base_url: str,
    path: str,
    timeout: float,
    token: str | None = None,
    metrics: ApiRequestMetrics | None = None,
) -> Any:
    request = urllib.request.Request(urllib.parse.urljoin(base_url, path))
    request.add_header("Accept", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    code = NO_RESPONSE
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            code = str(response.status)
            body = response.read()
    except urllib.error.HTTPError as error:
        code = str(error.code)
        raise AwxApiError(f"GET {path} answered HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise AwxApiError(f"GET {path} failed: {describe(error)}") from error
    finally:
        if metrics is not None:
            endpoint = urllib.parse.urlsplit(path).path
            metrics.observe(endpoint, code, time.monotonic() - started)
    try:
        return json.loads(body)
    except ValueError as error:
        raise AwxApiError(f"GET {path} did not return JSON") from error


def _controlling(instances: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [item for item in instances if item.get("node_type") in CONTROLLING_NODE_TYPES]


class AwxPingCheck:
    components = (API_COMPONENT,)

    def __init__(
        self, base_url: str, timeout_seconds: float, metrics: ApiRequestMetrics | None = None
    ) -> None:
        self._base_url = base_url
        self._timeout = timeout_seconds
        self._metrics = metrics

    def run(self) -> CheckReport:
        try:
            ping = get_json(self._base_url, PING_PATH, self._timeout, metrics=self._metrics)
            instances = _controlling(ping["instances"])
            capacities = [float(item["capacity"]) for item in instances]
        except AwxApiError as error:
            return CheckReport((unhealthy(API_COMPONENT, str(error)),))
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
        self._metrics = metrics
        self._base_url = base_url
        self._token = token
        self._timeout = timeout_seconds
        self._warning_ratio = warning_ratio

    def run(self) -> CheckReport:
        try:
            instances = self._enabled_controlling_instances()
            total = sum(float(item["capacity"]) for item in instances)
            used = sum(float(item["consumed_capacity"]) for item in instances)
        except AwxApiError as error:
            return CheckReport((unhealthy(CAPACITY_COMPONENT, str(error)),))
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
            page = get_json(self._base_url, path, self._timeout, self._token, self._metrics)
            found.extend(item for item in _controlling(page["results"]) if item["enabled"])
            path = page.get("next")
        return found


class CapacityWithoutToken:
    """Without AWX_TOKEN the consumed capacity cannot be read; say so instead of guessing."""

    components = (CAPACITY_COMPONENT,)

    def run(self) -> CheckReport:
        reason = f"no AWX_TOKEN given; {INSTANCES_PATH.split('?', maxsplit=1)[0]} needs one"
        return CheckReport((ComponentHealth(CAPACITY_COMPONENT, Status.NOT_CONFIGURED, reason),))
