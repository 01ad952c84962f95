"""Gate: every Deployment the platform owns is rolled out, Available and still progressing.

"Owns": labelled `app.kubernetes.io/part-of=awx-platform` and `awx-platform/stack=<stack>`
(components/platform.py labels everything it creates so) in the stack's namespaces, plus the
Deployments awx-operator made for the AWX instance (`app.kubernetes.io/managed-by=awx-operator`
in the AWX namespace), plus every Deployment the stack's state holds, so that one the cluster
lost is a failure rather than a Deployment nobody looks for.

Rolled out is what `kubectl rollout status` waits for: the controller saw the newest
generation, every replica runs the newest template, no old replica is left, all are
available. An update whose new pods never become Ready keeps the old pods serving, so the
Deployment stays Available while the rollout is stuck: only the rollout check sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError as Urllib3Error

from deploy.gates import GateResult, failed, passed

NAME = "deployments"
PLATFORM_SELECTOR = "app.kubernetes.io/part-of=awx-platform,awx-platform/stack={stack}"
OPERATOR_SELECTOR = "app.kubernetes.io/managed-by=awx-operator"


def rollout_problem(deployment: Mapping[str, Any]) -> str | None:
    """Why this Deployment (API JSON, camelCase) is not healthy yet; None when it is."""
    status = deployment.get("status") or {}
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    return _progress_problem(deployment, conditions) or _replica_problem(deployment, conditions)


def _progress_problem(
    deployment: Mapping[str, Any], conditions: Mapping[str, Mapping[str, Any]]
) -> str | None:
    progressing = conditions.get("Progressing") or {}
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return f"ProgressDeadlineExceeded: {progressing.get('message', 'no progress')}"
    generation = int((deployment.get("metadata") or {}).get("generation") or 0)
    observed = int((deployment.get("status") or {}).get("observedGeneration") or 0)
    if observed < generation:
        return f"the controller has not observed generation {generation} yet (at {observed})"
    return None


def _replica_problem(
    deployment: Mapping[str, Any], conditions: Mapping[str, Mapping[str, Any]]
) -> str | None:
    status = deployment.get("status") or {}
    wanted = int((deployment.get("spec") or {}).get("replicas", 1))
    updated = int(status.get("updatedReplicas") or 0)
    total = int(status.get("replicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    if updated < wanted:
        return f"rollout stuck or in progress: {updated} of {wanted} replicas updated"
    if total > updated:
        return f"rollout in progress: {total - updated} old replicas still running"
    if available < updated:
        return f"{available} of {updated} updated replicas available"
    available_condition = conditions.get("Available") or {}
    if available_condition.get("status") != "True":
        reason = available_condition.get("reason") or "no Available condition"
        return f"not Available ({reason})"
    return None


def judge(found: Mapping[str, Mapping[str, Any]], expected: Iterable[str]) -> GateResult:
    """`found`: namespace/name -> Deployment JSON; `expected`: names the state declares."""
    problems = [f"{key}: {problem}" for key, d in sorted(found.items())
                if (problem := rollout_problem(d)) is not None]  # fmt: skip
    missing = sorted(set(expected) - set(found))
    problems += [f"{key}: declared in the stack's state but not in the cluster" for key in missing]
    if problems:
        return failed(NAME, "; ".join(problems))
    if not found:
        return passed(NAME, "the stack owns no Deployment")
    return passed(NAME, f"{len(found)} rolled out and Available: {', '.join(sorted(found))}")


@dataclass
class DeploymentsGate:
    api: client.ApiClient
    stack: str
    namespaces: Sequence[str]
    awx_namespace: str
    expected: Sequence[str]
    """namespace/name of every Deployment in the stack's state."""
    name: str = NAME
    once: bool = False

    def check(self) -> GateResult:
        try:
            found = self._list()
        except (ApiException, Urllib3Error) as error:
            reason = getattr(error, "reason", None) or error
            return failed(NAME, f"cannot list Deployments: {getattr(error, 'status', '')} {reason}")
        return judge(found, self.expected)

    def _list(self) -> dict[str, dict[str, Any]]:
        apps: Any = client.AppsV1Api(self.api)
        selectors = [(ns, PLATFORM_SELECTOR.format(stack=self.stack)) for ns in self.namespaces]
        selectors.append((self.awx_namespace, OPERATOR_SELECTOR))
        found: dict[str, dict[str, Any]] = {}
        for namespace, selector in selectors:
            listed = apps.list_namespaced_deployment(
                namespace, label_selector=selector, _request_timeout=10
            )
            for item in listed.items:
                body = _as_json(self.api, item)
                found[f"{namespace}/{body['metadata']['name']}"] = body
        for key in sorted(set(self.expected) - set(found)):
            # Declared but not labelled as ours (or outside the namespaces above): judge it
            # by name; a 404 stays missing and fails the gate.
            namespace, _, name = key.partition("/")
            try:
                item = apps.read_namespaced_deployment(name, namespace, _request_timeout=10)
            except ApiException as error:
                if error.status != 404:
                    raise
                continue
            found[key] = _as_json(self.api, item)
        return found


def _as_json(api: client.ApiClient, item: object) -> dict[str, Any]:
    """The object as the API server sent it (camelCase keys); untyped upstream."""
    body: dict[str, Any] = api.sanitize_for_serialization(item)  # type: ignore[no-untyped-call]
    return body
