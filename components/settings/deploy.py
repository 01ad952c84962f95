"""The `deploy` section: how a guarded deploy (`make deploy`, deploy/) judges a stack healthy.

The program itself reads only `rollouts_awaited_by`; everything under `health` is read by the
guarded deploy after `pulumi up` (docs/deploy.md).
"""

from typing import Literal

from pydantic import Field

from components.settings.base import Section

HTTP_URL = r"^https?://[^\s/]+(/\S*)?$"

CRITICAL_ALERTS = 'ALERTS{alertstate="firing", severity="critical"}'
"""Any critical alert firing (the SLO fast-burn alerts are critical too)."""


class HealthSettings(Section):
    window: int = Field(default=60, ge=0, le=3600)
    """Soak window in seconds: after `up` (and after a rollback) every gate must stay healthy
    this long before the deploy counts as good. The whole wait is bounded by
    $DEPLOY_HEALTH_TIMEOUT (seconds, default 600)."""
    interval: int = Field(default=5, ge=1, le=300)
    """Seconds between two rounds of gate checks."""
    deployments: bool = True
    """Gate: every Deployment the platform owns (label app.kubernetes.io/part-of=awx-platform
    and awx-platform/stack=<stack> in the stack's namespaces, plus the operator's Deployments of
    the AWX instance) is rolled out, Available and not ProgressDeadlineExceeded."""
    policy: bool = True
    """Gate: the policy pack (policies/) over the deployed state passes (`pulumi stack export`
    then `pulumi policy analyze --file`, the route the local engine can run)."""
    awx_url: str | None = Field(default=None, pattern=HTTP_URL)
    """Gate: base URL of AWX as seen from where the deploy runs (e.g. https://awx.example.com);
    `/api/v2/ping/` must answer with at least one instance with capacity. Empty: skipped."""
    exporter_url: str | None = Field(default=None, pattern=HTTP_URL)
    """Gate: base URL of the awx-runtime exporter; its `/health` must be Healthy or Degraded.
    Empty: skipped."""
    require_endpoints: bool = False
    """Whether a configured awx_url or exporter_url that cannot be reached fails the gate; by
    default it is skipped with a note (the deploy may run where the cluster's Services are not
    routable)."""
    prometheus_url: str | None = Field(default=None, pattern=HTTP_URL)
    """Gate: Prometheus reachable from where the deploy runs; each of prometheus_queries must
    return an empty result. Empty: no Prometheus gate."""
    prometheus_queries: list[str] = Field(default=[CRITICAL_ALERTS], max_length=20)
    """PromQL instant queries that must return nothing while the window lasts (with
    prometheus_url), e.g. a critical alert firing or an SLO fast burn."""


class DeploySettings(Section):
    health: HealthSettings = HealthSettings()
    """The health gates a guarded deploy waits on after `up`, and for how long."""
    rollouts_awaited_by: Literal["provider", "gates"] = "provider"
    """provider: `pulumi up` waits for every Deployment's rollout (the Kubernetes provider's
    await, up to 10 minutes) and a stuck rollout fails the `up`; gates: the platform's
    Deployments carry pulumi.com/skipAwait, `up` returns once the API server accepted them and
    the guarded deploy's Deployment gate waits instead, bounded by DEPLOY_HEALTH_TIMEOUT (a
    plain `make up` then returns before the pods are Ready)."""
