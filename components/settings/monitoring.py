"""The `monitoring` section: the Prometheus stack, alert routing and service level objectives."""

from typing import Self

from pydantic import Field, model_validator

from components.settings.awx import ComputeResources, ResourceRequirements
from components.settings.base import (
    DnsLabel,
    DnsName,
    FieldError,
    ImageDigest,
    PositiveQuantity,
    PrometheusDuration,
    Section,
    by_digest,
)

PUSHGATEWAY_SERVICE = "awx-pushgateway"
"""Service of the Pushgateway the monitoring component deploys into the monitoring namespace."""
PUSHGATEWAY_PORT = 9091


class PrometheusSettings(Section):
    retention: PrometheusDuration = "15d"
    """How long Prometheus keeps samples."""
    retention_size: str | None = Field(default=None, pattern=r"^\d+(B|KB|MB|GB|TB|PB|EB)$")
    """Size cap on stored samples, e.g. 45GB (keep it below storage_size)."""
    replicas: int = Field(default=1, ge=1, le=5)
    """Prometheus replicas; 2 or more for high availability."""
    storage_size: PositiveQuantity = "50Gi"
    """Size of each Prometheus volume."""
    storage_class: str | None = None
    """StorageClass of the Prometheus volumes (cluster default when empty)."""
    resources: ResourceRequirements = ResourceRequirements(
        requests=ComputeResources(cpu="500m", memory="2Gi"),
        limits=ComputeResources(memory="4Gi"),
    )
    """CPU and memory of each Prometheus pod."""


class Slo(Section):
    name: DnsLabel
    """Name of the objective, used in rule names and labels."""
    objective: float = Field(gt=0, lt=100)
    """Target in percent of good events, e.g. 99.5."""
    window: PrometheusDuration = "30d"
    """Compliance window the error budget is counted over."""
    description: str = ""
    """What the objective promises, in a sentence."""
    error_query: str = Field(min_length=1)
    """PromQL rate of bad events; `[{{.window}}]` is replaced by each burn-rate window."""
    total_query: str = Field(min_length=1)
    """PromQL rate of all events; `[{{.window}}]` is replaced by each burn-rate window."""


class AlertingSettings(Section):
    slack_channel: str | None = Field(default=None, pattern=r"^#[\w-]{1,80}$")
    """Slack channel for warnings (the webhook URL comes from secrets.slack_webhook_url)."""
    group_wait: PrometheusDuration = "30s"
    """How long Alertmanager waits to batch the first alerts of a new group."""
    repeat_interval: PrometheusDuration = "4h"
    """How often a still-firing alert is sent again."""


class GrafanaSettings(Section):
    enabled: bool = True
    """Install Grafana with the stack (dashboards are provisioned either way)."""
    admin_password_secret: DnsName | None = None
    """Existing Secret in the monitoring namespace with keys admin-user and admin-password;
    else one is created from secrets.grafana_admin_password or a generated password."""
    persistence_size: PositiveQuantity | None = None
    """Size of Grafana's volume; none: dashboards come from ConfigMaps, nothing to keep."""


class AlertmanagerSettings(Section):
    replicas: int = Field(default=1, ge=1, le=5)
    """Alertmanager replicas; 2 or more for high availability (they form a cluster)."""
    storage_size: PositiveQuantity = "2Gi"
    """Size of each Alertmanager volume (silences and notification state)."""


class ExporterSettings(Section):
    postgres: bool = True
    """Run prometheus-postgres-exporter against AWX's database (its configuration Secret)."""
    postgres_image: str = "quay.io/prometheuscommunity/postgres-exporter:v0.15.0"
    """Image of the PostgreSQL exporter, with a pinned tag."""
    postgres_image_digest: ImageDigest | None = None
    """Digest of the PostgreSQL exporter image; set, nodes pull exactly that build."""
    redis_address: str | None = Field(default=None, pattern=r"^[\w.-]+:\d{1,5}$")
    """host:port of a Redis reachable over TCP to export. The operator-managed Redis listens
    on a unix socket inside each web and task pod, so the Redis exporter runs only when set."""
    redis_image: str = "quay.io/oliver006/redis_exporter:v1.62.0"
    """Image of the Redis exporter, with a pinned tag."""
    redis_image_digest: ImageDigest | None = None
    """Digest of the Redis exporter image; set, nodes pull exactly that build."""
    pushgateway_image: str = "quay.io/prometheus/pushgateway:v1.9.0"
    """Image of the Pushgateway that backup jobs push to, with a pinned tag."""
    pushgateway_image_digest: ImageDigest | None = None
    """Digest of the Pushgateway image; set, nodes pull exactly that build."""
    awx_token_secret: DnsName | None = None
    """Existing Secret (key `token`) in the AWX namespace with an AWX OAuth2 token for
    /api/v2/metrics/ and the exporter's capacity check; else secrets.awx_metrics_token."""

    @property
    def postgres_image_reference(self) -> str:
        return by_digest(self.postgres_image, self.postgres_image_digest)

    @property
    def redis_image_reference(self) -> str:
        return by_digest(self.redis_image, self.redis_image_digest)

    @property
    def pushgateway_image_reference(self) -> str:
        return by_digest(self.pushgateway_image, self.pushgateway_image_digest)


class NetworkPolicySettings(Section):
    enabled: bool = True
    """Default-deny NetworkPolicies in the AWX namespace with explicit allows."""
    ingress_namespaces: list[DnsLabel] = []
    """Namespaces allowed to reach the AWX web pods (e.g. the ingress controller's); empty:
    any namespace (the web Service is AWX's public face)."""
    task_egress_cidrs: list[str] = ["0.0.0.0/0"]
    """Where task pods may connect (project syncs, inventories, Galaxy); narrow it in
    production."""
    object_storage_cidrs: list[str] = ["0.0.0.0/0"]
    """Where backup, restore and drill pods may reach object storage on port 443."""


class MonitoringSettings(Section):
    enabled: bool = True
    """Deploy scraping, alert rules and dashboards for AWX."""
    install_stack: bool = True
    """Install kube-prometheus-stack; false attaches to an existing stack."""
    namespace: DnsLabel = "monitoring"
    """Namespace of the monitoring stack."""
    protect: bool = True
    """Protect the monitoring namespace this program creates (it holds the Prometheus and
    Alertmanager volumes) against deletion by `pulumi destroy`."""
    release_label: str = Field(default="kube-prometheus-stack", pattern=r"^[a-z0-9][\w.-]*$")
    """The `release` label value the stack's Prometheus selects rules and monitors by."""
    chart_version: str = Field(default="88.5.3", pattern=r"^\d+\.\d+\.\d+$")
    """Pinned kube-prometheus-stack chart version (install_stack only); 88.5.3 ships
    prometheus-operator v0.93.1, whose CRDs the local cluster serves."""
    chart_repository: str = Field(
        default="https://prometheus-community.github.io/helm-charts", pattern=r"^https://"
    )
    """Helm repository of kube-prometheus-stack."""
    prometheus: PrometheusSettings = PrometheusSettings()
    """Prometheus storage and replicas."""
    alertmanager: AlertmanagerSettings = AlertmanagerSettings()
    """Alertmanager replicas and storage (install_stack only)."""
    grafana: GrafanaSettings = GrafanaSettings()
    """Grafana and its admin credentials (install_stack only)."""
    exporters: ExporterSettings = ExporterSettings()
    """PostgreSQL and Redis exporters, the Pushgateway and AWX's metrics token."""
    network_policies: NetworkPolicySettings = NetworkPolicySettings()
    """Default-deny NetworkPolicies for the AWX namespace."""
    alerting: AlertingSettings = AlertingSettings()
    """Where alerts go."""
    slos: list[Slo] = []
    """Service level objectives, each turned into multi-window burn-rate alerts."""

    @property
    def prometheus_url(self) -> str | None:
        """The in-cluster Prometheus (the operator's prometheus-operated Service), when on."""
        if not self.enabled:
            return None
        return f"http://prometheus-operated.{self.namespace}.svc:9090"

    @property
    def pushgateway_url(self) -> str | None:
        """Where batch jobs (backups, restore drills) push their metrics, when monitoring is on."""
        if not self.enabled:
            return None
        return f"http://{PUSHGATEWAY_SERVICE}.{self.namespace}.svc:{PUSHGATEWAY_PORT}"

    @model_validator(mode="after")
    def _slo_names_unique(self) -> Self:
        seen: set[str] = set()
        for index, slo in enumerate(self.slos):
            if slo.name in seen:
                raise FieldError(f"slos[{index}].name", f"{slo.name!r} is used twice")
            seen.add(slo.name)
        return self
