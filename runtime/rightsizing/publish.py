"""--publish: what the in-cluster CronJob leaves behind after a run.

- metrics on the Pushgateway (job `awx-rightsizing`, grouped by name and namespace):
  `awx_rightsizing_recommendation{component,container,resource,field,risk,blocked_by}` = the
  recommended value (cores, bytes, pods or forks), `awx_rightsizing_potential_monthly_savings`
  = the savings of the recommendations no gate blocked, and
  `awx_rightsizing_last_run_timestamp_seconds`;
- a ConfigMap (default `<name>-rightsizing-report`) with the markdown report (`report.md`) and
  the JSON (`recommendations.json`), replaced each run;
- a Kubernetes Event (events.k8s.io/v1, reason `RightsizingRecommendations`, runtime/events.py)
  on that ConfigMap summing it up; one the API refuses is logged and counted in
  `awx_runtime_events_failed`, never fails the run (the ConfigMap is what the run is for).

The Pushgateway POST replaces every series of the metric names it sends in the group, so a
recommendation that went away leaves no stale series behind.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError as Urllib3Error

from runtime.errors import AwxRuntimeError
from runtime.events import EventRecorder, ObjectReference, current_job
from runtime.kubernetes_api import Connection, connect
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
    kube: Connection


def publish(report: Report, markdown: str, target: Target) -> None:
    kube = connect(target.kube)
    try:
        _replace_configmap(client.CoreV1Api(kube), report, markdown, target)
    except (ApiException, Urllib3Error) as error:
        status = getattr(error, "status", None) or "unreachable"
        raise AwxRuntimeError(
            f"could not publish the report to ConfigMap {target.namespace}/{target.configmap} "
            f"(Kubernetes API: {status} {getattr(error, 'reason', error)})",
            kind="kubernetes",
        ) from None
    recorder = EventRecorder(lambda: kube, target.namespace, related=current_job(target.namespace))
    recorder.record(_configmap(target), EVENT_REASON, "Publish", _summary(report, target))
    if target.pushgateway is not None:
        _push(report, target, recorder.failures)


def _push(report: Report, target: Target, events_failed: int) -> None:
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
    # A gauge, not a counter: this group is replaced each run, so it says how the last went.
    Gauge(
        "awx_runtime_events_failed",
        "Kubernetes Events the last advisor run could not record.",
        list(identity),
        registry=registry,
    ).labels(**identity).set(events_failed)
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


def _configmap(target: Target) -> ObjectReference:
    return ObjectReference("v1", "ConfigMap", target.configmap, target.namespace)


def _summary(report: Report, target: Target) -> str:
    items = report.recommendations
    passing = [r for r in items if r.blocked_by is None]
    saved = sum(r.monthly_savings for r in passing)
    return (
        f"{len(items)} right-sizing recommendations, {len(passing)} pass every gate "
        f"(monthly savings {saved:+.2f}); report in ConfigMap {target.configmap}"
    )
