"""TaskAutoscaling: task-pod scaling, disruption budgets, and the job pods' namespace and quota.

- an autoscaling/v2 HPA on `<awx>-task`, or with `queue_metric` a KEDA ScaledObject in its
  place (never both on one Deployment: KEDA refuses a target another HPA already scales);
- PodDisruptionBudgets for the web and task pods (at most one evicted at a time);
- the namespace automation-job pods run in (the `default` container group's pod spec override
  points there), with a Role letting AWX's ServiceAccount run pods in it, a ResourceQuota for
  max_concurrent_jobs job pods and a LimitRange that sizes any container left unsized.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.autoscaling import job_pods, scalers
from components.pods import AwxTarget
from components.settings.autoscaling import AutoscalingSettings
from components.settings.awx import AwxSettings
from components.settings.monitoring import MonitoringSettings

PROMETHEUS_SERVICE = "prometheus-operated"
"""The Service prometheus-operator creates for every Prometheus it runs."""
PROMETHEUS_PORT = 9090
OPERATOR_MANAGER = "awx-operator"
"""`app.kubernetes.io/managed-by` on the operator's AWX pods."""


@dataclass(frozen=True)
class TaskAutoscalingArgs:
    settings: AutoscalingSettings
    """The validated `autoscaling` section."""
    awx_settings: AwxSettings
    """The `awx` section: the task pod's requests and the namespace job pods are kept out of."""
    monitoring: MonitoringSettings
    """Where KEDA finds Prometheus by default."""
    awx: AwxTarget
    """The AWX deployment whose task and web Deployments are scaled and protected."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels for every object this component creates."""


class TaskAutoscaling(pulumi.ComponentResource):
    """Scales AWX's task pods and bounds what its job pods may use."""

    job_namespace: pulumi.Output[str]
    """Namespace the automation-job pods run in."""
    scaler_kind: pulumi.Output[str]
    """HorizontalPodAutoscaler, ScaledObject, or none when autoscaling is off."""

    def __init__(
        self, name: str, args: TaskAutoscalingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("awx-platform:autoscaling:TaskAutoscaling", name, None, opts)
        self._name = name
        self._labels = dict(args.labels)
        awx = args.awx
        target = pulumi.Output.all(awx.namespace, awx.task_deployment_name).apply(
            lambda values: scalers.TaskTarget(namespace=values[0], deployment=values[1])
        )
        scaler = self._create_scaler(args, target)
        self._create_disruption_budgets(args.awx_settings.name, awx)
        self.job_namespace = self._create_job_namespace(args)
        self.scaler_kind = pulumi.Output.from_input(scaler)
        self.register_outputs(
            {"job_namespace": self.job_namespace, "scaler_kind": self.scaler_kind}
        )

    def _child(self, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, depends_on=depends_on)

    def _metadata(
        self, name: pulumi.Input[str], namespace: pulumi.Input[str]
    ) -> k8s.meta.v1.ObjectMetaArgs:
        return k8s.meta.v1.ObjectMetaArgs(name=name, namespace=namespace, labels=self._labels)

    def _create_scaler(
        self, args: TaskAutoscalingArgs, target: pulumi.Output[scalers.TaskTarget]
    ) -> str:
        settings, awx = args.settings, args.awx
        if not settings.enabled:
            return "none"
        metadata = self._metadata(awx.task_deployment_name, awx.namespace)
        if settings.queue_metric:
            url = settings.prometheus_url or (
                f"http://{PROMETHEUS_SERVICE}.{args.monitoring.namespace}.svc:{PROMETHEUS_PORT}"
            )
            resources = args.awx_settings.resources
            k8s.apiextensions.CustomResource(
                f"{self._name}-task-scaler",
                api_version=scalers.KEDA_API_VERSION,
                kind="ScaledObject",
                metadata=metadata,
                spec=target.apply(
                    lambda t: scalers.scaled_object_spec(settings, resources, t, url)
                ),
                opts=self._child(),
            )
            return "ScaledObject"
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{self._name}-task-hpa",
            metadata=metadata,
            spec=target.apply(lambda t: scalers.hpa_spec(settings, t)),
            opts=self._child(),
        )
        return "HorizontalPodAutoscaler"

    def _create_disruption_budgets(self, instance: str, awx: AwxTarget) -> None:
        for role, deployment in (
            ("web", awx.web_deployment_name),
            ("task", awx.task_deployment_name),
        ):
            k8s.policy.v1.PodDisruptionBudget(
                f"{self._name}-{role}-pdb",
                metadata=self._metadata(deployment, awx.namespace),
                spec={
                    # A drain may take one pod at a time; a task pod still waits for its jobs.
                    "maxUnavailable": 1,
                    "selector": {"matchLabels": _operator_pod_labels(deployment)},
                },
                opts=self._child(),
            )

    def _create_job_namespace(self, args: TaskAutoscalingArgs) -> pulumi.Output[str]:
        settings, awx = args.settings, args.awx
        name = settings.job_pod.namespace_for(args.awx_settings.namespace)
        namespace = k8s.core.v1.Namespace(
            f"{self._name}-job-namespace",
            metadata={"name": name, "labels": self._labels},
            opts=self._child(),
        )
        job_namespace = namespace.metadata.apply(lambda metadata: str(metadata.name))
        instance = args.awx_settings.name
        role = k8s.rbac.v1.Role(
            f"{self._name}-job-pods-role",
            metadata=self._metadata(f"{instance}-job-pods", job_namespace),
            rules=JOB_POD_RULES,
            opts=self._child(),
        )
        k8s.rbac.v1.RoleBinding(
            f"{self._name}-job-pods-binding",
            metadata=self._metadata(f"{instance}-job-pods", job_namespace),
            role_ref={
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": role.metadata.name,
            },
            # The operator runs AWX's pods as the ServiceAccount named after the AWX resource.
            subjects=[
                {"kind": "ServiceAccount", "name": awx.instance_name, "namespace": awx.namespace}
            ],
            opts=self._child(),
        )
        k8s.core.v1.ResourceQuota(
            f"{self._name}-job-quota",
            metadata=self._metadata(f"{instance}-jobs", job_namespace),
            spec={"hard": job_pods.quota_hard(settings)},
            opts=self._child(),
        )
        k8s.core.v1.LimitRange(
            f"{self._name}-job-limits",
            metadata=self._metadata(f"{instance}-jobs", job_namespace),
            spec={"limits": job_pods.limit_range_limits(settings)},
            opts=self._child(),
        )
        return job_namespace


POD_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]
JOB_POD_RULES = [
    {"apiGroups": [""], "resources": ["pods"], "verbs": POD_VERBS},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["pods/attach"], "verbs": ["create"]},
    # AWX creates image pull Secrets for job pods next to them.
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "create", "delete"]},
]
"""What AWX needs to run job pods in a namespace (the operator grants the same in its own)."""


def _operator_pod_labels(deployment: pulumi.Input[str]) -> dict[str, pulumi.Input[str]]:
    # The selector the operator itself gives its web and task Deployments.
    return {
        "app.kubernetes.io/name": deployment,
        "app.kubernetes.io/managed-by": OPERATOR_MANAGER,
        "app.kubernetes.io/component": "awx",
    }
