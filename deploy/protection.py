"""What a rollback may not do: replace or delete a protected or stateful resource.

A rollback runs unattended, so it is held to more than the engine's own `protect` check: a
resource is kept if the state marks it protected (awx.protect, monitoring.protect) or if its
type holds data whatever its flag says (volumes, buckets, storage accounts, the namespace the
operator's database lives in, the AWX resource that owns that database). The plan comes from
a preview of the rollback; when the engine itself refuses the plan because of a protected
resource, the URNs it names are matched against the state instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

STATEFUL_TYPES = frozenset(
    {
        "kubernetes:core/v1:PersistentVolumeClaim",
        "kubernetes:core/v1:PersistentVolume",
        "kubernetes:core/v1:Namespace",
        "kubernetes:awx.ansible.com/v1beta1:AWX",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "azure-native:storage:StorageAccount",
        "azure-native:storage:BlobContainer",
        "gcp:storage/bucket:Bucket",
    }
)
DESTRUCTIVE_OPS = frozenset({"delete", "replace", "delete-replaced", "discard-replaced"})
URN = re.compile(r"urn:pulumi:[^\s\"'`,;]+")


class Step(Protocol):
    """The part of the Automation API's StepEventMetadata this module reads."""

    @property
    def op(self) -> Any: ...

    @property
    def urn(self) -> str: ...

    @property
    def type(self) -> str: ...


def kept(deployment: Mapping[str, Any]) -> dict[str, str]:
    """URN -> why it must stay, for every protected or stateful resource in the state."""
    found: dict[str, str] = {}
    for resource in deployment.get("resources") or []:
        urn, kind = resource.get("urn", ""), resource.get("type", "")
        if resource.get("protect"):
            found[urn] = "protected"
        elif kind in STATEFUL_TYPES:
            found[urn] = f"stateful ({kind})"
    return found


def _op(step: Step) -> str:
    return str(getattr(step.op, "value", step.op))


def blocked(steps: Iterable[Step], keep: Mapping[str, str], error: str | None) -> list[str]:
    """'<urn> (<why>, <op>)' for each kept resource the plan would replace or delete."""
    found: dict[str, str] = {}
    for step in steps:
        op = _op(step)
        if op not in DESTRUCTIVE_OPS:
            continue
        why = keep.get(step.urn) or (
            f"stateful ({step.type})" if step.type in STATEFUL_TYPES else None
        )
        if why is not None:
            found[step.urn] = f"{step.urn} ({why}, {op})"
    for match in URN.findall(error or ""):
        urn = match.rstrip(".:)")
        if urn in keep and urn not in found:
            found[urn] = f"{urn} ({keep[urn]}, refused by the engine)"
    return sorted(found.values())
