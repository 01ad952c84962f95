"""--publish: what the in-cluster CronJob leaves behind after a run.

- metrics on the Pushgateway (job `awx-rightsizing`, grouped by name and namespace):
  `awx_rightsizing_recommendation{component,container,resource,field,risk,blocked_by}` = the
  recommended value (cores, bytes, pods or forks), `awx_rightsizing_potential_monthly_savings`
  = the savings of the recommendations no gate blocked, and
  `awx_rightsizing_last_run_timestamp_seconds`;
- a ConfigMap (default `<name>-rightsizing-report`) with the markdown report (`report.md`) and
  the JSON (`recommendations.json`), replaced each run;
- a Kubernetes Event (reason `RightsizingRecommendations`) on that ConfigMap summing it up.

The Pushgateway POST replaces every series of the metric names it sends in the group, so a
recommendation that went away leaves no stale series behind.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError as Urllib3Error

from runtime.errors import AwxRuntimeError
from runtime.kubernetes_api import api_client
from runtime.rightsizing.advisor import Report

JOB = "awx-rightsizing"
EVENT_REASON = "RightsizingRecommendations"
LABELS = ("component", "container", "resource", "field", "risk", "blocked_by")


@dataclass(frozen=True)
class Target:
    name: str
    namespace: str
    configmap: str
    pushgateway: str | None
    kube_api_url: str | None


def publish(report: Report, markdown: str, target: Target) -> None:
    if target.pushgateway is not None:
        _push(report, target)
    api = client.CoreV1Api(
        api_client(target.kube_api_url, "--kube-api-url / RIGHTSIZE_KUBE_API_URL")
    )
    try:
        _replace_configmap(api, report, markdown, target)
        _event(api, report, target)
    except (ApiException, Urllib3Error) as error:
        status = getattr(error, "status", None) or "unreachable"
        raise AwxRuntimeError(
            f"could not publish the report to ConfigMap {target.namespace}/{target.configmap} "
            f"(Kubernetes API: {status} {getattr(error, 'reason', error)})",
            kind="kubernetes",
        ) from None


def _push(report: Report, target: Target) -> None:
    from prometheus_client import CollectorRegistry, Gauge, pushadd_to_gateway  # noqa: PLC0415

    registry = CollectorRegistry()
    identity = {"name": target.name, "namespace": target.namespace}
    recommendation = Gauge(
        "awx_rightsizing_recommendation",
        "Recommended value (cores, bytes, pods or forks) per stack config key.",
        [*identity, *LABELS],
        registry=registry,
    )
    for rec in report.recommendations:
        item = rec.as_dict()
        labels = {label: str(item[label] or "none") for label in LABELS}
        recommendation.labels(**identity, **labels).set(rec.recommended_value)
    saved = sum(r.monthly_savings for r in report.recommendations if r.blocked_by is None)
    Gauge(
        "awx_rightsizing_potential_monthly_savings",
        "Monthly savings of the recommendations no gate blocked (negative: costs more).",
        list(identity),
        registry=registry,
    ).labels(**identity).set(saved)
    Gauge(
        "awx_rightsizing_last_run_timestamp_seconds",
        "End of the last advisor run.",
        list(identity),
        registry=registry,
    ).labels(**identity).set(time.time())
    assert target.pushgateway is not None
    try:
        # POST: replaces every series of these names in the group, nothing else.
        pushadd_to_gateway(
            target.pushgateway, job=JOB, registry=registry, grouping_key=identity, timeout=10
        )
    except OSError as error:
        raise AwxRuntimeError(
            f"could not push metrics to the Pushgateway at {target.pushgateway}: {error}",
            kind="metrics",
        ) from None


def _replace_configmap(api: Any, report: Report, markdown: str, target: Target) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": target.configmap,
            "namespace": target.namespace,
            "labels": {
                "app.kubernetes.io/part-of": target.name,
                "app.kubernetes.io/component": "rightsizing",
            },
        },
        "data": {
            "report.md": markdown,
            "recommendations.json": json.dumps(report.as_dict(), indent=2),
        },
    }
    try:
        api.replace_namespaced_config_map(target.configmap, target.namespace, body)
    except ApiException as error:
        if error.status != 404:
            raise
        api.create_namespaced_config_map(target.namespace, body)


def _event(api: Any, report: Report, target: Target) -> None:
    items = report.recommendations
    passing = [r for r in items if r.blocked_by is None]
    saved = sum(r.monthly_savings for r in passing)
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    message = (
        f"{len(items)} right-sizing recommendations, {len(passing)} pass every gate "
        f"(monthly savings {saved:+.2f}); report in ConfigMap {target.configmap}"
    )
    api.create_namespaced_event(
        target.namespace,
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{target.configmap}.{secrets.token_hex(8)}",
                "namespace": target.namespace,
            },
            "involvedObject": {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "name": target.configmap,
                "namespace": target.namespace,
            },
            "reason": EVENT_REASON,
            "message": message,
            "type": "Normal",
            "source": {"component": "awx-runtime-rightsize"},
            "reportingComponent": "awx-runtime-rightsize",
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
        },
    )
