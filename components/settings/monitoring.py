"""The `monitoring` section: the Prometheus stack, alert routing and service level objectives."""

from typing import Self

from pydantic import Field, model_validator

from components.settings.base import (
    DnsLabel,
    FieldError,
    PositiveQuantity,
    PrometheusDuration,
    Section,
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


class MonitoringSettings(Section):
    enabled: bool = True
    """Deploy scraping, alert rules and dashboards for AWX."""
    install_stack: bool = True
    """Install kube-prometheus-stack; false attaches to an existing stack."""
    namespace: DnsLabel = "monitoring"
    """Namespace of the monitoring stack."""
    release_label: str = Field(default="kube-prometheus-stack", pattern=r"^[a-z0-9][\w.-]*$")
    """The `release` label value the stack's Prometheus selects rules and monitors by."""
    prometheus: PrometheusSettings = PrometheusSettings()
    """Prometheus storage and replicas."""
    alerting: AlertingSettings = AlertingSettings()
    """Where alerts go."""
    slos: list[Slo] = []
    """Service level objectives, each turned into multi-window burn-rate alerts."""

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
