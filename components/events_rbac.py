"""What an awx-runtime pod needs to record Kubernetes Events (runtime/events.py): the rule,
the Role binding it to the pod's ServiceAccount in its own namespace, and the downward-API
variables that name the pod and its Job in each Event.

`get` and `patch` besides `create`: a repeated event is one object whose series count the
runtime bumps (read it, patch the count), not a new object per run. Events only, in the
account's own namespace only: Kubernetes cannot narrow create by name, and nothing else in
the namespace becomes readable.
"""

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

EVENT_RULE: dict[str, list[str]] = {
    "apiGroups": ["events.k8s.io"],
    "resources": ["events"],
    "verbs": ["create", "get", "patch"],
}
RBAC_GROUP = "rbac.authorization.k8s.io"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
JOB_UID_LABEL = "batch.kubernetes.io/controller-uid"
"""Labels the Job controller puts on its pods (Kubernetes >= 1.27)."""


def _field(path: str) -> dict[str, Any]:
    return {"valueFrom": {"fieldRef": {"fieldPath": path}}}


def recorder_env(in_job: bool) -> list[dict[str, Any]]:
    """POD_NAME (each Event's reportingInstance) and, in a Job's pod, the Job (`related`)."""
    env = [{"name": "POD_NAME", **_field("metadata.name")}]
    if in_job:
        env += [
            {"name": "AWX_RUNTIME_JOB_NAME", **_field(f"metadata.labels['{JOB_NAME_LABEL}']")},
            {"name": "AWX_RUNTIME_JOB_UID", **_field(f"metadata.labels['{JOB_UID_LABEL}']")},
        ]
    return env


def event_recorder_role(
    resource_name: str,
    metadata: Mapping[str, Any],
    service_account: pulumi.Input[str],
    parent: pulumi.Resource,
    depends_on: list[pulumi.Resource],
) -> k8s.rbac.v1.RoleBinding:
    """A Role with EVENT_RULE in metadata's namespace, bound to `service_account` there."""
    namespace = metadata["namespace"]
    role = k8s.rbac.v1.Role(
        f"{resource_name}-events",
        metadata=dict(metadata),
        rules=[EVENT_RULE],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return k8s.rbac.v1.RoleBinding(
        f"{resource_name}-events",
        metadata=dict(metadata),
        role_ref={"apiGroup": RBAC_GROUP, "kind": "Role", "name": metadata["name"]},
        subjects=[{"kind": "ServiceAccount", "name": service_account, "namespace": namespace}],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[role, *depends_on]),
    )
