"""A fake Kubernetes API server, read-only: the AWX custom resource and the pods of one
namespace, for the exporter's fault tests, which flip a pod's phase, the resource's conditions
or the API's answer (403) between two checks of a running exporter faster than a real server
and kwok would reconcile them. Everything the runtime writes (Secrets, ConfigMaps, Events) and
the exporter's healthy path run against the local control plane (tests/e2e,
tests/runtime/rightsizing/test_publish.py).

Answers in the real API's JSON shapes (a PodList with apiVersion/kind/metadata/items, a Status
object for errors) so the real `kubernetes` client parses them; label selectors of the
equality form (`a=b,c=d`) filter the pods, as the exporter's selector needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import LoopbackServer


def awx_resource(name: str, namespace: str, failure: str | None = None) -> dict[str, Any]:
    """An AWX CR as the operator leaves it after a (failed, when `failure`) reconciliation."""
    succeeded = failure is None
    return {
        "apiVersion": "awx.ansible.com/v1beta1",
        "kind": "AWX",
        "metadata": {"name": name, "namespace": namespace, "generation": 3},
        "spec": {"service_type": "ClusterIP"},
        "status": {
            "conditions": [
                {
                    "type": "Running",
                    "status": "True",
                    "reason": "Successful" if succeeded else "Running",
                    "message": "Awaiting next reconciliation",
                    "lastTransitionTime": "2026-11-22T04:00:00Z",
                },
                {
                    "type": "Successful",
                    "status": "True" if succeeded else "False",
                    "reason": "Successful" if succeeded else "Failed",
                    "message": "Last reconciliation succeeded" if succeeded else "",
                    "lastTransitionTime": "2026-11-22T04:00:00Z",
                },
                {
                    "type": "Failure",
                    "status": "False" if succeeded else "True",
                    "reason": "" if succeeded else "Failed",
                    "message": failure or "",
                    "lastTransitionTime": "2026-11-22T04:00:00Z",
                },
            ],
            "version": "24.6.1",
        },
    }


def pod(
    awx: str,
    namespace: str,
    component: str,
    index: int,
    *,
    phase: str = "Running",
    ready: bool = True,
) -> dict[str, Any]:
    """A pod of the AWX operator's deployment `<awx>-<component>` (web, task, postgres-15)."""
    name_label = f"{awx}-{component}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{name_label}-7c9d8f-{index}",
            "namespace": namespace,
            "uid": f"{awx}-{component}-{index}",
            "labels": {
                "app.kubernetes.io/name": name_label,
                "app.kubernetes.io/part-of": awx,
                "app.kubernetes.io/managed-by": "awx-operator",
                "app.kubernetes.io/component": "awx",
            },
        },
        "spec": {"containers": [{"name": name_label, "image": "quay.io/ansible/awx:24.6.1"}]},
        "status": {
            "phase": phase,
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False"},
                {"type": "PodScheduled", "status": "True"},
            ],
        },
    }


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def _matches(labels: dict[str, str], selector: str) -> bool:
    terms = [term.split("=", 1) for term in selector.split(",") if term]
    return all(labels.get(key) == value for key, value in terms)


@dataclass
class FakeKubernetes:
    namespace: str
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    """AWX resources by name."""
    pods: list[dict[str, Any]] = field(default_factory=list)
    forbidden: bool = False
    server: LoopbackServer = field(init=False)

    def __post_init__(self) -> None:
        self.server = LoopbackServer(self._route)

    @property
    def url(self) -> str:
        return self.server.url

    def _route(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str]
    ) -> tuple[int, Any]:
        if self.forbidden:
            message = "serviceaccount cannot list resource in this namespace"
            return 403, _status(403, "Forbidden", message)
        awx_prefix = f"/apis/awx.ansible.com/v1beta1/namespaces/{self.namespace}/awxs/"
        if path.startswith(awx_prefix):
            name = path.removeprefix(awx_prefix)
            if name in self.resources:
                return 200, self.resources[name]
            return 404, _status(404, "NotFound", f'awxs.awx.ansible.com "{name}" not found')
        if path == f"/api/v1/namespaces/{self.namespace}/pods":
            selector = query.get("labelSelector", [""])[0]
            items = [p for p in self.pods if _matches(p["metadata"]["labels"], selector)]
            return 200, {
                "apiVersion": "v1",
                "kind": "PodList",
                "metadata": {"resourceVersion": "1000"},
                "items": items,
            }
        return 404, _status(404, "NotFound", "the server could not find the requested resource")
