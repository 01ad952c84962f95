"""What `make cluster` puts into a fresh control plane: kwok's fake nodes and the CRDs."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from scripts.cluster.crds import all_crds, awx_crd, generated_crd_names

KWOK_ANNOTATION = "kwok.x-k8s.io/node"
# The AKS spot label and taint (components/placement.py tolerates it for job pods on spot).
SPOT_LABEL = ("kubernetes.azure.com/scalesetpriority", "spot")
NODES = ("kwok-node-0", "kwok-node-1", "kwok-spot-0")
# The local stack attaches to an existing kube-prometheus-stack, whose namespace it expects.
EXISTING_NAMESPACES = ("monitoring",)


def api_client(kubeconfig: Path) -> client.ApiClient:
    configuration = client.Configuration()
    # The loader is untyped upstream; it fills `configuration` in place.
    config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)  # type: ignore[no-untyped-call]
    return client.ApiClient(configuration)


def node(name: str) -> dict[str, Any]:
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "type": "kwok",
    }
    spec: dict[str, Any] = {}
    if "spot" in name:
        labels[SPOT_LABEL[0]] = SPOT_LABEL[1]
        spec["taints"] = [{"key": SPOT_LABEL[0], "value": SPOT_LABEL[1], "effect": "NoSchedule"}]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels, "annotations": {KWOK_ANNOTATION: "fake"}},
        "spec": spec,
    }


def ensure_nodes(api: client.ApiClient) -> None:
    # Typed as Any: the client takes plain dicts as bodies, which its stubs do not say.
    core: Any = client.CoreV1Api(api)
    existing = {item.metadata.name for item in core.list_node().items}
    for name in NODES:
        if name not in existing:
            core.create_node(node(name))


def ensure_namespaces(api: client.ApiClient) -> None:
    core: Any = client.CoreV1Api(api)
    existing = {item.metadata.name for item in core.list_namespace().items}
    for name in EXISTING_NAMESPACES:
        if name not in existing:
            core.create_namespace({"metadata": {"name": name}})


# No volume provisioner runs here: a default StorageClass that binds at first use, backed by
# a pool of pre-made volumes the scheduler picks from when a pod needs a claim. The provider
# treats a claim of such a class as ready while Pending, as on any WaitForFirstConsumer class.
STORAGE_CLASS = "local-static"
AVAILABLE_VOLUMES = 12


def ensure_storage(api: client.ApiClient) -> None:
    storage: Any = client.StorageV1Api(api)
    core: Any = client.CoreV1Api(api)
    if STORAGE_CLASS not in {c.metadata.name for c in storage.list_storage_class().items}:
        storage.create_storage_class({
            "metadata": {
                "name": STORAGE_CLASS,
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            "provisioner": "kubernetes.io/no-provisioner",
            "volumeBindingMode": "WaitForFirstConsumer",
            "reclaimPolicy": "Retain",
        })  # fmt: skip
    volumes = [v for v in core.list_persistent_volume().items
               if v.spec.storage_class_name == STORAGE_CLASS]  # fmt: skip
    # Volumes whose claims are gone are dropped and replaced, keeping the pool full.
    for volume in volumes:
        if volume.status.phase in ("Released", "Failed"):
            core.delete_persistent_volume(volume.metadata.name)
    available = sum(1 for v in volumes if v.status.phase in (None, "Pending", "Available"))
    for _ in range(AVAILABLE_VOLUMES - available):
        name = f"local-volume-{uuid.uuid4().hex[:8]}"
        core.create_persistent_volume({
            "metadata": {"name": name},
            "spec": {
                "storageClassName": STORAGE_CLASS,
                "capacity": {"storage": "500Gi"},
                "accessModes": ["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"],
                "persistentVolumeReclaimPolicy": "Retain",
                # Never mounted: kwok runs no containers.
                "hostPath": {"path": f"/var/lib/awx-platform-local/{name}"},
            },
        })  # fmt: skip


def ensure_crds(api: client.ApiClient, update_existing: bool) -> None:
    extensions: Any = client.ApiextensionsV1Api(api)
    if not update_existing:
        served = {c.metadata.name for c in extensions.list_custom_resource_definition().items}
        # The Prometheus CRDs take seconds to parse: skipped on a reuse that finds them all.
        if generated_crd_names() | {awx_crd()["metadata"]["name"]} <= served:
            return
    for crd in all_crds():
        name = crd["metadata"]["name"]
        try:
            current = extensions.read_custom_resource_definition(name)
        except ApiException as error:
            if error.status != 404:
                raise
            extensions.create_custom_resource_definition(crd)
            continue
        if not update_existing:
            continue
        crd["metadata"]["resourceVersion"] = current.metadata.resource_version
        extensions.replace_custom_resource_definition(name, crd)


def wait_until_ready(api: client.ApiClient, timeout: float) -> None:
    """Nodes Ready, every CRD Established, and the default ServiceAccount made."""
    core: Any = client.CoreV1Api(api)
    extensions: Any = client.ApiextensionsV1Api(api)
    deadline = time.monotonic() + timeout
    missing: list[str] = []
    while time.monotonic() < deadline:
        missing = [f"node {n.metadata.name} Ready" for n in core.list_node().items
                   if not _condition(n.status.conditions, "Ready")]  # fmt: skip
        missing += [f"CRD {c.metadata.name} Established"
                    for c in extensions.list_custom_resource_definition().items
                    if not _condition(c.status.conditions, "Established")]  # fmt: skip
        if not core.list_namespaced_service_account("default").items:
            missing.append("ServiceAccount default/default")
        if not missing:
            return
        time.sleep(0.5)
    raise TimeoutError("the cluster is not ready after {:.0f} s: waiting for {}".format(
        timeout, ", ".join(missing)))  # fmt: skip


def _condition(conditions: list[Any] | None, kind: str) -> bool:
    return any(c.type == kind and c.status == "True" for c in conditions or [])
