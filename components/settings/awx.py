"""The `awx` section: the AWX instance, its operator, database, placement and exposure."""

import re
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from components.settings.base import (
    IMAGE_REPOSITORY,
    DnsLabel,
    DnsName,
    FieldError,
    ImageTag,
    PositiveQuantity,
    Quantity,
    Section,
    quantity_value,
)


class ComputeResources(Section):
    cpu: Quantity | None = None
    """CPU, e.g. 500m or 2."""
    memory: Quantity | None = None
    """Memory, e.g. 512Mi or 4Gi."""


class ResourceRequirements(Section):
    requests: ComputeResources = ComputeResources()
    """What the scheduler reserves; HPA utilization targets are percentages of these."""
    limits: ComputeResources = ComputeResources()
    """Hard ceilings; must not be below the requests."""

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> Self:
        for resource in ("cpu", "memory"):
            request = getattr(self.requests, resource)
            limit = getattr(self.limits, resource)
            request_value, limit_value = quantity_value(request), quantity_value(limit)
            if request_value is None or limit_value is None:
                continue
            if limit_value < request_value:
                raise FieldError(
                    f"limits.{resource}",
                    f"must be at least requests.{resource} ({request}); got {limit}",
                )
        return self


def _requirements(
    request_cpu: str, request_memory: str, limit_cpu: str, limit_memory: str
) -> ResourceRequirements:
    return ResourceRequirements(
        requests=ComputeResources(cpu=request_cpu, memory=request_memory),
        limits=ComputeResources(cpu=limit_cpu, memory=limit_memory),
    )


class AwxResources(Section):
    """Resource requirements per AWX container; each maps to `<container>_resource_requirements`.

    Task limits are set by default: with them the operator sets SYSTEM_TASK_ABS_CPU/MEM, and
    without them control pods report the whole node's capacity to AWX (awx#11640).
    """

    task: ResourceRequirements = _requirements("500m", "1Gi", "2", "4Gi")
    """The task (control) container: runs the dispatcher and controls jobs."""
    web: ResourceRequirements = _requirements("250m", "1Gi", "2", "2Gi")
    """The web container: API and UI."""
    ee: ResourceRequirements = _requirements("100m", "256Mi", "1", "1Gi")
    """The control-plane execution environment container in the task pod."""
    redis: ResourceRequirements = _requirements("50m", "64Mi", "500m", "512Mi")
    """The Redis sidecar."""
    rsyslog: ResourceRequirements = _requirements("50m", "64Mi", "250m", "256Mi")
    """The rsyslog sidecar."""
    init: ResourceRequirements = _requirements("50m", "64Mi", "500m", "512Mi")
    """Init containers (`init_container_resource_requirements`)."""
    postgres: ResourceRequirements = _requirements("250m", "512Mi", "2", "2Gi")
    """The operator-managed PostgreSQL (ignored with an external database)."""


class Toleration(Section):
    key: str | None = None
    """Taint key to tolerate; empty with operator Exists tolerates every taint."""
    operator: Literal["Equal", "Exists"] = "Equal"
    """Equal matches `value`; Exists matches any value."""
    value: str | None = None
    """Taint value (only with operator Equal)."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    """Taint effect to tolerate; empty tolerates every effect."""
    toleration_seconds: int | None = Field(default=None, ge=0)
    """With effect NoExecute: how long the pod stays bound after the taint appears."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.operator == "Exists" and self.value is not None:
            raise FieldError("value", "must be empty when operator is Exists")
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            raise FieldError("toleration_seconds", "only applies with effect NoExecute")
        return self

    def as_kubernetes(self) -> dict[str, Any]:
        """The toleration in the Kubernetes API's field names."""
        fields = {
            "key": self.key,
            "operator": self.operator,
            "value": self.value,
            "effect": self.effect,
            "tolerationSeconds": self.toleration_seconds,
        }
        return {name: value for name, value in fields.items() if value is not None}


class OperatorSettings(Section):
    install: bool = True
    """Install awx-operator from its Helm chart; false uses an operator already in the cluster."""
    chart_version: str = Field(default="3.2.1", pattern=r"^\d+\.\d+\.\d+$")
    """awx-operator Helm chart version. Since 3.0.0 chart versions no longer follow operator
    releases: 3.2.1 deploys awx-operator 2.19.1 (AWX 24.6.1) and pulls kube-rbac-proxy from
    quay.io instead of the retired gcr.io (docs/versions.md)."""
    chart_repository: str = Field(
        default="https://ansible-community.github.io/awx-operator-helm/",
        pattern=r"^(https://|oci://)\S+$",
    )
    """Helm repository that serves the awx-operator chart (https:// or oci://)."""


class PostgresSettings(Section):
    mode: Literal["managed", "external"] = "managed"
    """managed: the operator runs PostgreSQL in the namespace; external: an existing database."""
    configuration_secret: DnsName | None = None
    """External mode: existing Secret with keys host, port, database, username, password,
    sslmode and type=unmanaged."""
    storage_class: str | None = None
    """Managed mode: StorageClass of the database volume (cluster default when empty)."""
    storage_size: PositiveQuantity = "20Gi"
    """Managed mode: size of the database volume."""

    @model_validator(mode="after")
    def _external_needs_secret(self) -> Self:
        if self.mode == "external" and self.configuration_secret is None:
            raise FieldError(
                "configuration_secret",
                "is required when mode is 'external': name the Secret holding host, port, "
                "database, username, password, sslmode and type",
            )
        if self.mode == "managed" and self.configuration_secret is not None:
            raise FieldError(
                "configuration_secret",
                "only applies when mode is 'external' (the operator creates it when managed)",
            )
        return self


class IngressSettings(Section):
    type: Literal["none", "ingress", "route"] = "none"
    """How AWX is exposed: none (Service only), a Kubernetes Ingress, or an OpenShift Route."""
    hostname: DnsName | None = None
    """Host name AWX answers on; required with ingress or route."""
    tls_secret: DnsName | None = None
    """Existing TLS Secret for the host."""
    class_name: str | None = None
    """IngressClass to use instead of the cluster default."""
    annotations: dict[str, str] = {}
    """Annotations for the Ingress (e.g. cert-manager issuer)."""

    @model_validator(mode="after")
    def _hostname_when_exposed(self) -> Self:
        if self.type != "none" and self.hostname is None:
            raise FieldError("hostname", f"is required when type is {self.type!r}")
        return self


class JobPodPlacement(Section):
    spot: Literal["never", "prefer", "require"] = "never"
    """Spot (preemptible) nodes for job pods: never (kept off them), prefer, or require; node
    affinity and tolerations for EKS, Karpenter, GKE and AKS spot nodes. The advisor prices
    job pods at spot rates when they go there."""


class AwxPodPlacement(Section):
    spot: Literal["never", "allow"] = "never"
    """Spot nodes for the web and task pods: never (node affinity keeps them off every cloud's
    spot nodes: a reclaimed node would take the control plane of running jobs with it), or
    allow (no such affinity)."""


class PlacementSettings(Section):
    job_pods: JobPodPlacement = JobPodPlacement()
    """Where the automation-job pods may run."""
    awx_pods: AwxPodPlacement = AwxPodPlacement()
    """Where AWX's web and task pods may run."""


_SETTING_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
MANAGED_SETTINGS = frozenset(
    {
        "MAX_FORKS",
        "DEFAULT_EXECUTION_QUEUE_MAX_FORKS",
        "DEFAULT_EXECUTION_QUEUE_MAX_CONCURRENT_JOBS",
        "DEFAULT_EXECUTION_QUEUE_POD_SPEC_OVERRIDE",
    }
)
"""AWX settings this program derives from the autoscaling section."""


class AwxSettings(Section):
    name: DnsLabel = "awx"
    """Name of the AWX custom resource; Deployments are `<name>-web` and `<name>-task`.
    Starts with a letter and has at most 38 characters, so that every name derived from it
    fits Kubernetes' limits (the longest: CronJob `<name>-restore-drill`, 52 at most; the
    operator's StatefulSet `<name>-postgres-15`, 52; components/settings/names.py)."""
    namespace: DnsLabel = "awx"
    """Namespace for the operator, AWX and its Secrets (created by this program); at most 58
    characters while job pods use the default `<namespace>-jobs`."""
    image: str = Field(default="quay.io/ansible/awx", pattern=IMAGE_REPOSITORY)
    """AWX image repository without a tag; always sent with image_version, because the
    operator ignores image_version unless image is set too."""
    image_version: ImageTag = "24.6.1"
    """AWX image tag; pinned so upgrades are deliberate."""
    image_pull_policy: Literal["IfNotPresent", "Always", "Never"] = "IfNotPresent"
    """Image pull policy for AWX containers."""
    web_replicas: int = Field(default=1, ge=1, le=20)
    """Web (API/UI) pods."""
    task_replicas: int = Field(default=1, ge=1, le=50)
    """Task pods when autoscaling is disabled (with autoscaling the HPA owns the count)."""
    termination_grace_period_seconds: int = Field(default=900, ge=30, le=86400)
    """How long a task pod being removed may wait for its running jobs to finish."""
    admin_user: str = Field(default="admin", pattern=r"^[\w.@+-]{1,150}$")
    """Name of the AWX superuser."""
    admin_email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    """E-mail address of the AWX superuser."""
    admin_password_secret: DnsName | None = None
    """Existing Secret (key `password`) with the admin password; otherwise one is generated."""
    secret_key_secret: DnsName | None = None
    """Existing Secret (key `secret_key`) with AWX's encryption key; otherwise one is generated."""
    operator: OperatorSettings = OperatorSettings()
    """The awx-operator installation."""
    postgres: PostgresSettings = PostgresSettings()
    """The database AWX uses."""
    resources: AwxResources = AwxResources()
    """Requests and limits per AWX container."""
    node_selector: dict[str, str] = {}
    """Node labels AWX pods must run on."""
    tolerations: list[Toleration] = []
    """Taints AWX pods tolerate."""
    placement: PlacementSettings = PlacementSettings()
    """Spot-node placement of the job pods and of the web and task pods."""
    ingress: IngressSettings = IngressSettings()
    """External access to the web UI and API."""
    service_type: Literal["ClusterIP", "NodePort", "LoadBalancer"] = "ClusterIP"
    """Type of the `<name>-service` Service."""
    extra_settings: dict[str, Any] = {}
    """Further AWX settings (name: value), written into settings.py by the operator; they
    become read-only in the UI. MAX_FORKS and DEFAULT_EXECUTION_QUEUE_* (max forks, max
    concurrent jobs, pod spec override) come from the autoscaling section and may not be set
    here."""
    protect: bool = True
    """Protect the namespace and AWX's secret key against deletion by `pulumi destroy`."""

    # The operator names its objects after the AWX resource; every feature that points at
    # them takes the names from here.
    @property
    def task_deployment(self) -> str:
        """The operator's task Deployment, `<name>-task` (also the name of its HPA)."""
        return f"{self.name}-task"

    @property
    def web_deployment(self) -> str:
        """The operator's web Deployment, `<name>-web`."""
        return f"{self.name}-web"

    @property
    def service(self) -> str:
        """The operator's Service in front of the web pods, `<name>-service` (port 80 `http`)."""
        return f"{self.name}-service"

    @field_validator("extra_settings")
    @classmethod
    def _settings_are_ours_to_take(cls, settings: dict[str, Any]) -> dict[str, Any]:
        for setting in settings:
            if not _SETTING_NAME.fullmatch(setting):
                raise ValueError(
                    f"{setting!r} is not an AWX setting name (upper-case letters, digits, '_')"
                )
            if setting in MANAGED_SETTINGS:
                raise ValueError(
                    f"{setting} is derived from the autoscaling section "
                    "(max_forks_per_task, max_total_forks, max_concurrent_jobs, job_pod); "
                    "set it there"
                )
        return settings
