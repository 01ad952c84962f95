"""A fake Kubernetes API server: the AWX custom resource, the pods and the Secrets of one
namespace, plus ConfigMaps and Events (what the right-sizing advisor publishes).

Answers in the real API's JSON shapes (a PodList with apiVersion/kind/metadata/items, a Status
object for errors) so the real `kubernetes` client parses them; label selectors of the
equality form (`a=b,c=d`) filter the pods, as the exporter's selector needs. Secrets are
served like core/v1: POST creates (201, or 409 AlreadyExists), PUT replaces (200, or 404
NotFound), GET reads; `secret_writes` records each accepted write as (method, name).
ConfigMaps are served the same way (`configmap_writes`); Events are created with POST and kept
in `events`.
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
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Secrets by name, as stored (data values base64)."""
    secret_writes: list[tuple[str, str]] = field(default_factory=list)
    configmaps: dict[str, dict[str, Any]] = field(default_factory=dict)
    configmap_writes: list[tuple[str, str]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    forbidden: bool = False
    server: LoopbackServer = field(init=False)

    def __post_init__(self) -> None:
        self.server = LoopbackServer(self._route, self._write)

    def _secret(self, body: dict[str, Any], version: int) -> dict[str, Any]:
        metadata = {**body.get("metadata", {}), "namespace": self.namespace}
        metadata["resourceVersion"] = str(version)
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": metadata,
            "type": body.get("type") or "Opaque",
            "data": body.get("data") or {},
        }

    def _configmap(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        collection = f"/api/v1/namespaces/{self.namespace}/configmaps"
        name = body["metadata"]["name"]
        exists = name in self.configmaps
        if method == "POST" and path == collection and exists:
            return 409, _status(409, "AlreadyExists", f'configmaps "{name}" already exists')
        if method == "PUT" and path != f"{collection}/{name}":
            return 400, _status(400, "BadRequest", "the name of the object does not match")
        if method == "PUT" and not exists:
            return 404, _status(404, "NotFound", f'configmaps "{name}" not found')
        metadata = {**body.get("metadata", {}), "namespace": self.namespace}
        metadata["resourceVersion"] = str(len(self.configmap_writes) + 1)
        stored = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}
        stored["data"] = body.get("data") or {}
        self.configmaps[name] = stored
        self.configmap_writes.append((method, name))
        return (201 if method == "POST" else 200), stored

    def _write(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if self.forbidden:
            message = f'secrets is forbidden: cannot {method.lower()} in "{self.namespace}"'
            return 403, _status(403, "Forbidden", message)
        base = f"/api/v1/namespaces/{self.namespace}"
        if path.startswith(f"{base}/configmaps") and method in ("POST", "PUT"):
            return self._configmap(method, path, body)
        if method == "POST" and path == f"{base}/events":
            event = {"apiVersion": "v1", "kind": "Event", **body}
            self.events.append(event)
            return 201, event
        collection = f"/api/v1/namespaces/{self.namespace}/secrets"
        if method == "POST" and path == collection:
            return self._create_secret(body)
        if method == "PUT" and path.startswith(f"{collection}/"):
            return self._replace_secret(path.removeprefix(f"{collection}/"), body)
        return 404, _status(404, "NotFound", "the server could not find the requested resource")

    def _create_secret(self, body: dict[str, Any]) -> tuple[int, Any]:
        name = body["metadata"]["name"]
        if name in self.secrets:
            return 409, _status(409, "AlreadyExists", f'secrets "{name}" already exists')
        self.secrets[name] = self._secret(body, len(self.secret_writes) + 1)
        self.secret_writes.append(("POST", name))
        return 201, self.secrets[name]

    def _replace_secret(self, name: str, body: dict[str, Any]) -> tuple[int, Any]:
        if name != body["metadata"]["name"]:
            return 400, _status(400, "BadRequest", "the name of the object does not match")
        if name not in self.secrets:
            return 404, _status(404, "NotFound", f'secrets "{name}" not found')
        self.secrets[name] = self._secret(body, len(self.secret_writes) + 1)
        self.secret_writes.append(("PUT", name))
        return 200, self.secrets[name]

    def _read_secret(self, name: str) -> tuple[int, Any]:
        if name in self.secrets:
            return 200, self.secrets[name]
        return 404, _status(404, "NotFound", f'secrets "{name}" not found')

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
        secret_prefix = f"/api/v1/namespaces/{self.namespace}/secrets/"
        if path.startswith(secret_prefix):
            return self._read_secret(path.removeprefix(secret_prefix))
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
