"""Our schema of the AWX resource's spec, written from the awx-operator 2.19 CRD's field list.

The operator publishes its CRD only as a file in its repository (no registry serves it), so
this is our own schema of the fields the program emits, with the CRD's types and shapes. As
JSON Schema it is stricter than the CRD on purpose (unknown spec fields are errors, where the
API server would prune them); scripts/cluster/crds.py turns it into the structural CRD the
local cluster serves.
"""

from typing import Any

_QUANTITIES = {"type": "object", "additionalProperties": {"type": "string"}}


def _requirements(*keys: str) -> dict[str, Any]:
    quantities = {
        "type": "object",
        "properties": {key: {"type": "string"} for key in keys},
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"requests": quantities, "limits": quantities},
        "additionalProperties": False,
    }


_CONTAINER = _requirements("cpu", "memory", "storage", "ephemeral-storage")
_STRING = {"type": "string"}
_INTEGER = {"type": "integer"}

SPEC_PROPERTIES: dict[str, Any] = {
    "image": _STRING,
    "image_version": _STRING,
    "image_pull_policy": {
        "enum": ["Always", "always", "Never", "never", "IfNotPresent", "ifnotpresent"]
    },
    "admin_user": _STRING,
    "admin_email": _STRING,
    "admin_password_secret": {
        "type": "string",
        "pattern": "^[a-zA-Z0-9][-a-zA-Z0-9]{0,253}[a-zA-Z0-9]$",
    },
    "secret_key_secret": {
        "type": "string",
        "pattern": "^[a-zA-Z0-9][-a-zA-Z0-9]{0,253}[a-zA-Z0-9]$",
    },
    "web_replicas": _INTEGER,
    "task_replicas": _INTEGER,
    "task_manage_replicas": {"type": "boolean"},
    "service_type": {
        "enum": ["LoadBalancer", "loadbalancer", "ClusterIP", "clusterip", "NodePort", "nodeport"]
    },
    "termination_grace_period_seconds": _INTEGER,
    "extra_settings": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"setting": _STRING, "value": {}},
            "required": ["setting", "value"],
            "additionalProperties": False,
        },
    },
    "task_resource_requirements": _CONTAINER,
    "web_resource_requirements": _CONTAINER,
    "ee_resource_requirements": _CONTAINER,
    "redis_resource_requirements": _CONTAINER,
    "rsyslog_resource_requirements": _CONTAINER,
    "init_container_resource_requirements": _CONTAINER,
    "postgres_resource_requirements": _requirements("cpu", "memory"),
    "postgres_configuration_secret": _STRING,
    "postgres_storage_class": _STRING,
    "postgres_storage_requirements": _requirements("storage"),
    # YAML blocks held in strings, as the CRD declares them.
    "node_selector": _STRING,
    "tolerations": _STRING,
    # Affinities are Kubernetes Affinity objects that the operator passes into the
    # Deployments' pod specs; the CRD keeps their fields (preserve-unknown-fields).
    "task_affinity": {"type": "object"},
    "web_affinity": {"type": "object"},
    "ingress_annotations": _STRING,
    "ingress_type": {"enum": ["none", "Ingress", "ingress", "Route", "route"]},
    "ingress_hosts": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"hostname": _STRING, "tls_secret": _STRING},
            "additionalProperties": False,
        },
    },
    "ingress_class_name": _STRING,
    "route_host": _STRING,
    "route_tls_secret": _STRING,
}

AWX_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "awx.ansible.com/v1beta1"},
        "kind": {"const": "AWX"},
        "metadata": {"type": "object", "required": ["name", "namespace"]},
        "spec": {"type": "object", "properties": SPEC_PROPERTIES, "additionalProperties": False},
    },
    "additionalProperties": False,
}
