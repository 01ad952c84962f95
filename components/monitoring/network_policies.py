"""NetworkPolicies for the AWX namespace: deny everything, then allow what AWX needs.

Pod labels are the awx-operator's (`app.kubernetes.io/name: <awx>-web|-task`, the database with
`app.kubernetes.io/component: database`), the operator's `control-plane: controller-manager`,
and our own (exporter, enforcer, backup components). The operator-managed Redis is a unix
socket inside each web and task pod, so Redis needs no rule unless an external Redis is
exported over TCP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.monitoring.platform_exporter import COMPONENT as EXPORTER
from components.monitoring.platform_exporter import PORT as EXPORTER_PORT
from components.monitoring.targets import JOB_ENFORCER
from components.monitoring.upstream_exporters import POSTGRES_EXPORTER_PORT, REDIS_EXPORTER_PORT
from components.settings.autoscaling import ENFORCER_METRICS_PORT as ENFORCER_PORT
from components.settings.monitoring import PUSHGATEWAY_PORT, NetworkPolicySettings

WEB_PORT = 8052
"""The port AWX's web container listens on (the Service's port 80 targets it)."""
POSTGRES_PORT = 5432
KUBERNETES_API_PORTS = (443, 6443)
BACKUP_COMPONENTS = ["backup", "restore", "restore-drill"]
ENFORCER = JOB_ENFORCER
ADVISOR = "awx-rightsizing"
"""`app.kubernetes.io/name` of the right-sizing advisor's pods (components/rightsizing)."""
NAMESPACE_NAME = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class PolicyContext:
    web_deployment: str
    """The web Deployment (`app.kubernetes.io/name` of its pods)."""
    task_deployment: str
    """The task Deployment (`app.kubernetes.io/name` of its pods)."""
    monitoring_namespace: str
    redis_port: int | None
    object_storage_ports: tuple[int, ...]


def _tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def _namespace(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME: name}}}


def _pods(name: str) -> dict[str, Any]:
    return {"matchLabels": {"app.kubernetes.io/name": name}}


def _cidrs(cidrs: list[str]) -> list[dict[str, Any]]:
    return [{"ipBlock": {"cidr": cidr}} for cidr in cidrs]


def policy_specs(settings: NetworkPolicySettings, context: PolicyContext) -> dict[str, Any]:
    """Policy name suffix -> NetworkPolicy spec."""
    everything: dict[str, Any] = {}
    web_sources: list[dict[str, Any]] = [{"podSelector": {}}]
    web_sources += [_namespace(name) for name in settings.ingress_namespaces]
    web_ingress: dict[str, Any] = {"ports": _tcp(WEB_PORT)}
    if settings.ingress_namespaces:
        web_ingress["from"] = web_sources
    specs: dict[str, Any] = {
        "default-deny": {"podSelector": everything, "policyTypes": ["Ingress", "Egress"]},
        "allow-dns": {
            "podSelector": everything,
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [{"namespaceSelector": {}}],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                }
            ],
        },
        "allow-web-ingress": {
            "podSelector": _pods(context.web_deployment),
            "policyTypes": ["Ingress"],
            "ingress": [web_ingress],
        },
        # Enforcer, exporter and the task pods' websocket relay call the web pods.
        "allow-web-egress": {
            "podSelector": everything,
            "policyTypes": ["Egress"],
            "egress": [
                {"to": [{"podSelector": _pods(context.web_deployment)}], "ports": _tcp(WEB_PORT)}
            ],
        },
        "allow-prometheus": {
            "podSelector": everything,
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [_namespace(context.monitoring_namespace)],
                    "ports": _tcp(
                        WEB_PORT,
                        EXPORTER_PORT,
                        ENFORCER_PORT,
                        POSTGRES_EXPORTER_PORT,
                        REDIS_EXPORTER_PORT,
                    ),
                }
            ],
        },
        "allow-postgres": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/component": "database"}},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {}}], "ports": _tcp(POSTGRES_PORT)}],
        },
        # Any destination: an external database lives outside the cluster.
        "allow-postgres-egress": {
            "podSelector": everything,
            "policyTypes": ["Egress"],
            "egress": [{"ports": _tcp(POSTGRES_PORT)}],
        },
        # The task pods run job pods; the exporter reads pods; the enforcer and the advisor
        # record Events (the backup pods' rule is in allow-backup-egress).
        "allow-kubernetes-api": {
            "podSelector": {
                "matchExpressions": [
                    {
                        "key": "app.kubernetes.io/name",
                        "operator": "In",
                        "values": [context.task_deployment, EXPORTER, ENFORCER, ADVISOR],
                    }
                ]
            },
            "policyTypes": ["Egress"],
            "egress": [{"ports": _tcp(*KUBERNETES_API_PORTS)}],
        },
        "allow-operator-kubernetes-api": {
            "podSelector": {"matchLabels": {"control-plane": "controller-manager"}},
            "policyTypes": ["Egress"],
            "egress": [{"ports": _tcp(*KUBERNETES_API_PORTS)}],
        },
        "allow-task-egress": {
            "podSelector": _pods(context.task_deployment),
            "policyTypes": ["Egress"],
            "egress": [{"to": _cidrs(settings.task_egress_cidrs)}],
        },
        "allow-backup-egress": {
            "podSelector": {
                "matchExpressions": [
                    {
                        "key": "app.kubernetes.io/component",
                        "operator": "In",
                        "values": BACKUP_COMPONENTS,
                    }
                ]
            },
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": _cidrs(settings.object_storage_cidrs),
                    "ports": _tcp(*context.object_storage_ports),
                },
                {
                    "to": [_namespace(context.monitoring_namespace)],
                    "ports": _tcp(PUSHGATEWAY_PORT),
                },
                # Their Events, and restore --restore-secrets.
                {"ports": _tcp(*KUBERNETES_API_PORTS)},
            ],
        },
    }
    if context.redis_port is not None:
        specs["allow-redis-egress"] = {
            "podSelector": {
                "matchExpressions": [
                    {
                        "key": "app.kubernetes.io/name",
                        "operator": "In",
                        "values": ["awx-redis-exporter", EXPORTER],
                    }
                ]
            },
            "policyTypes": ["Egress"],
            "egress": [{"ports": _tcp(context.redis_port)}],
        }
    return specs
