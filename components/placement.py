"""Spot (preemptible) node placement: node affinity and tolerations per cloud.

Each cloud marks spot nodes with its own label (docs/autoscaling.md): EKS managed node groups
`eks.amazonaws.com/capacityType=SPOT`, Karpenter `karpenter.sh/capacity-type=spot`, GKE
`cloud.google.com/gke-spot=true`, AKS `kubernetes.azure.com/scalesetpriority=spot`. One
affinity covers all four, so a stack need not say which cloud it runs on: node selector terms
are ORed (require: any cloud's spot label), match expressions in one term are ANDed (never:
none of them; NotIn also matches nodes without the label). AKS taints its spot nodes
(`kubernetes.azure.com/scalesetpriority=spot:NoSchedule`) and GKE may
(`cloud.google.com/gke-spot=true:NoSchedule`): pods meant for spot tolerate both.
"""

from typing import Any

SPOT_LABELS = (
    ("eks.amazonaws.com/capacityType", "SPOT"),
    ("karpenter.sh/capacity-type", "spot"),
    ("cloud.google.com/gke-spot", "true"),
    ("kubernetes.azure.com/scalesetpriority", "spot"),
)
SPOT_TOLERATIONS = (
    {
        "key": "kubernetes.azure.com/scalesetpriority",
        "operator": "Equal",
        "value": "spot",
        "effect": "NoSchedule",
    },
    {
        "key": "cloud.google.com/gke-spot",
        "operator": "Equal",
        "value": "true",
        "effect": "NoSchedule",
    },
)


def _on_spot() -> list[dict[str, Any]]:
    return [
        {"matchExpressions": [{"key": key, "operator": "In", "values": [value]}]}
        for key, value in SPOT_LABELS
    ]


def avoid_spot() -> dict[str, Any]:
    """Affinity that keeps a pod off every cloud's spot nodes."""
    expressions = [
        {"key": key, "operator": "NotIn", "values": [value]} for key, value in SPOT_LABELS
    ]
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": expressions}]
            }
        }
    }


def spot_affinity(mode: str) -> dict[str, Any]:
    """never: off spot nodes; prefer: spot nodes when there are any; require: spot only."""
    if mode == "require":
        return {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": _on_spot()}
            }
        }
    if mode == "prefer":
        return {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "preference": term} for term in _on_spot()
                ]
            }
        }
    return avoid_spot()


def spot_tolerations(mode: str) -> list[dict[str, str]]:
    return [dict(toleration) for toleration in SPOT_TOLERATIONS] if mode != "never" else []
