"""AwxRightsizing: the weekly right-sizing advisor in the cluster (docs/rightsizing.md).

A CronJob `<awx>-rightsizing` runs `awx-runtime rightsize --publish` as a dry run against the
in-cluster Prometheus. The stack file it reads is not in the cluster, so a ConfigMap holds the
values it needs as a minimal stack file (`awx`, `autoscaling` and the advisor's own section;
no secrets live there). It publishes metrics to the Pushgateway (over the network), the
markdown report to the ConfigMap `<awx>-rightsizing-report` and an Event; its ServiceAccount
may do exactly that: create ConfigMaps, read and update the report, create Events, in AWX's
namespace only. Applying recommendations is the GitOps workflow's job (a pull request).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components.events_rbac import EVENT_RULE, recorder_env
from components.pods import AwxTarget, env_values, runtime_container, runtime_pod_spec
from components.settings.autoscaling import AutoscalingSettings
from components.settings.awx import AwxSettings
from components.settings.rightsizing import RightsizingSettings
from components.settings.runtime import RuntimeSettings

COMPONENT = "awx-rightsizing"
STACK_DIRECTORY = "/etc/awx-rightsizing"
STACK_FILE = "Pulumi.cluster.yaml"
RESOURCES = {
    "requests": {"cpu": "50m", "memory": "128Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}
"""bench/rightsize.py: a 44 MB peak and seconds of CPU for one AWX over 14 days."""
AWX_KEYS = {"name", "namespace", "web_replicas", "resources"}
"""What the advisor reads from the `awx` section (docs/rightsizing.md)."""


def report_configmap(awx_name: str) -> str:
    return f"{awx_name}-rightsizing-report"


def cluster_stack_file(
    awx: AwxSettings, autoscaling: AutoscalingSettings, settings: RightsizingSettings
) -> str:
    """The stack values the advisor reads, as a stack file."""
    sections = {
        "awx": awx.model_dump(mode="json", exclude_none=True, include=AWX_KEYS),
        "autoscaling": autoscaling.model_dump(mode="json", exclude_none=True),
        "rightsizing": settings.model_dump(mode="json", include={"protected", "prices"}),
    }
    document = {"config": {f"awx-platform:{key}": value for key, value in sections.items()}}
    return yaml.safe_dump(document, sort_keys=False)


def role_rules(awx_name: str) -> list[dict[str, Any]]:
    return [
        # RBAC cannot restrict create to a name: names are only known for existing objects.
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]},
        {
            "apiGroups": [""],
            "resources": ["configmaps"],
            "resourceNames": [report_configmap(awx_name)],
            "verbs": ["get", "update"],
        },
        EVENT_RULE,
    ]


def advisor_environment(
    awx_name: str,
    namespace: str,
    job_namespace: str,
    settings: RightsizingSettings,
    urls: Mapping[str, str | None],
) -> dict[str, str]:
    """The advisor's settings as the variables its flags fall back to."""
    values = {
        "PROMETHEUS_URL": urls["prometheus"],
        "PUSHGATEWAY_URL": urls["pushgateway"],
        "AWX_DEPLOYMENT_NAME": awx_name,
        "AWX_NAMESPACE": namespace,
        "AWX_JOB_NAMESPACE": job_namespace,
        "RIGHTSIZE_STACK_FILE": f"{STACK_DIRECTORY}/{STACK_FILE}",
        "RIGHTSIZE_WINDOW": settings.window,
        "RIGHTSIZE_MIN_CONFIDENCE": str(settings.min_confidence),
        "RIGHTSIZE_MAX_RISK": settings.max_risk,
        "RIGHTSIZE_MAX_CHANGE_PERCENT": str(settings.max_change_percent),
        "RIGHTSIZE_REPORT_CONFIGMAP": report_configmap(awx_name),
    }
    return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True)
class AwxRightsizingArgs:
    settings: RightsizingSettings
    """The `rightsizing` section: schedule, gates, prices."""
    awx_settings: AwxSettings
    """The `awx` section: names and the current resources."""
    autoscaling: AutoscalingSettings
    """The `autoscaling` section: HPA targets, replica bounds, forks, the job pods."""
    runtime: RuntimeSettings
    """The awx-runtime image."""
    awx: AwxTarget
    """The AWX deployment being sized."""
    prometheus_url: str
    """The in-cluster Prometheus the advisor queries."""
    pushgateway_url: str | None
    """Where it pushes its metrics."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels for every object this component creates."""


class AwxRightsizing(pulumi.ComponentResource):
    """The weekly advisor CronJob, its stack-values ConfigMap and its narrow RBAC."""

    cron_job_name: pulumi.Output[str]
    """The CronJob (`<awx>-rightsizing`)."""
    report_configmap_name: str
    """The ConfigMap the runs write the markdown report to."""

    def __init__(
        self, name: str, args: AwxRightsizingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:rightsizing:AwxRightsizing", name, None, opts)
        awx_name, namespace = args.awx_settings.name, args.awx_settings.namespace
        object_name = f"{awx_name}-rightsizing"
        labels = {**args.labels, "app.kubernetes.io/name": COMPONENT}
        metadata = {"name": object_name, "namespace": namespace, "labels": labels}
        child = pulumi.ResourceOptions(parent=self)
        account = k8s.core.v1.ServiceAccount(f"{name}-account", metadata=metadata, opts=child)
        role = k8s.rbac.v1.Role(
            f"{name}-role", metadata=metadata, rules=role_rules(awx_name), opts=child
        )
        binding = k8s.rbac.v1.RoleBinding(
            f"{name}-role-binding",
            metadata=metadata,
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": object_name},
            subjects=[{"kind": "ServiceAccount", "name": object_name, "namespace": namespace}],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role, account]),
        )
        stack = k8s.core.v1.ConfigMap(
            f"{name}-stack",
            metadata={**metadata, "name": f"{object_name}-stack"},
            data={
                STACK_FILE: cluster_stack_file(args.awx_settings, args.autoscaling, args.settings)
            },
            opts=child,
        )
        job_namespace = args.autoscaling.job_pod.namespace_for(namespace)
        environment = advisor_environment(
            awx_name,
            namespace,
            job_namespace,
            args.settings,
            {"prometheus": args.prometheus_url, "pushgateway": args.pushgateway_url},
        )
        container = runtime_container(
            "rightsizing",
            args.runtime,
            args=["rightsize", "--format", "markdown", "--publish"],
            resources=RESOURCES,
            env=[*recorder_env(in_job=True), *env_values(environment)],
            volume_mounts=[{"name": "stack", "mountPath": STACK_DIRECTORY, "readOnly": True}],
        )
        pod = runtime_pod_spec(
            [container],
            object_name,
            volumes=[{"name": "stack", "configMap": {"name": f"{object_name}-stack"}}],
            restartPolicy="Never",
        )
        cron_job = k8s.batch.v1.CronJob(
            f"{name}-cron-job",
            metadata=metadata,
            spec={
                "schedule": args.settings.schedule,
                "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": 2,
                "failedJobsHistoryLimit": 2,
                "jobTemplate": {
                    "spec": {
                        "backoffLimit": 1,
                        "activeDeadlineSeconds": 1800,
                        "template": {"metadata": {"labels": labels}, "spec": pod},
                    }
                },
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[binding, stack]),
        )
        self.cron_job_name = cron_job.metadata.apply(lambda m: str(m.name))
        self.report_configmap_name = report_configmap(awx_name)
        self.register_outputs({"cron_job_name": self.cron_job_name})
