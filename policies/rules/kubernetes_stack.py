"""Kubernetes rules that need the whole stack: disruption budgets and HPA-owned replicas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
)

from .common import dig, namespace_of, stack_policy

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"


def _of_type(args: StackValidationArgs, resource_type: str) -> list[PolicyResource]:
    return [r for r in args.resources if r.resource_type == resource_type]


def _hpa_targets(args: StackValidationArgs) -> set[tuple[str | None, str]]:
    targets = set()
    for hpa in _of_type(args, HPA):
        target = dig(hpa.props, "spec", "scaleTargetRef") or {}
        if target.get("kind") == "Deployment":
            targets.add((namespace_of(HPA, hpa.props), str(target.get("name"))))
    return targets


def _key(resource: PolicyResource) -> tuple[str | None, str]:
    return namespace_of(resource.resource_type, resource.props), str(
        dig(resource.props, "metadata", "name")
    )


def _selects(selector: Mapping[str, Any] | None, labels: Mapping[str, Any] | None) -> bool:
    match = (selector or {}).get("matchLabels") or {}
    return bool(match) and all((labels or {}).get(k) == v for k, v in match.items())


def _pdb_for_replicated(args: StackValidationArgs, report: ReportViolation) -> None:
    autoscaled = _hpa_targets(args)
    budgets = _of_type(args, PDB)
    for deployment in _of_type(args, DEPLOYMENT):
        replicas = dig(deployment.props, "spec", "replicas") or 1
        if replicas <= 1 and _key(deployment) not in autoscaled:
            continue
        pod_labels = dig(deployment.props, "spec", "template", "metadata", "labels")
        covered = any(
            namespace_of(PDB, b.props) == _key(deployment)[0]
            and _selects(dig(b.props, "spec", "selector"), pod_labels)
            for b in budgets
        )
        if not covered:
            report(
                f"Deployment {_key(deployment)[1]} runs several pods but no "
                "PodDisruptionBudget selects them",
                deployment.urn,
            )


pdb_for_replicated = stack_policy(
    "k8s-pdb-for-replicated-deployments",
    "Deployments with more than one pod (or an HPA) have a PodDisruptionBudget.",
    _pdb_for_replicated,
)


def _no_replicas_under_hpa(args: StackValidationArgs, report: ReportViolation) -> None:
    autoscaled = _hpa_targets(args)
    for deployment in _of_type(args, DEPLOYMENT):
        if _key(deployment) in autoscaled and dig(deployment.props, "spec", "replicas") is not None:
            report(
                f"Deployment {_key(deployment)[1]} is scaled by an HPA but sets spec.replicas; "
                "every update would fight the autoscaler",
                deployment.urn,
            )


no_replicas_under_hpa = stack_policy(
    "k8s-no-replicas-under-hpa",
    "A Deployment an HPA scales does not also fix spec.replicas.",
    _no_replicas_under_hpa,
)

POLICIES = [pdb_for_replicated, no_replicas_under_hpa]
