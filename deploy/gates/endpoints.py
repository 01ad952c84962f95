"""Gates on the platform's own health answers, where they are reachable from the deploy:
AWX's `/api/v2/ping/` (through the runtime's one AWX client) and the exporter's `/health`
(docs/exporter.md: 200 with Healthy or Degraded, 503 with Unhealthy).

"At least Degraded" for AWX is what the exporter's `awx_api` check calls Degraded or better:
the ping document answers and some control (or hybrid) instance reports capacity. A URL that
cannot be reached at all (connection refused, no route, DNS) is skipped with a note unless
deploy.health.require_endpoints says it must be reached; an answer that is wrong always fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from deploy.gates import GateResult, failed, passed, skipped
from runtime.awx_api import AwxApi, AwxApiError
from runtime.retry import RetryPolicy

AWX_GATE, EXPORTER_GATE = "awx_ping", "exporter_health"
CONTROL_NODE_TYPES = ("control", "hybrid")
TIMEOUT_SECONDS = 5.0
ONE_TRY = RetryPolicy(attempts=1, base_delay=0, jitter=False)
"""The soak loop is the retry: every round asks again."""


def judge_ping(body: Mapping[str, Any]) -> tuple[bool, str]:
    """(at least Degraded, why) from AWX's ping document."""
    instances = body.get("instances")
    if not isinstance(instances, list):
        return False, "not AWX's ping document (no instances list)"
    control = [i for i in instances if i.get("node_type") in CONTROL_NODE_TYPES]
    with_capacity = [i for i in control if (i.get("capacity") or 0) > 0]
    if not with_capacity:
        return False, f"no control or hybrid instance reports capacity ({len(control)} listed)"
    if len(with_capacity) < len(control):
        lost = len(control) - len(with_capacity)
        return True, f"Degraded: {lost} of {len(control)} control instances report no capacity"
    return True, f"Healthy: {len(control)} control instances with capacity"


def judge_exporter(status_code: int, body: Mapping[str, Any]) -> tuple[bool, str]:
    """(at least Degraded, why) from the exporter's /health answer."""
    status = body.get("status")
    unhealthy = sorted(
        name for name, component in (body.get("components") or {}).items()
        if isinstance(component, Mapping) and component.get("status") == "Unhealthy"
    )  # fmt: skip
    if status in ("Healthy", "Degraded") and status_code == 200:
        return True, str(status)
    named = f" ({', '.join(unhealthy)})" if unhealthy else ""
    return False, f"HTTP {status_code}, status {status!r}{named}"


@dataclass
class AwxPingGate:
    url: str
    required: bool
    name: str = AWX_GATE
    once: bool = False

    def check(self) -> GateResult:
        try:
            with AwxApi(self.url, None, timeout_seconds=TIMEOUT_SECONDS, retry=ONE_TRY) as api:
                body = api.get("/api/v2/ping/")
        except AwxApiError as error:
            if error.kind == "connection" and not self.required:
                return skipped(AWX_GATE, f"{self.url} not reachable from here ({error.reason})")
            return failed(AWX_GATE, str(error))
        healthy, why = judge_ping(body)
        return (passed if healthy else failed)(AWX_GATE, f"{self.url}: {why}")


@dataclass
class ExporterHealthGate:
    url: str
    required: bool
    name: str = EXPORTER_GATE
    once: bool = False

    def check(self) -> GateResult:
        address = f"{self.url.rstrip('/')}/health"
        try:
            response = httpx.get(address, timeout=TIMEOUT_SECONDS, follow_redirects=False)
        except httpx.TransportError as error:
            if not self.required:
                return skipped(EXPORTER_GATE, f"{address} not reachable from here ({error})")
            return failed(EXPORTER_GATE, f"{address} not reachable: {error}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        healthy, why = judge_exporter(response.status_code, body if isinstance(body, dict) else {})
        return (passed if healthy else failed)(EXPORTER_GATE, f"{address}: {why}")
