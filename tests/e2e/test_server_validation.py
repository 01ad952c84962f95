"""Every object of every example stack passes the real API server's validation.

Each stack's objects are the program's under Pulumi mocks (no cloud account); the local
cluster's kube-apiserver checks them with a server-side dry run (`dryRun=All`): schema,
defaulting, admission and the CRDs' structural schemas, without storing anything. Namespaces
get a per-test suffix and are created for real first, since a dry run of a namespaced object
needs its namespace to exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient

from tests.harness import run_program, stack_config
from tests.services.cluster import ensure_namespace, suffix

EXAMPLE_STACKS = ("local", "dev", "dev-minio", "prod-aws", "prod-azure", "prod-gcp")


@pytest.fixture(scope="module")
def dynamic(kube: client.ApiClient) -> DynamicClient:
    return DynamicClient(kube)


@pytest.fixture
def tag(kube: client.ApiClient) -> Iterator[str]:
    value = suffix()
    yield value
    core: Any = client.CoreV1Api(kube)
    for namespace in core.list_namespace().items:
        if namespace.metadata.name.endswith(f"-{value}"):
            core.delete_namespace(namespace.metadata.name)


def renamed(manifest: dict[str, Any], tag: str) -> dict[str, Any]:
    metadata = dict(manifest["metadata"])
    if manifest["kind"] == "Namespace":
        metadata["name"] = f"{metadata['name']}-{tag}"
    elif "namespace" in metadata:
        metadata["namespace"] = f"{metadata['namespace']}-{tag}"
    return {**manifest, "metadata": metadata}


def dry_run(dynamic: DynamicClient, manifest: dict[str, Any]) -> str | None:
    """None when the server accepts `manifest`, else what it said."""
    kind, name = manifest["kind"], manifest["metadata"]["name"]
    try:
        resource = dynamic.resources.get(api_version=manifest["apiVersion"], kind=kind)
        resource.create(
            body=manifest, namespace=manifest["metadata"].get("namespace"), dry_run="All"
        )
    except ApiException as error:
        return f"{kind} {name}: {error.status} {error.reason}: {error.body}"
    except Exception as error:  # the dynamic client's ResourceNotFoundError and the like
        return f"{kind} {name}: {type(error).__name__}: {error}"
    return None


@pytest.mark.parametrize("stack", EXAMPLE_STACKS)
def test_every_object_passes_server_side_validation(
    stack: str, kube: client.ApiClient, dynamic: DynamicClient, tag: str
) -> None:
    manifests = [renamed(m, tag) for m in run_program(stack, stack_config(stack)).manifests()]
    assert len(manifests) > 20, f"{stack}: the program declared almost nothing"
    namespaces = [m for m in manifests if m["kind"] == "Namespace"]
    refused = [reason for m in namespaces if (reason := dry_run(dynamic, m))]
    for namespace in {
        m["metadata"]["namespace"] for m in manifests if "namespace" in m["metadata"]
    }:
        ensure_namespace(kube, namespace)
    refused += [
        reason for m in manifests if m["kind"] != "Namespace" and (reason := dry_run(dynamic, m))
    ]
    assert refused == [], f"{stack}: the API server refused:\n" + "\n".join(refused)
