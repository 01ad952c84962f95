"""The CRDs the local cluster serves: controller-gen's output (make toolchain) and AWX's.

The AWX CRD is made from our JSON Schema of its spec (scripts/cluster/awx_schema.py), turned
structural the way the API server requires: every node typed, no `additionalProperties: false`
beside `properties` (the server prunes unknown fields instead), and objects whose fields we do
not spell out kept whole with x-kubernetes-preserve-unknown-fields, as the operator's CRD does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scripts.cluster.awx_schema import SPEC_PROPERTIES
from scripts.cluster.build import CRD_DIRECTORY


class _CrdLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1's SafeLoader without its `=` "value" tag, which Go's YAML never had: the
    Prometheus CRDs list the operator `=` in enums, and SafeLoader cannot construct it."""


_CrdLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:value"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# Keywords that JSON Schema has and a CRD's OpenAPI v3 schema does not.
_DROPPED = {"$schema", "const", "additionalProperties"}


def structural(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (JSON Schema, as our validators use it) as a structural OpenAPI v3 schema."""
    if not schema:
        return {"x-kubernetes-preserve-unknown-fields": True}
    result: dict[str, Any] = {k: v for k, v in schema.items() if k not in _DROPPED}
    if "enum" in result and "type" not in result:
        result["type"] = "string"
    if "properties" in result:
        result["type"] = "object"
        result["properties"] = {k: structural(v) for k, v in result["properties"].items()}
    elif result.get("type") == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            result["additionalProperties"] = structural(extra)
        else:
            result["x-kubernetes-preserve-unknown-fields"] = True
    if "items" in result:
        result["items"] = structural(result["items"])
    return result


def awx_crd() -> dict[str, Any]:
    spec_schema = structural({"type": "object", "properties": SPEC_PROPERTIES})
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "awxs.awx.ansible.com"},
        "spec": {
            "group": "awx.ansible.com",
            "names": {"kind": "AWX", "listKind": "AWXList", "plural": "awxs", "singular": "awx"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1beta1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "apiVersion": {"type": "string"},
                                "kind": {"type": "string"},
                                "metadata": {"type": "object"},
                                "spec": spec_schema,
                                "status": {
                                    "type": "object",
                                    "x-kubernetes-preserve-unknown-fields": True,
                                },
                            },
                        }
                    },
                }
            ],
        },
    }


def generated_crds(directory: Path = CRD_DIRECTORY) -> list[dict[str, Any]]:
    """controller-gen's CRDs (prometheus-operator's monitoring.coreos.com, KEDA's keda.sh)."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise FileNotFoundError(f"no CRDs in {directory}: run `make toolchain` first")
    return [
        document
        for path in files
        for document in yaml.load_all(path.read_text(), Loader=_CrdLoader)
        if document
    ]


def generated_crd_names(directory: Path = CRD_DIRECTORY) -> set[str]:
    """The CRDs' names without parsing them: controller-gen writes `<group>_<plural>.yaml`."""
    return {".".join(reversed(path.stem.split("_", 1))) for path in directory.glob("*.yaml")}


def all_crds() -> list[dict[str, Any]]:
    return [*generated_crds(), awx_crd()]
